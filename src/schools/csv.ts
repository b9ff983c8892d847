/**
 * The CSV a school office exports from Excel or its own system (RFC 4180: quoted cells may hold
 * commas, quotes and line breaks), read with the line each record starts on, so an error can
 * say `line 3: grade` as the clerk sees it in their editor. A UTF-8 BOM is tolerated.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  cells: string[];
}

export class CsvError extends Error {}

export function readCsv(text: string): CsvRecord[] {
  const s = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let start = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    // A blank line (one empty cell) is no record: trailing newlines and spacer lines are common.
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  while (i < s.length) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line += 1;
        cell += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && s[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      start = line;
    } else cell += ch;
    i += 1;
  }
  if (quoted) throw new CsvError(`line ${start}: a quoted cell is not closed`);
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}

/**
 * Records under a header row as objects keyed by column name; an empty cell is left out, so a
 * missing value reads as missing. A column not in `known` is an error naming line 1.
 */
export function csvObjects(text: string, known: readonly string[]): { line: number; values: Record<string, string> }[] {
  const [header, ...rows] = readCsv(text);
  if (!header) throw new CsvError('line 1: the CSV is empty; it needs a header row');
  const names = header.cells.map((h) => h.trim());
  for (const n of names) {
    if (!known.includes(n))
      throw new CsvError(`line ${header.line}: ${n || '(empty)'}: unknown column (known: ${known.join(', ')})`);
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new CsvError(`line ${header.line}: ${repeated}: the column appears twice`);
  return rows.map((r) => {
    if (r.cells.length > names.length)
      throw new CsvError(`line ${r.line}: ${r.cells.length} cells, but the header names ${names.length} columns`);
    const values: Record<string, string> = {};
    r.cells.forEach((v, i) => {
      const t = v.trim();
      if (t !== '') values[names[i]!] = t;
    });
    return { line: r.line, values };
  });
}

/** One cell for Excel: quoted when needed, and a leading = + - @ neutralised so it is never a formula. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** UTF-8 with a BOM and CRLF lines, so Excel opens it as it is. */
export function writeCsv(header: readonly string[], rows: unknown[][]): string {
  const lines = [header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
