import { recentTimes, windowLimit } from '../calendar/window-limit';
import { COMMUNITY_KINDS, type CommunityKind } from '../db/schema';
import { countIn } from '../line/limits';
import { CsvError, readCsv, type CsvRecord } from '../http/csv';

/** The pure rules of associations: display names, invite states, the wrong-code lock, import rows. */

export const DISPLAY_NAME_MAX = 20;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * The name a resident chose to show their leaders: 1–20 characters as a person counts them
 * (graphemes), no control or bidirectional marks (they would reorder what the leader reads).
 * Null when it is not acceptable.
 */
export function readDisplayName(text: string): string | null {
  const name = text.normalize('NFC').trim().replace(/\s+/g, ' ');
  const n = countIn(name, 'graphemes');
  if (n < 1 || n > DISPLAY_NAME_MAX || UNSAFE.test(name)) return null;
  return name;
}

export interface InviteFacts {
  expiresAt: number | null;
  maxUses: number | null;
  uses: number;
  revokedAt: number | null;
}

export type InviteState = 'usable' | 'revoked' | 'expired' | 'used_up';

/** Revoked first (a leader's explicit act), then expiry, then uses. */
export function inviteState(i: InviteFacts, now: number): InviteState {
  if (i.revokedAt !== null) return 'revoked';
  if (i.expiresAt !== null && i.expiresAt <= now) return 'expired';
  if (i.maxUses !== null && i.uses >= i.maxUses) return 'used_up';
  return 'usable';
}

/** Uses left; null when the code has no limit. */
export function usesLeft(i: Pick<InviteFacts, 'maxUses' | 'uses'>): number | null {
  return i.maxUses === null ? null : Math.max(0, i.maxUses - i.uses);
}

export const WRONG_CODE_LIMIT = 5;
export const WRONG_CODE_WINDOW_MS = 60 * 60 * 1000;

/**
 * 5 refused codes within an hour lock the code step for an hour: `until` is when the
 * resident may try again. `times` is what the conversation keeps, trimmed to what counts.
 */
export function codeLock(
  times: readonly number[] | undefined,
  now: number,
): { locked: boolean; until: number; times: number[] } {
  const recent = recentTimes(times ?? [], now, WRONG_CODE_WINDOW_MS);
  const { allowed, retryAfterMs } = windowLimit(recent, now, WRONG_CODE_LIMIT, WRONG_CODE_WINDOW_MS);
  return { locked: !allowed, until: now + retryAfterMs, times: recent };
}

/* ───────────── Bulk import ───────────── */

export interface ImportRow {
  name: string;
  kind: CommunityKind;
  /** An existing association's id or name, or the name of a federation earlier or later in the same import. */
  parent: string | null;
  district: string | null;
}

export interface Known {
  id: string;
  name: string;
  kind: CommunityKind;
}

export const NAME_MAX = 100;
export const DISTRICT_MAX = 100;
export const IMPORT_MAX_ROWS = 5000;

/** One refused row: `field` as the resident of a spreadsheet names it. */
export interface RowIssue {
  row: number;
  field: string;
  message: string;
}

/** A cell as stored: trimmed, and null when empty (only strings reach here). */
function text(v: unknown): string | null {
  const s = typeof v === 'string' ? v.trim() : '';
  return s === '' ? null : s;
}

/** Reads one raw row (from JSON or CSV) into an ImportRow, or names what is wrong with it. */
export function readImportRow(raw: unknown, row: number): ImportRow | RowIssue {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { row, field: '(row)', message: 'must be an object with name, kind, parent, district' };
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r))
    if (!['name', 'kind', 'parent', 'district'].includes(key))
      return { row, field: key, message: 'is not a column (name, kind, parent, district)' };
  for (const key of ['name', 'kind', 'parent', 'district'])
    if (r[key] !== undefined && r[key] !== null && typeof r[key] !== 'string')
      return { row, field: key, message: 'must be a string' };
  const name = text(r.name);
  if (!name) return { row, field: 'name', message: 'is required' };
  if (countIn(name, 'graphemes') > NAME_MAX || UNSAFE.test(name))
    return { row, field: 'name', message: `must be at most ${NAME_MAX} characters, without control characters` };
  const kind = text(r.kind);
  if (!kind || !(COMMUNITY_KINDS as readonly string[]).includes(kind))
    return { row, field: 'kind', message: 'must be federation or unit' };
  const parent = text(r.parent);
  if (kind === 'federation' && parent) return { row, field: 'parent', message: 'a federation has no parent' };
  const district = text(r.district);
  if (district && (countIn(district, 'graphemes') > DISTRICT_MAX || UNSAFE.test(district)))
    return { row, field: 'district', message: `must be at most ${DISTRICT_MAX} characters` };
  return { name, kind: kind as CommunityKind, parent, district };
}

