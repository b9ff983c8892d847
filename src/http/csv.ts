/**
 * CSV as offices export it from Excel or their own systems (RFC 4180: quoted cells may hold
 * commas, quotes and line breaks), read with the line each record starts on, so an error can
 * say `line 3: grade` as the clerk sees it in their editor. A UTF-8 BOM is tolerated. The one
 * reader and writer for every import and export (school rosters, associations, audit …).
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  cells: string[];
}

/** A file that cannot be read: `line` is where, `reason` what, and the message says both. */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

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
  if (quoted) throw new CsvError(start, 'a quoted cell is not closed');
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
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
