import { and, eq, lt, sql } from 'drizzle-orm';
import { audit } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import { config } from '../config';
import type { Db } from '../db/client';
import { broadcastTestSends } from '../db/schema';
import { lineClients } from '../line/client';
import { windowLimit } from '../calendar/window-limit';
import { linkedLineAccounts } from '../staff-link/service';
import type { Audience } from './audience';
import { composeMessages, speakerOf } from './compose';
import { asLineMessages, type BroadcastMessageInput } from './messages';
import { ensureMay } from './senders';
import { lineSender, sendBatches, type BatchOutcome } from './send-loop';
import { loadBroadcast } from './service';

/** A test send skips approval and the hours rule, so how often one may be sent is bounded instead. */
export const MAX_TEST_SENDS_PER_HOUR = 10;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Takes one of the caller's test sends of the hour, or answers how many seconds until one
 * is free. The count and the insert are one statement, so parallel requests cannot
 * together go past the limit.
 */
async function takeTestSend(d: Db, by: StaffPrincipal, id: string, now: number): Promise<number | null> {
  const since = now - HOUR_MS;
  const taken = await d
    .insert(broadcastTestSends)
    .select(
      sql`SELECT NULL, ${by.id}, ${id}, ${now} WHERE (SELECT count(*) FROM ${broadcastTestSends}
          WHERE staff_id = ${by.id} AND at > ${since}) < ${MAX_TEST_SENDS_PER_HOUR}`,
    )
    .run();
  if (taken.meta.changes > 0) {
    await d
      .delete(broadcastTestSends)
      .where(and(eq(broadcastTestSends.staffId, by.id), lt(broadcastTestSends.at, since)));
    return null;
  }
  const recent = await d
    .select({ at: broadcastTestSends.at })
    .from(broadcastTestSends)
    .where(eq(broadcastTestSends.staffId, by.id))
    .all();
  const { retryAfterMs } = windowLimit(
    recent.map((r) => r.at),
    now,
    MAX_TEST_SENDS_PER_HOUR,
    HOUR_MS,
  );
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/** The staff member waits for the answer: this many unanswered attempts (5xx, timeouts), then a 503. */
const TEST_SEND_MAX_ATTEMPTS = 3;

/**
 * Sends the broadcast now to the caller's own linked LINE accounts (proven theirs with a
 * link code, src/staff-link/): a preview on a phone, outside approval, the hours rule and
 * the batch records, so it must reach no resident, and at most 10 times an hour.
 * It goes through the broadcasts' send loop as a single batch, so it is retried the way
 * every batch is: 5xx and timeouts with the same key after a backoff (a lost answer is
 * not a second copy), 409 counts as sent, 429 pauses, another 4xx is not retried.
 */
export async function testSend(
  env: Env,
  d: Db,
  by: StaffPrincipal,
  id: string,
  now = Date.now(),
): Promise<{ sentTo: number } | { retryAfterSeconds: number }> {
  const row = await loadBroadcast(d, id);
  await ensureMay(d, by, row, 'test');
  const accounts = await linkedLineAccounts(d, by.id);
  if (accounts.length === 0) {
    throw problem(
      409,
      'Link your own LINE account first: POST /api/v1/staff/me/link-code, then send 「職員 <code>」 to the bot from that LINE account.',
    );
  }
  const retryAfterSeconds = await takeTestSend(d, by, id, now);
  if (retryAfterSeconds !== null) return { retryAfterSeconds };
  const to = accounts.map((a) => a.lineUserId);
  const callTimeoutMs = config(env).broadcastCallTimeoutMs;
  const outcomes: BatchOutcome[] = [];
  await sendBatches(
    lineSender(lineClients(env).api),
    [{ id, kind: 'multicast', retryKey: crypto.randomUUID(), recipients: to, attempts: 0 }],
    {
      // Framed as residents will get it: the sender line and the 「確認しました」 button.
      messages: asLineMessages(
        composeMessages(row.messages as BroadcastMessageInput[], {
          speaker: await speakerOf(d, row.audience as Audience),
          ackFor: row.requestAck ? row.id : null,
        }),
      ),
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
  // Whom it reached, as staff and handles: the LINE user IDs stay out of the log.
  await audit(d, by, 'broadcast.test_send', 'broadcast', id, {
    recipients: to.length,
    staff: [by.id],
    handles: accounts.map((a) => a.handle),
  });
  return { sentTo: to.length };
}
