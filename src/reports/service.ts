import { and, count, eq, gte, inArray, isNull, lte, ne } from 'drizzle-orm';
import type { Db } from '../db/client';
import { reportPhotos, reports, reportSupporters, type ReportStatus } from '../db/schema';
import { jstDayStart, jstYear } from '../calendar/jst';
import { stripMetadata } from './image';
import { boxAround, DUPLICATE_RADIUS_M, DUPLICATE_WINDOW_MS, nearestDuplicate, OPEN_STATUSES } from './rules';

/**
 * Service functions the resident's conversation needs. Staff-side functions live in staff.ts,
 * categories and departments in catalog.ts.
 */

/** Reports this resident sent since the start of today (JST). Counted from rows, never a counter. */
export async function sentToday(db: Db, lineUserId: string, now: number): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(reports)
    .where(and(eq(reports.reporterLineUserId, lineUserId), gte(reports.createdAt, jstDayStart(now))))
    .get();
  return row?.n ?? 0;
}

/**
 * The nearest open, visible report of the same category within 30 m and 30 days, not
 * counting `exceptReporter`'s own (they already hear about those; their own must not hide
 * someone else's a few metres further).
 */
export async function findDuplicate(
  db: Db,
  at: { categoryCode: string; lat: number; lng: number },
  now: number,
  exceptReporter?: string,
) {
  const box = boxAround(at.lat, at.lng, DUPLICATE_RADIUS_M);
  const rows = await db
    .select({
      id: reports.id,
      number: reports.number,
      categoryCode: reports.categoryCode,
      subtypeCode: reports.subtypeCode,
      status: reports.status,
      lat: reports.lat,
      lng: reports.lng,
      createdAt: reports.createdAt,
      hiddenAt: reports.hiddenAt,
    })
    .from(reports)
    .where(
      and(
        eq(reports.categoryCode, at.categoryCode),
        gte(reports.createdAt, now - DUPLICATE_WINDOW_MS),
        inArray(reports.status, [...OPEN_STATUSES]),
        isNull(reports.hiddenAt),
        exceptReporter ? ne(reports.reporterLineUserId, exceptReporter) : undefined,
        ...inBox(box),
      ),
    )
    .limit(50)
    .all();
  return nearestDuplicate(
    rows.map((r) => ({ ...r, hidden: r.hiddenAt !== null })),
    at,
    now,
  );
}

/** Reports whose point lies in a box from `boxAround`: an index range before the exact distance. */
export function inBox(box: ReturnType<typeof boxAround>) {
  return [
    gte(reports.lat, box.minLat),
    lte(reports.lat, box.maxLat),
    gte(reports.lng, box.minLng),
    lte(reports.lng, box.maxLng),
  ];
}

export async function getReport(db: Db, id: string) {
  return db.select().from(reports).where(eq(reports.id, id)).get();
}

/** Adds a resident to someone else's report; idempotent. Returns false when they are its reporter. */
export async function addSupporter(db: Db, reportId: string, lineUserId: string, now: number): Promise<boolean> {
  const report = await getReport(db, reportId);
  if (!report || report.reporterLineUserId === lineUserId) return false;
  await db.insert(reportSupporters).values({ reportId, lineUserId, createdAt: now }).onConflictDoNothing();
  return true;
}

/* ───────── photos ───────── */

/** R2 keys are ours, never derived from anything the resident or LINE chose. */
export function photoKey(photoId: string): string {
  return `report-photos/${photoId}`;
}

/**
 * Stores a photo that arrived during a draft. The bytes are sniffed and stripped of their
 * metadata here, the only way into R2, so nothing unstripped can ever be stored (throws
 * ImageFormatError for anything but JPEG/PNG). The row first, then R2: every object in R2
 * has a row, so the clean-up of unclaimed photos finds it even when the put or the event
 * failed half-way (a row without bytes is never claimed: the draft only learns the id
 * once both are written). The row has no report yet; `submitReport` attaches it.
 */
export async function storeDraftPhoto(
  env: Env,
  db: Db,
  lineUserId: string,
  raw: Uint8Array,
  sortOrder: number,
  now: number,
) {
  const { type: contentType, bytes } = stripMetadata(raw);
  const id = crypto.randomUUID();
  const key = photoKey(id);
  await db.insert(reportPhotos).values({
    id,
    reportId: null,
    uploaderLineUserId: lineUserId,
    r2Key: key,
    contentType,
    bytes: bytes.byteLength,
    sortOrder,
    createdAt: now,
  });
  await env.PHOTOS.put(key, bytes, { httpMetadata: { contentType } });
  return id;
}

