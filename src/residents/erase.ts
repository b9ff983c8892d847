import { and, eq, isNull } from 'drizzle-orm';
import { auditRecord } from '../admin/audit';
import { recentTimes } from '../calendar/window-limit';
import type { ConversationState } from '../conversation/types';
import type { Db } from '../db/client';
import { reportPhotos } from '../db/schema';
import { handleOf, newHandle } from './handles';

/**
 * Deleting a resident's data (データの削除, or ANONYMISE_AFTER_UNFOLLOW_DAYS after an unfollow).
 * What is theirs alone goes: preferences, consent history, memberships, guardian links,
 * acknowledgements, pending pushes, unsent draft photos (R2 too). What the city needs for its
 * work stays, linked to no one: their reports (the reporter becomes `''`, so the detail shows
 * none and a later status change pushes to nobody) and absence notices (the guardian link
 * is cleared; the school's retention deletes them). A restriction still in force stays: a
 * moderation decision is not undone by deleting one's data. Idempotent: a second run finds nothing.
 * The conversation (ConversationDO) keeps only `stateAfterErasure`: in the chat the handler
 * returns it as the next state; after an unfollow the object is told to `forget` first.
 */

export type EraseMode = 'request' | 'unfollow';

/** Counts per kind of record: what the audit row and the retention run record, never contents. */
export type EraseCounts = Record<string, number>;

/** The audit actor for what a resident asked for in the chat, and for what the clean-up did. */
export const RESIDENT_ACTOR = { id: 'resident' } as const;
export const SYSTEM_ACTOR = { id: 'system' } as const;

/** Every guess limit on codes (staff link, pupil registration, association invite) counts the last hour's tries. */
const GUESS_WINDOW_MS = 60 * 60 * 1000;
const GUESS_LIMITS = ['wrongLinkCodesAt', 'wrongPupilCodesAt', 'wrongInviteCodesAt'] as const;

/**
 * What of a resident's conversation survives the erasure of their data: the guess limits on
 * codes that still count, so deleting one's data cannot be used to reset them. Drafts, the
 * flow and the policy-answer throttle go. After a long absence nothing is left.
 */
export function stateAfterErasure(state: ConversationState, now: number): ConversationState {
  const kept: ConversationState = {};
  for (const key of GUESS_LIMITS) {
    const recent = recentTimes(state[key] ?? [], now, GUESS_WINDOW_MS);
    if (recent.length) kept[key] = recent;
  }
  return kept;
}

/**
 * Returns the counts, or null when an unfollowed resident's conversation still has events in
 * flight (most likely a re-follow on its way to D1): nothing is erased, and the next run looks again.
 */
export async function eraseResident(
  env: Env,
  d: Db,
  lineUserId: string,
  mode: EraseMode,
  now: number,
): Promise<EraseCounts | null> {
  // In the chat the handler is inside the resident's own object and clears the state itself;
  // the clean-up asks the object first, and erases nothing while it is busy.
  let conversationRows = 0;
  if (mode === 'unfollow') {
    const forgot = await env.CONVERSATION.get(env.CONVERSATION.idFromName(lineUserId)).forget(now);
    if (!forgot.forgotten) return null;
    conversationRows = forgot.inboxRows;
  }
  const handle = await handleOf(d, lineUserId);
  const actor = mode === 'request' ? RESIDENT_ACTOR : SYSTEM_ACTOR;
  if (mode === 'request')
    await auditRecord(d, actor, 'resident.erase.request', 'resident', handle, { resident: handle });

  // R2 before the rows, as the draft-photo clean-up does: no object is ever left without a row.
  const drafts = await d
    .select({ key: reportPhotos.r2Key })
    .from(reportPhotos)
    .where(and(eq(reportPhotos.uploaderLineUserId, lineUserId), isNull(reportPhotos.reportId)))
    .all();
  if (drafts.length) await env.PHOTOS.delete(drafts.map((p) => p.key));

  const u = lineUserId;
  const STATEMENTS: [kind: string, sql: string, binds: unknown[]][] = [
    ['consents', 'DELETE FROM consents WHERE line_user_id = ?', [u]],
    ['consent_withdrawals', 'DELETE FROM consent_withdrawals WHERE line_user_id = ?', [u]],
    ['community_members', 'DELETE FROM community_members WHERE line_user_id = ?', [u]],
    ['guardian_links', 'DELETE FROM guardian_links WHERE line_user_id = ?', [u]],
    ['absence_notices', 'UPDATE absence_notices SET guardian_line_user_id = NULL WHERE guardian_line_user_id = ?', [u]],
    ['broadcast_acks', 'DELETE FROM broadcast_acks WHERE line_user_id = ?', [u]],
    ['report_supporters', 'DELETE FROM report_supporters WHERE line_user_id = ?', [u]],
    ['report_notifications', 'DELETE FROM report_notifications WHERE line_user_id = ?', [u]],
    ['school_pushes', 'DELETE FROM school_pushes WHERE line_user_id = ?', [u]],
    ['reports', `UPDATE reports SET reporter_line_user_id = '' WHERE reporter_line_user_id = ?`, [u]],
    [
      'report_photos',
      `UPDATE report_photos SET uploader_line_user_id = '' WHERE uploader_line_user_id = ? AND report_id IS NOT NULL`,
      [u],
    ],
    ['draft_photos', 'DELETE FROM report_photos WHERE uploader_line_user_id = ? AND report_id IS NULL', [u]],
    [
      'resident_restrictions',
      'DELETE FROM resident_restrictions WHERE line_user_id = ? AND (lifted_at IS NOT NULL OR (until IS NOT NULL AND until <= ?))',
      [u, now],
    ],
    mode === 'request'
      ? // They are still a friend of the account: the row keeps them reachable, and nothing else.
        // A new handle, so the old one resolves to nothing.
        [
          'users',
          `UPDATE users SET ward = NULL, interests = '[]', language = NULL, consent_version = NULL, consented_at = NULL,
             handle = ?, created_at = ?, updated_at = ? WHERE line_user_id = ?`,
          [newHandle(), now, now, u],
        ]
      : // Blocked for the whole period: nothing of them is left.
        ['users', `DELETE FROM users WHERE line_user_id = ? AND status = 'blocked'`, [u]],
  ];
  const results = await env.DB.batch(STATEMENTS.map(([, sql, binds]) => env.DB.prepare(sql).bind(...binds)));
  const counts: EraseCounts = mode === 'unfollow' ? { conversation_inbox: conversationRows } : {};
  STATEMENTS.forEach(([kind], i) => {
    counts[kind] = results[i]?.meta.changes ?? 0;
  });
  await auditRecord(d, actor, mode === 'request' ? 'resident.erase' : 'resident.anonymise', 'resident', handle, {
    resident: handle,
    ...counts,
  });
  return counts;
}
