import { CsvError, readCsv } from '../http/csv';

/**
 * A school roster's CSV (read by the one reader in http/csv.ts): records under a header row
 * as objects keyed by column name; an empty cell is left out, so a missing value reads as
 * missing. A column not in `known` is an error naming line 1.
 */
export function csvObjects(text: string, known: readonly string[]): { line: number; values: Record<string, string> }[] {
  const [header, ...rows] = readCsv(text);
  if (!header) throw new CsvError(1, 'the CSV is empty; it needs a header row');
  const names = header.cells.map((h) => h.trim());
  for (const n of names) {
    if (!known.includes(n))
      throw new CsvError(header.line, `${n || '(empty)'}: unknown column (known: ${known.join(', ')})`);
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new CsvError(header.line, `${repeated}: the column appears twice`);
  return rows.map((r) => {
    if (r.cells.length > names.length)
      throw new CsvError(r.line, `${r.cells.length} cells, but the header names ${names.length} columns`);
    const values: Record<string, string> = {};
    r.cells.forEach((v, i) => {
      const t = v.trim();
      if (t !== '') values[names[i]!] = t;
    });
    return { line: r.line, values };
  });
}
