import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { absenceNotices, schoolPushes, schools } from '../db/schema';
import { retentionKeepFrom } from './staff-rules';

/**
 * Personal data (§5): an absence notice is deleted `retentionDays` after its (last) day, with
 * the confirmation push that quoted it. At most `limit` notices a call, so one cron tick stays
 * short; the cron logs the count only. Returns how many notices were deleted.
 */
export async function purgeOldAbsences(d: Db, now: number, retentionDays: number, limit: number): Promise<number> {
  const keepFrom = retentionKeepFrom(now, retentionDays);
  // `school_id IN (…)` lets SQLite walk the (school_id, date) index school by school; a last day
  // before keepFrom implies a first day before it, which is what the index can range over.
  const old = await d
    .select({ id: absenceNotices.id })
    .from(absenceNotices)
    .where(
      and(
        inArray(absenceNotices.schoolId, d.select({ id: schools.id }).from(schools)),
        lt(absenceNotices.date, keepFrom),
        sql`coalesce(${absenceNotices.dateTo}, ${absenceNotices.date}) < ${keepFrom}`,
      ),
    )
    .limit(limit)
    .all();
  const ids = old.map((r) => r.id);
  const stmts = [];
  for (let i = 0; i < ids.length; i += 90) {
    const part = ids.slice(i, i + 90);
    stmts.push(d.delete(absenceNotices).where(inArray(absenceNotices.id, part)));
    stmts.push(
      d.delete(schoolPushes).where(and(eq(schoolPushes.kind, 'confirmed'), inArray(schoolPushes.refId, part))),
    );
  }
  if (stmts.length) await d.batch(stmts as unknown as Parameters<Db['batch']>[0]);
  return ids.length;
}
