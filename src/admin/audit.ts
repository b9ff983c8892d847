import { and, desc, eq, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLog, staff } from '../db/schema';
import type { StaffPrincipal } from './auth';

/**
 * The unexecuted insert of one audit row. Pass it to `db.batch([...])` together with
 * the write it records, so the change and its audit row commit or fail together.
 */
export function auditRecord(
  d: Db,
  principal: Pick<StaffPrincipal, 'id'>,
  action: string,
  targetType: string,
  targetId: string | null,
  detail?: Record<string, unknown>,
) {
  return d
    .insert(auditLog)
    .values({ at: Date.now(), staffId: principal.id, action, targetType, targetId, detail: detail ?? null });
}

/**
 * Records that `principal` did `action` (e.g. `staff.create`, `report.read`) to one record.
 * Call it for every staff write and every staff read of personal data. Never put the
 * personal data itself (names of residents, tokens, message text) into `detail`.
 */
export async function audit(...args: Parameters<typeof auditRecord>): Promise<void> {
  await auditRecord(...args);
}

export interface AuditQuery {
  staffId?: string;
  /** One action (`staff.create`), or every action under a prefix that ends in a dot (`broadcast.`). */
  action?: string;
  /** UTC ms, inclusive. */
  since?: number;
  /** UTC ms, inclusive. */
  until?: number;
  /** A resident's handle: every row about them (their `detail.resident`). */
  resident?: string;
  cursor?: string;
  limit: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  staffId: string;
  /** The staff member's name as it is now; null for the bootstrap token, which has no account. */
  staffName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * The cursor is the position of the last row shown, `<at>.<id>`: newest first means
 * ordering by time, and the id breaks ties between rows of the same millisecond.
 */
const CURSOR = /^(\d{1,15})\.(\d{1,15})$/;
export function isAuditCursor(s: string): boolean {
  return CURSOR.test(s);
}

/** `broadcast.` is a prefix (LIKE with `%` and `_` escaped, so they match only themselves); anything else is exact. */
function actionFilter(action: string): SQL {
  if (!action.endsWith('.')) return eq(auditLog.action, action);
  const pattern = `${action.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql`${auditLog.action} LIKE ${pattern} ESCAPE '\\'`;
}

export async function listAudit(d: Db, q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const where: (SQL | undefined)[] = [];
  if (q.staffId) where.push(eq(auditLog.staffId, q.staffId));
  if (q.action) where.push(actionFilter(q.action));
  if (q.since !== undefined) where.push(gte(auditLog.at, q.since));
  if (q.until !== undefined) where.push(lte(auditLog.at, q.until));
  if (q.resident) where.push(sql`json_extract(${auditLog.detail}, '$.resident') = ${q.resident}`);
  const m = q.cursor ? CURSOR.exec(q.cursor) : null;
  if (m) {
    const at = Number(m[1]);
    const id = Number(m[2]);
    where.push(or(lt(auditLog.at, at), and(eq(auditLog.at, at), lt(auditLog.id, id))));
  }
  // One row more than asked tells whether another page exists without a COUNT.
  const rows = await d
    .select({
      id: auditLog.id,
      at: auditLog.at,
      staffId: auditLog.staffId,
      staffName: staff.name,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      detail: auditLog.detail,
    })
    .from(auditLog)
    .leftJoin(staff, eq(staff.id, auditLog.staffId))
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(q.limit + 1)
    .all();
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? `${last.at}.${last.id}` : null };
}

const AUDIT_CSV_COLUMNS = ['id', 'at', 'staffId', 'staffName', 'action', 'targetType', 'targetId', 'detail'] as const;

/** The audit rows as CSV: UTF-8 with a BOM and CRLF lines, so Excel opens it as it is. */
export function auditCsv(items: AuditEntry[]): string {
  const lines = [
    AUDIT_CSV_COLUMNS.join(','),
    ...items.map((e) =>
      AUDIT_CSV_COLUMNS.map((k) =>
        csvCell(
          k === 'at' ? new Date(e.at).toISOString() : k === 'detail' ? e.detail && JSON.stringify(e.detail) : e[k],
        ),
      ).join(','),
    ),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A cell starting with = + - @ is a formula to a spreadsheet: neutralise it.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
