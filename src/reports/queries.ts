import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { reports, type ReportStatus } from '../db/schema';

/**
 * The staff list and exports: filters, cursor paging, sort. Kept apart from staff.ts (and
 * from anything that talks to LINE) so scripts/bench-reports.ts can bundle exactly this
 * code into a worker and time it on 100,000 rows.
 */

export interface ReportQuery {
  status?: ReportStatus[];
  category?: string;
  subtype?: string;
  department?: string;
  /** UTC ms, inclusive. */
  from?: number;
  /** UTC ms, exclusive. */
  to?: number;
  /** [minLng, minLat, maxLng, maxLat] */
  bbox?: [number, number, number, number];
  q?: string;
  hidden?: 'exclude' | 'include' | 'only';
  sort: 'newest' | 'oldest';
  cursor?: string;
  limit: number;
}

/** `<createdAt>.<id>` of the last row shown; the id breaks ties within a millisecond. */
const CURSOR = /^(\d{1,15})\.([0-9a-f-]{36})$/;
export const isReportCursor = (s: string) => CURSOR.test(s);

export function reportFilters(q: Omit<ReportQuery, 'sort' | 'limit' | 'cursor'>): SQL[] {
  const where: (SQL | undefined)[] = [];
  if (q.status?.length)
    where.push(q.status.length === 1 ? eq(reports.status, q.status[0]!) : inArray(reports.status, q.status));
  if (q.category) where.push(eq(reports.categoryCode, q.category));
  if (q.subtype) where.push(eq(reports.subtypeCode, q.subtype));
  if (q.department) where.push(eq(reports.departmentId, q.department));
  if (q.from !== undefined) where.push(gte(reports.createdAt, q.from));
  if (q.to !== undefined) where.push(lt(reports.createdAt, q.to));
  if (q.bbox) {
    const [minLng, minLat, maxLng, maxLat] = q.bbox;
    where.push(gte(reports.lat, minLat), lte(reports.lat, maxLat), gte(reports.lng, minLng), lte(reports.lng, maxLng));
  }
  if (q.q) {
    // LIKE with the wildcards of the search text escaped, so 100% means "100%".
    const pattern = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      or(sqlLike(reports.description, pattern), sqlLike(reports.number, pattern), sqlLike(reports.address, pattern)),
    );
  }
  if (q.hidden === 'exclude' || q.hidden === undefined) where.push(isNull(reports.hiddenAt));
  if (q.hidden === 'only') where.push(isNotNull(reports.hiddenAt));
  return where.filter((w): w is SQL => w !== undefined);
}

/** drizzle's like() has no ESCAPE clause; without it SQLite would read \% as a backslash and a wildcard. */
function sqlLike(col: SQLiteColumn, pattern: string): SQL {
  return sql`${col} LIKE ${pattern} ESCAPE '\\'`;
}

/** The list's columns: no reporter (personal data stays in the audited detail view). */
export const listColumns = {
  id: reports.id,
  number: reports.number,
  status: reports.status,
  categoryCode: reports.categoryCode,
  subtypeCode: reports.subtypeCode,
  departmentId: reports.departmentId,
  duplicateOf: reports.duplicateOf,
  lat: reports.lat,
  lng: reports.lng,
  address: reports.address,
  description: reports.description,
  createdAt: reports.createdAt,
  updatedAt: reports.updatedAt,
  closedAt: reports.closedAt,
  hiddenAt: reports.hiddenAt,
  hiddenReason: reports.hiddenReason,
  mailStatus: reports.mailStatus,
};

export async function listReports(db: Db, q: ReportQuery) {
  const where = reportFilters(q);
  const m = q.cursor ? CURSOR.exec(q.cursor) : null;
  if (m) {
    const at = Number(m[1]);
    const id = m[2]!;
    where.push(
      q.sort === 'newest'
        ? or(lt(reports.createdAt, at), and(eq(reports.createdAt, at), lt(reports.id, id)))!
        : or(gt(reports.createdAt, at), and(eq(reports.createdAt, at), gt(reports.id, id)))!,
    );
  }
  const order =
    q.sort === 'newest' ? [desc(reports.createdAt), desc(reports.id)] : [asc(reports.createdAt), asc(reports.id)];
  const rows = await db
    .select(listColumns)
    .from(reports)
    .where(and(...where))
    .orderBy(...order)
    .limit(q.limit + 1)
    .all();
  const items = rows.slice(0, q.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > q.limit && last ? `${last.createdAt}.${last.id}` : null };
}

/**
 * How many reports each status holds under the same filters (status itself left out, so the
 * counts say where the others are); statuses with none are absent.
 */
export async function countReportsByStatus(
  db: Db,
  q: Omit<ReportQuery, 'sort' | 'limit' | 'cursor' | 'status'>,
): Promise<Partial<Record<ReportStatus, number>>> {
  const rows = await db
    .select({ status: reports.status, n: sql<number>`count(*)` })
    .from(reports)
    .where(and(...reportFilters(q)))
    .groupBy(reports.status)
    .all();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** For exports: the same filters, newest first, capped. */
export async function exportReports(db: Db, q: Omit<ReportQuery, 'sort' | 'limit' | 'cursor'>, cap: number) {
  return db
    .select(listColumns)
    .from(reports)
    .where(and(...reportFilters(q)))
    .orderBy(desc(reports.createdAt), desc(reports.id))
    .limit(cap)
    .all();
}

/** The id of the report with this receipt number, or null. */
export async function reportIdByNumber(db: Db, number: string): Promise<string | null> {
  const row = await db.select({ id: reports.id }).from(reports).where(eq(reports.number, number)).get();
  return row?.id ?? null;
}