export interface PlannedRow extends Omit<ImportRow, 'parent'> {
  id: string;
  parentId: string | null;
}

/**
 * The whole import or the first refused row. Parents are looked up by id, then by name
 * among the rows of the import and the stored associations; a name that two federations
 * share is ambiguous and refused. A parent must be a federation.
 */
export function planImport(
  raws: readonly unknown[],
  known: readonly Known[],
  newId: () => string,
): { rows: PlannedRow[] } | { issue: RowIssue } {
  const read: ImportRow[] = [];
  for (const [i, raw] of raws.entries()) {
    const r = readImportRow(raw, i);
    if ('field' in r) return { issue: r };
    read.push(r);
  }
  const planned = read.map((r) => ({ ...r, id: newId() }));
  const pool: Known[] = [...known, ...planned.map((p) => ({ id: p.id, name: p.name, kind: p.kind }))];
  const names = new Set<string>();
  const rows: PlannedRow[] = [];
  for (const [i, r] of planned.entries()) {
    const key = `${r.kind}\u0000${r.name}`;
    if (names.has(key)) return { issue: { row: i, field: 'name', message: 'appears twice in this import' } };
    names.add(key);
    let parentId: string | null = null;
    if (r.parent) {
      const byId = known.find((k) => k.id === r.parent);
      const byName = pool.filter((k) => k.name === r.parent && k.kind === 'federation');
      const found = byId ?? (byName.length === 1 ? byName[0] : undefined);
      if (!byId && byName.length > 1)
        return { issue: { row: i, field: 'parent', message: 'names more than one federation; use its id' } };
      if (!found) return { issue: { row: i, field: 'parent', message: 'names no federation (by id or name)' } };
      if (found.kind !== 'federation') return { issue: { row: i, field: 'parent', message: 'must be a federation' } };
      parentId = found.id;
    }
    rows.push({ id: r.id, name: r.name, kind: r.kind, district: r.district, parentId });
  }
  return { rows };
}

/** How an issue is named: `rows[2].kind` for a JSON array (zero-based), `line 3: kind` for CSV (the header is line 1). */
export function issueDetail(issue: RowIssue, format: 'json' | 'csv', lines?: readonly number[]): string {
  if (format === 'json') return `rows[${issue.row}].${issue.field}: ${issue.message}`;
  return `line ${lines?.[issue.row] ?? issue.row + 2}: ${issue.field}: ${issue.message}`;
}

/**
 * RFC 4180 CSV with a header row naming the columns (any order; `name,kind,parent,district`).
 * Returns the rows as objects and the line each starts on, or the line that cannot be read.
 */
export function parseCsv(
  input: string,
): { records: Record<string, string>[]; lines: number[] } | { line: number; message: string } {
  let read: CsvRecord[];
  try {
    read = readCsv(input);
  } catch (err) {
    if (err instanceof CsvError) return { line: err.line, message: 'a quoted field is not closed' };
    throw err;
  }
  // A line of spaces is blank here too (the shared reader skips only empty ones).
  const table = read.filter((r) => !(r.cells.length === 1 && r.cells[0]!.trim() === ''));
  const [header, ...body] = table;
  if (!header) return { line: 1, message: 'the header row name,kind,parent,district is missing' };
  const columns = header.cells.map((c) => c.trim().toLowerCase());
  if (!columns.includes('name') || !columns.includes('kind'))
    return { line: header.line, message: 'the header row must name the columns name,kind,parent,district' };
  const records: Record<string, string>[] = [];
  for (const r of body) {
    if (r.cells.length > columns.length)
      return { line: r.line, message: `has ${r.cells.length} fields, the header ${columns.length}` };
    records.push(Object.fromEntries(columns.map((c, k) => [c, r.cells[k] ?? ''])));
  }
  return { records, lines: body.map((r) => r.line) };
}
