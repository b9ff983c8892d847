import { and, desc, eq, gte, ne } from 'drizzle-orm';
import { DAY_MS } from '../calendar/jst';
import type { Db } from '../db/client';
import { absenceNotices, pupils } from '../db/schema';
import { guardianMarker } from './link';
import { HISTORY_DAYS, withdrawable } from './rules';

/** 連絡履歴: the guardian's own notices, and withdrawing one. Notices are never edited. */

export type HistoryItem = Awaited<ReturnType<typeof recentNotices>>[number];

/** The guardian's notices sent in the last 30 days, newest first (at most 20, the chat shows no more). */
export async function recentNotices(d: Db, lineUserId: string, now: number) {
  return d
    .select({
      id: absenceNotices.id,
      number: absenceNotices.number,
      pupilName: pupils.name,
      date: absenceNotices.date,
      dateTo: absenceNotices.dateTo,
      type: absenceNotices.type,
      reason: absenceNotices.reason,
      status: absenceNotices.status,
      submittedAt: absenceNotices.submittedAt,
    })
    .from(absenceNotices)
    .innerJoin(pupils, eq(pupils.id, absenceNotices.pupilId))
    .where(
      and(
        eq(absenceNotices.guardianLineUserId, lineUserId),
        gte(absenceNotices.submittedAt, now - HISTORY_DAYS * DAY_MS),
      ),
    )
    .orderBy(desc(absenceNotices.submittedAt))
    .limit(20)
    .all();
}

/** One of the guardian's own notices (another guardian's id finds nothing). */
export async function ownNotice(d: Db, lineUserId: string, id: string) {
  return d
    .select({
      id: absenceNotices.id,
      number: absenceNotices.number,
      pupilId: absenceNotices.pupilId,
      pupilName: pupils.name,
      date: absenceNotices.date,
      dateTo: absenceNotices.dateTo,
      type: absenceNotices.type,
      status: absenceNotices.status,
    })
    .from(absenceNotices)
    .innerJoin(pupils, eq(pupils.id, absenceNotices.pupilId))
    .where(and(eq(absenceNotices.id, id), eq(absenceNotices.guardianLineUserId, lineUserId)))
    .get();
}

export type WithdrawResult = 'withdrawn' | 'already' | 'too_late' | 'not_found';

/**
 * Withdraws the guardian's notice while its (last) day has not passed. Recorded with the
 * time and which of the pupil's guardians did it (`guardian:1`), never their LINE ID.
 */
export async function withdrawNotice(d: Db, lineUserId: string, id: string, now: number): Promise<WithdrawResult> {
  const n = await ownNotice(d, lineUserId, id);
  if (!n) return 'not_found';
  if (n.status === 'withdrawn') return 'already';
  if (!withdrawable(n, now)) return 'too_late';
  const by = await guardianMarker(d, n.pupilId, lineUserId);
  await d
    .update(absenceNotices)
    .set({ status: 'withdrawn', withdrawnAt: now, withdrawnBy: by })
    .where(and(eq(absenceNotices.id, id), ne(absenceNotices.status, 'withdrawn')));
  return 'withdrawn';
}
