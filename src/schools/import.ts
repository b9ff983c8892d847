import type { z } from '@hono/zod-openapi';
import { problem } from '../admin/errors';
import { CsvError } from '../http/csv';
import { csvObjects } from './csv';

/**
 * Reads an import body (a roster, a list of schools) sent as a JSON array or as `text/csv` with
 * a header row, and checks every row with the same zod schema. An error names the row and
 * field the way the sender sees it: `rows[2].grade` (zero-based) in JSON, `line 3: grade` in CSV
 * (the header being line 1). The caller stores nothing unless every row passes.
 */

export const MAX_IMPORT_ROWS = 2000;

/** Names a field of a row: `rows[2].grade` or `line 3: grade`. */
export type RowRef = (index: number, field?: string) => string;

export interface ImportedRows<T> {
  rows: T[];
  ref: RowRef;
}

/** How a CSV cell becomes the JSON value the schema expects (a number, a list, a boolean). */
export type CsvCells = Record<string, (cell: string) => unknown>;

export function splitList(cell: string): string[] {
  return cell
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function csvNumber(cell: string): unknown {
  return /^\d+$/.test(cell) ? Number(cell) : cell;
}

export function csvBoolean(cell: string): unknown {
  const v = cell.toLowerCase();
  if (['true', '1', 'yes', 'はい'].includes(v)) return true;
  if (['false', '0', 'no', 'いいえ'].includes(v)) return false;
  return cell;
}

function issuesOf(error: z.ZodError, at: (field: string) => string): string[] {
  return error.issues.map((i) => `${at(i.path.map(String).join('.'))}: ${i.message}`);
}

/** At most this many row errors are spelled out; a wholly wrong file would otherwise say thousands. */
const MAX_ERRORS = 20;

function fail(errors: string[]): never {
  const more = errors.length > MAX_ERRORS ? `; … ${errors.length - MAX_ERRORS} more` : '';
  throw problem(400, `Nothing was imported. ${errors.slice(0, MAX_ERRORS).join('; ')}${more}`);
}

export function readImport<T>(
  contentType: string,
  text: string,
  schema: z.ZodType<T>,
  columns: readonly string[],
  cells: CsvCells,
): ImportedRows<T> {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let raw: { ref: (field?: string) => string; value: unknown }[];
  let ref: RowRef;
  if (type === 'text/csv') {
    let records: ReturnType<typeof csvObjects>;
    try {
      records = csvObjects(text, columns);
    } catch (err) {
      if (err instanceof CsvError) fail([err.message]);
      throw err;
    }
    ref = (i, field) => `line ${records[i]!.line}${field ? `: ${field}` : ''}`;
    raw = records.map((r, i) => {
      const value: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r.values)) value[k] = cells[k] ? cells[k](v) : v;
      return { ref: (field) => ref(i, field), value };
    });
  } else if (type === 'application/json' || type.endsWith('+json')) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw problem(400, 'The body is not valid JSON.');
    }
    if (!Array.isArray(body)) throw problem(400, '(body): expected a JSON array of rows');
    ref = (i, field) => `rows[${i}]${field ? `.${field}` : ''}`;
    raw = body.map((value, i) => ({ ref: (field) => ref(i, field), value }));
  } else {
    throw problem(
      415,
      'Send the rows as a JSON array (`Content-Type: application/json`) or as `text/csv` with a header row.',
    );
  }
  if (raw.length === 0) throw problem(400, 'There are no rows to import.');
  if (raw.length > MAX_IMPORT_ROWS) throw problem(400, `At most ${MAX_IMPORT_ROWS} rows per import; send it in parts.`);
  const rows: T[] = [];
  const errors: string[] = [];
  for (const r of raw) {
    const parsed = schema.safeParse(r.value);
    if (parsed.success) rows.push(parsed.data);
    else errors.push(...issuesOf(parsed.error, (f) => r.ref(f || undefined)));
  }
  if (errors.length) fail(errors);
  return { rows, ref };
}

/** A check across rows (a repeated code, a grade the school does not have), named like the rest. */
export function rowErrors(errors: string[]): void {
  if (errors.length) fail(errors);
}
