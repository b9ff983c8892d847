import { asc, eq } from 'drizzle-orm';
import { auditRecord, audit } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import { config } from '../config';
import type { Db } from '../db/client';
import { staffLineUsers } from '../db/schema';
import { lineClients } from '../line/client';
import { asLineMessages, type BroadcastMessageInput } from './messages';
import { lineSender, sendBatches, type BatchOutcome } from './send-loop';
import { loadBroadcast } from './service';

/** A staff member registers at most a few of their own LINE accounts for test sends. */
export const MAX_STAFF_LINE_USERS = 10;

export async function listStaffLineUsers(d: Db, staffId: string): Promise<string[]> {
  const rows = await d
    .select({ id: staffLineUsers.lineUserId })
    .from(staffLineUsers)
    .where(eq(staffLineUsers.staffId, staffId))
    .orderBy(asc(staffLineUsers.lineUserId))
    .all();
  return rows.map((r) => r.id);
}

export async function setStaffLineUsers(d: Db, by: StaffPrincipal, ids: string[]): Promise<string[]> {
  const now = Date.now();
  await d.batch([
    d.delete(staffLineUsers).where(eq(staffLineUsers.staffId, by.id)),
    ...ids.map((lineUserId) => d.insert(staffLineUsers).values({ staffId: by.id, lineUserId, createdAt: now })),
    // The IDs are personal data: the log records how many, not which.
    auditRecord(d, by, 'staff.line_users.set', 'staff', by.id, { count: ids.length }),
  ]);
  return [...ids].sort();
}

/** The staff member waits for the answer: this many unanswered attempts (5xx, timeouts), then a 503. */
const TEST_SEND_MAX_ATTEMPTS = 3;

/**
 * Sends the broadcast now to the caller's own LINE accounts: a preview on a phone,
 * outside the hours rule and outside the batch records (it reaches no resident).
 * It goes through the broadcasts' send loop as a single batch, so it is retried the way
 * every batch is: 5xx and timeouts with the same key after a backoff (a lost answer is
 * not a second copy), 409 counts as sent, 429 pauses, another 4xx is not retried.
 */
export async function testSend(env: Env, d: Db, by: StaffPrincipal, id: string): Promise<{ sentTo: number }> {
  const row = await loadBroadcast(d, id);
  const to = await listStaffLineUsers(d, by.id);
  if (to.length === 0) throw problem(409, 'Register your own LINE user IDs first: PUT /api/v1/staff/me/line-users.');
  const callTimeoutMs = config(env).broadcastCallTimeoutMs;
  const outcomes: BatchOutcome[] = [];
  await sendBatches(
    lineSender(lineClients(env).api),
    [{ id, kind: 'multicast', retryKey: crypto.randomUUID(), recipients: to, attempts: 0 }],
    {
      messages: asLineMessages(row.messages as BroadcastMessageInput[]),
      record: async (_batch, outcome) => {
        outcomes.push(outcome);
      },
      shouldStop: () => false,
      // 429 pauses use up no attempts, so time bounds them: no longer than the unanswered attempts would take.
      deadline: Date.now() + TEST_SEND_MAX_ATTEMPTS * callTimeoutMs,
      maxCalls: Number.POSITIVE_INFINITY,
      maxAttempts: TEST_SEND_MAX_ATTEMPTS,
      callTimeoutMs,
    },
  );
  const last = outcomes.at(-1);
  if (last?.status === 'failed') throw problem(422, `LINE refused the message: ${last.error}`);
  if (last?.status !== 'delivered') {
    throw problem(503, `LINE did not accept the test send (${last?.error ?? 'not tried'}); try again.`);
  }
  await audit(d, by, 'broadcast.test_send', 'broadcast', id, { recipients: to.length });
  return { sentTo: to.length };
}