/** Drops photos of a draft that will not be sent (cancelled, re-taken). Only unclaimed photos of this resident. */
export async function discardDraftPhotos(env: Env, db: Db, lineUserId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await db
    .select({ id: reportPhotos.id, key: reportPhotos.r2Key })
    .from(reportPhotos)
    .where(
      and(
        inArray(reportPhotos.id, ids),
        isNull(reportPhotos.reportId),
        eq(reportPhotos.uploaderLineUserId, lineUserId),
      ),
    )
    .all();
  await deletePhotos(env, db, rows);
}

/** Drafts that expired (30 minutes) or were abandoned leave photos behind; a day later they go. */
export const UNCLAIMED_PHOTO_TTL_MS = 24 * 60 * 60 * 1000;

export async function cleanUnclaimedPhotos(env: Env, db: Db, now: number): Promise<number> {
  const rows = await db
    .select({ id: reportPhotos.id, key: reportPhotos.r2Key })
    .from(reportPhotos)
    .where(and(isNull(reportPhotos.reportId), lte(reportPhotos.createdAt, now - UNCLAIMED_PHOTO_TTL_MS)))
    .limit(100)
    .all();
  await deletePhotos(env, db, rows);
  return rows.length;
}

/**
 * R2 first, then the rows: the reverse of `storeDraftPhoto`, so no object is ever left
 * without a row. A failure in between leaves rows whose bytes are gone; they are still
 * unclaimed, so the next clean-up finds them and deletes them (R2 ignores missing keys).
 */
async function deletePhotos(env: Env, db: Db, rows: { id: string; key: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await env.PHOTOS.delete(rows.map((r) => r.key));
  await db.delete(reportPhotos).where(
    inArray(
      reportPhotos.id,
      rows.map((r) => r.id),
    ),
  );
}

/* ───────── submission ───────── */

export interface NewReport {
  /** Chosen when the draft starts, so a retried event submits the same report, not a second one. */
  id: string;
  categoryCode: string;
  subtypeCode: string;
  departmentId: string | null;
  lat: number;
  lng: number;
  address: string | null;
  description: string;
  reporterLineUserId: string;
  photoIds: string[];
}

/**
 * Stores a report with its readable number, photos and first history row in one D1 batch
 * (one transaction). The number comes from the year's counter bumped in the same batch,
 * so two residents sending at once get consecutive numbers and a failure leaves no gap.
 * Every statement is guarded by "this report does not exist yet", so running it twice
 * (a retried event) changes nothing the second time.
 */
export async function submitReport(env: Env, r: NewReport, now: number): Promise<{ id: string; number: string }> {
  const year = jstYear(now);
  const notYet = `NOT EXISTS (SELECT 1 FROM reports WHERE id = ?)`;
  const d1 = env.DB;
  const stmts = [
    d1.prepare(`INSERT INTO report_counters (year, last) VALUES (?, 0) ON CONFLICT(year) DO NOTHING`).bind(year),
    d1.prepare(`UPDATE report_counters SET last = last + 1 WHERE year = ? AND ${notYet}`).bind(year, r.id),
    d1
      .prepare(
        `INSERT INTO report_status_history (report_id, at, actor, from_status, to_status, department_id)
       SELECT ?, ?, 'resident', NULL, 'received', ? WHERE ${notYet}`,
      )
      .bind(r.id, now, r.departmentId, r.id),
    d1
      .prepare(
        `INSERT INTO reports (id, number, category_code, subtype_code, department_id, status, lat, lng, address, description,
         reporter_line_user_id, created_at, updated_at, mail_status, mail_attempts, mail_next_at)
       SELECT ?, 'R-' || year || '-' || printf('%06d', last), ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?
       FROM report_counters WHERE year = ? AND ${notYet}`,
      )
      .bind(
        r.id,
        r.categoryCode,
        r.subtypeCode,
        r.departmentId,
        r.lat,
        r.lng,
        r.address,
        r.description,
        r.reporterLineUserId,
        now,
        now,
        now,
        year,
        r.id,
      ),
  ];
  r.photoIds.forEach((photoId, i) => {
    stmts.push(
      d1
        .prepare(
          `UPDATE report_photos SET report_id = ?, sort_order = ? WHERE id = ? AND report_id IS NULL AND uploader_line_user_id = ?`,
        )
        .bind(r.id, i, photoId, r.reporterLineUserId),
    );
  });
  await d1.batch(stmts);
  const row = await d1.prepare(`SELECT number FROM reports WHERE id = ?`).bind(r.id).first<{ number: string }>();
  if (!row) throw new Error(`report ${r.id} was not stored`);
  return { id: r.id, number: row.number };
}

export type { ReportStatus };
