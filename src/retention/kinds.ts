import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { reportPhotos, reports, users } from '../db/schema';
import { eraseResident } from '../residents/erase';
import { purgeOldAbsences } from '../schools/retention';
import { cutoff, sweepSlice } from './rules';

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
  let erased = 0;
  // One whose conversation is busy (a re-follow on its way) is left for the next run.
  for (const r of rows) if (await eraseResident(env, db, r.id, 'unfollow', now)) erased++;
  return erased;
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

/** Objects asked at once: enough to keep a run short, few enough not to crowd one tick. */
const PRUNE_CONCURRENCY = 20;

/**
 * Conversation inbox rows (event keys; a failed event's words) finished 7 days ago. Each
 * object prunes itself at its resident's next event, so this is for those who send nothing
 * more, who have left among them. D1 does not know which objects hold such rows, so the runs
 * sweep all residents, a slice of at most `limit` an hour (`sweepSlice`). Counts the rows removed.
 */
const conversationInbox: RetentionKind = async ({ env }, now, _cfg, limit) => {
  const top = await env.DB.prepare('SELECT max(rowid) AS n FROM users').first<{ n: number | null }>();
  const slice = sweepSlice(top?.n ?? 0, limit, now);
  if (!slice) return 0;
  const { results } = await env.DB.prepare('SELECT line_user_id AS id FROM users WHERE rowid > ? AND rowid <= ?')
    .bind(slice.after, slice.upTo)
    .all<{ id: string }>();
  let removed = 0;
  for (let i = 0; i < results.length; i += PRUNE_CONCURRENCY) {
    const asked = results
      .slice(i, i + PRUNE_CONCURRENCY)
      .map((r) => env.CONVERSATION.get(env.CONVERSATION.idFromName(r.id)).pruneInbox(now));
    for (const n of await Promise.all(asked)) removed += n;
  }
  return removed;
};

/** In the order they run; the names are the keys of `retention_runs.removed`. */
export const RETENTION_KINDS: { name: string; run: RetentionKind }[] = [
  { name: 'unfollowed_residents', run: unfollowedResidents },
  { name: 'report_photos', run: reportPhotosOfClosed },
  { name: 'report_descriptions', run: reportDescriptionsOfClosed },
  { name: 'report_notifications', run: finishedPushes('report_notifications') },
  { name: 'school_pushes', run: finishedPushes('school_pushes') },
  { name: 'broadcast_recipients', run: broadcastRecipients },
  { name: 'absence_notices', run: absenceNotices },
  { name: 'conversation_inbox', run: conversationInbox },
  { name: 'audit_log', run: auditLogExpired },
];
