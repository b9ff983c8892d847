import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { reportPhotos, reports, users } from '../db/schema';
import { eraseResident } from '../residents/erase';
import { purgeOldAbsences } from '../schools/retention';
import { cutoff } from './rules';

/**
 * What the hourly clean-up removes, one kind at a time. Each kind removes at most `limit`
 * records per run and returns how many it removed; it is idempotent (what is gone is not
 * found again), so a backlog drains over several runs and a rerun does nothing twice.
 */

export interface RetentionDeps {
  db: Db;
  env: Env;
}

export type RetentionKind = (d: RetentionDeps, now: number, cfg: Config['retention'], limit: number) => Promise<number>;

/** Residents blocked for ANONYMISE_AFTER_UNFOLLOW_DAYS without a re-follow: the same erasure as データの削除. */
const unfollowedResidents: RetentionKind = async ({ db, env }, now, cfg, limit) => {
  const rows = await db
    .select({ id: users.lineUserId })
    .from(users)
    .where(and(eq(users.status, 'blocked'), lte(users.blockedAt, cutoff(now, cfg.anonymiseAfterUnfollowDays))))
    .orderBy(asc(users.blockedAt))
    .limit(limit)
    .all();
  for (const r of rows) await eraseResident(env, db, r.id, 'unfollow', now);
  return rows.length;
};

/** Photos of reports closed REPORT_PHOTO_RETENTION_DAYS ago: R2 first, then the rows. */
const reportPhotosOfClosed: RetentionKind = async ({ db, env }, now, cfg, limit) => {
  const rows = await db
    .select({ id: reportPhotos.id, key: reportPhotos.r2Key })
    .from(reportPhotos)
    .innerJoin(reports, eq(reports.id, reportPhotos.reportId))
    .where(and(isNotNull(reports.closedAt), lte(reports.closedAt, cutoff(now, cfg.reportPhotoDays))))
    .limit(limit)
    .all();
  if (rows.length === 0) return 0;
  await env.PHOTOS.delete(rows.map((r) => r.key));
  await db.delete(reportPhotos).where(
    inArray(
      reportPhotos.id,
      rows.map((r) => r.id),
    ),
  );
  return rows.length;
};

/** The resident's own words on a report closed as long ago: blanked; number, place and history stay. */
const reportDescriptionsOfClosed: RetentionKind = async ({ env }, now, cfg, limit) => {
  const res = await env.DB.prepare(
    `UPDATE reports SET description = '' WHERE id IN (
       SELECT id FROM reports WHERE closed_at IS NOT NULL AND closed_at <= ? AND description != '' LIMIT ?)`,
  )
    .bind(cutoff(now, cfg.reportPhotoDays), limit)
    .run();
  return res.meta.changes ?? 0;
};

/** Audit rows older than AUDIT_RETENTION_DAYS (kept at least that long; nothing else deletes them). */
const auditLogExpired: RetentionKind = async ({ env }, now, cfg, limit) => {
  const res = await env.DB.prepare(
    `DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY at LIMIT ?)`,
  )
    .bind(cutoff(now, cfg.auditDays), limit)
    .run();
  return res.meta.changes ?? 0;
};

/**
 * Delivery records keep LINE user IDs and the text sent; once finished and
 * DELIVERY_RETENTION_DAYS old (LINE's retry keys last 24 h), they have no use left.
 */
const finishedPushes =
  (table: 'report_notifications' | 'school_pushes'): RetentionKind =>
  async ({ env }, now, cfg, limit) => {
    const res = await env.DB.prepare(
      `DELETE FROM ${table} WHERE id IN (
         SELECT id FROM ${table} WHERE status IN ('sent', 'failed') AND created_at <= ? LIMIT ?)`,
    )
      .bind(cutoff(now, cfg.deliveryDays), limit)
      .run();
    return res.meta.changes ?? 0;
  };

/** A finished broadcast batch keeps its count and outcome but forgets whom it went to. */
const broadcastRecipients: RetentionKind = async ({ env }, now, cfg, limit) => {
  const res = await env.DB.prepare(
    `UPDATE broadcast_batches SET recipients = '[]' WHERE id IN (
       SELECT id FROM broadcast_batches WHERE status != 'pending' AND updated_at <= ? AND recipients != '[]' LIMIT ?)`,
  )
    .bind(cutoff(now, cfg.deliveryDays), limit)
    .run();
  return res.meta.changes ?? 0;
};

/** Absence notices ABSENCE_RETENTION_DAYS after their (last) day, with the confirmation pushes that quoted them. */
const absenceNotices: RetentionKind = ({ db }, now, cfg, limit) => purgeOldAbsences(db, now, cfg.absenceDays, limit);

/** In the order they run; the names are the keys of `retention_runs.removed`. */
export const RETENTION_KINDS: { name: string; run: RetentionKind }[] = [
  { name: 'unfollowed_residents', run: unfollowedResidents },
  { name: 'report_photos', run: reportPhotosOfClosed },
  { name: 'report_descriptions', run: reportDescriptionsOfClosed },
  { name: 'report_notifications', run: finishedPushes('report_notifications') },
  { name: 'school_pushes', run: finishedPushes('school_pushes') },
  { name: 'broadcast_recipients', run: broadcastRecipients },
  { name: 'absence_notices', run: absenceNotices },
  { name: 'audit_log', run: auditLogExpired },
];
