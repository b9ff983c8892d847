import { and, asc, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { audit } from '../admin/audit';
import type { Db } from '../db/client';
import { broadcastBatches, broadcasts, type BatchStatus, type BroadcastStatus } from '../db/schema';
import { config } from '../config';
import { lineClients, withTimeout } from '../line/client';
import { audienceKind, type Audience } from './audience';
import { composeMessages, speakerOf } from './compose';
import { asLineMessages, type BroadcastMessageInput } from './messages';
import { resolveRecipients } from './recipients';
import {
  lineSender,
  MULTICAST_MAX_RECIPIENTS,
  sendBatches,
  type BatchOutcome,
  type SendBatch,
  type SlidingWindow,
} from './send-loop';

/** Who the audit log names for what the clock and the dispatcher do on their own. */
export const SYSTEM = { id: 'system' } as const;

/** One alarm works at most this long and this many calls, then hands over to the next alarm. */
export const SLICE_MS = 20_000;
export const SLICE_MAX_CALLS = 400;
/** How often a running slice re-reads the broadcast's status (a cancel that reached D1 but not the DO). */
const STATUS_POLL_MS = 2_000;

export interface SliceOutcome {
  /** When the dispatcher should work this broadcast again; null = nothing left to do. */
  resumeAt: number | null;
}

/**
 * Works one broadcast one slice further: resolves its recipients into batch rows the
 * first time (with their retry keys, before any call), then sends pending batches until
 * the slice ends. Safe to run again at any point: what is delivered is on its row.
 */
export async function runSlice(
  env: Env,
  d: Db,
  broadcastId: string,
  cancelRequested: () => boolean,
  limiter?: SlidingWindow,
): Promise<SliceOutcome> {
  const b = await d.select().from(broadcasts).where(eq(broadcasts.id, broadcastId)).get();
  if (!b) return { resumeAt: null };
  if (b.status === 'cancelled') {
    await cancelPendingBatches(d, broadcastId);
    return { resumeAt: null };
  }
  if (b.status !== 'sending') return { resumeAt: null };

  if (b.preparedAt === null) {
    const failure = await prepare(env, d, broadcastId, b.audience as Audience);
    if (failure) {
      await finish(d, broadcastId, 'failed', failure);
      return { resumeAt: null };
    }
  }

  const pending = await d
    .select()
    .from(broadcastBatches)
    .where(and(eq(broadcastBatches.broadcastId, broadcastId), eq(broadcastBatches.status, 'pending')))
    .orderBy(asc(broadcastBatches.seq))
    .all();
  if (pending.length === 0) {
    await finishFromBatches(d, broadcastId);
    return { resumeAt: null };
  }

  let lastPoll = Date.now();
  let cancelled = false;
  const result = await sendBatches(
    lineSender(lineClients(env).api),
    pending.map((p): SendBatch => ({
      id: p.id,
      kind: p.kind,
      retryKey: p.retryKey,
      recipients: p.recipients,
      attempts: p.attempts,
    })),
    {
      messages: asLineMessages(
        composeMessages(b.messages as BroadcastMessageInput[], {
          speaker: await speakerOf(d, b.audience as Audience),
          ackFor: b.requestAck ? b.id : null,
        }),
      ),
      record: (batch, outcome) => recordOutcome(d, batch, outcome),
      shouldStop: async () => {
        if (cancelled || cancelRequested()) {
          cancelled = true;
          return true;
        }
        if (Date.now() - lastPoll < STATUS_POLL_MS) return false;
        lastPoll = Date.now();
        const row = await d
          .select({ status: broadcasts.status })
          .from(broadcasts)
          .where(eq(broadcasts.id, broadcastId))
          .get();
        cancelled = row?.status !== 'sending';
        return cancelled;
      },
      limiter,
      deadline: Date.now() + SLICE_MS,
      maxCalls: SLICE_MAX_CALLS,
      callTimeoutMs: config(env).broadcastCallTimeoutMs,
    },
  );
  if (result.state === 'stopped') {
    // Only now, with every call of the slice answered and recorded, are the rest cancelled.
    await cancelPendingBatches(d, broadcastId);
    return { resumeAt: null };
  }
  if (result.state === 'done') {
    await finishFromBatches(d, broadcastId);
    return { resumeAt: null };
  }
  return { resumeAt: result.resumeAt };
}

/**
 * The broadcasts the dispatcher has work for, in the order it takes them: cancelled ones
 * whose unsent batches are still to be marked (no call), then urgent ones, then by release.
 */
export async function workList(d: Db, limit = 20): Promise<string[]> {
  const hasPending = sql`exists (select 1 from ${broadcastBatches} where ${broadcastBatches.broadcastId} = ${broadcasts.id} and ${broadcastBatches.status} = 'pending')`;
  const rows = await d
    .select({ id: broadcasts.id })
    .from(broadcasts)
    .where(or(eq(broadcasts.status, 'sending'), and(eq(broadcasts.status, 'cancelled'), hasPending)))
    .orderBy(
      sql`${broadcasts.status} = 'sending'`,
      desc(broadcasts.urgent),
      asc(broadcasts.releasedAt),
      asc(broadcasts.id),
    )
    .limit(limit)
    .all();
  return rows.map((r) => r.id);
}

/**
 * Resolves the audience, checks the monthly quota and writes every batch row with its
 * retry key, all in one D1 batch together with `prepared_at`: a crash before it commits
 * leaves nothing, and a second run after it sees `prepared_at` and never resolves again
 * (residents who followed or blocked meanwhile would otherwise shift the batches).
 * Returns why the broadcast cannot be sent, or null.
 */
async function prepare(env: Env, d: Db, broadcastId: string, audience: Audience): Promise<string | null> {
  const recipients = await resolveRecipients(d, audience);
  const rows: (typeof broadcastBatches.$inferInsert)[] = [];
  const now = Date.now();
  const row = (seq: number, kind: 'multicast' | 'broadcast', ids: string[], n: number) => ({
    id: crypto.randomUUID(),
    broadcastId,
    seq,
    kind,
    retryKey: crypto.randomUUID(),
    recipients: ids,
    recipientCount: n,
    status: 'pending' as const,
    updatedAt: now,
  });
  if (recipients.mode === 'broadcast') {
    rows.push(row(0, 'broadcast', [], recipients.estimate));
  } else {
    // A school's class or an association with nobody (yet) on LINE is an ordinary case: sent, to 0.
    if (recipients.userIds.length === 0 && audienceKind(audience) === 'city')
      return 'No following resident matches the audience; nothing was sent.';
    for (let i = 0; i * MULTICAST_MAX_RECIPIENTS < recipients.userIds.length; i++) {
      const ids = recipients.userIds.slice(i * MULTICAST_MAX_RECIPIENTS, (i + 1) * MULTICAST_MAX_RECIPIENTS);
      rows.push(row(i, 'multicast', ids, ids.length));
    }
  }
  const needed = rows.reduce((n, r) => n + r.recipientCount, 0);
  const quota = needed === 0 ? null : await quotaLeft(env);
  if (quota !== null && needed > quota) {
    return `The monthly message quota does not cover this send: ${needed} messages needed, ${quota} left this month.`;
  }
  await d.batch([
    d
      .update(broadcasts)
      .set({ preparedAt: now })
      .where(and(eq(broadcasts.id, broadcastId), isNull(broadcasts.preparedAt))),
    // One row per statement: D1 binds at most 100 parameters per statement.
    ...rows.map((r) => d.insert(broadcastBatches).values(r)),
  ]);
  return null;
}

/** Messages left in this month's quota, or null when the plan has no limit. */
export async function quotaLeft(env: Env): Promise<number | null> {
  const { api } = lineClients(env);
  const timeout = config(env).broadcastCallTimeoutMs;
  const quota = await withTimeout(api.getMessageQuota(), timeout);
  if (quota.type !== 'limited') return null;
  const used = await withTimeout(api.getMessageQuotaConsumption(), timeout);
  return Math.max(0, (quota.value ?? 0) - used.totalUsage);
}

async function recordOutcome(d: Db, batch: SendBatch, outcome: BatchOutcome): Promise<void> {
  const now = Date.now();
  const set =
    outcome.status === 'delivered'
      ? { status: 'delivered' as const, attempts: outcome.attempts, lineRequestId: outcome.requestId, updatedAt: now }
      : outcome.status === 'failed' || outcome.status === 'unanswered'
        ? { status: outcome.status, attempts: outcome.attempts, lastError: outcome.error, updatedAt: now }
        : { attempts: outcome.attempts, lastError: outcome.error, updatedAt: now };
  await d
    .update(broadcastBatches)
    .set(set)
    .where(and(eq(broadcastBatches.id, batch.id), eq(broadcastBatches.status, 'pending')));
}

async function cancelPendingBatches(d: Db, broadcastId: string): Promise<void> {
  await d
    .update(broadcastBatches)
    .set({ status: 'cancelled', updatedAt: Date.now() })
    .where(and(eq(broadcastBatches.broadcastId, broadcastId), eq(broadcastBatches.status, 'pending')));
}

export interface Progress {
  batches: number;
  recipients: number;
  delivered: number;
  failed: number;
  cancelled: number;
  /** Given up or cancelled after attempts whose answers were lost (5xx, timeout): LINE may have delivered them. */
  unknown: number;
  pending: number;
}

/**
 * A batch's outcome as staff see it. A cancelled batch that was tried has had only
 * unanswered attempts (429s do not count, other answers settle the batch), so LINE may
 * have accepted it: it is unknown, not cancelled. Nothing is sent to find out.
 */
export const batchOutcome = sql<
  Exclude<keyof Progress & BatchStatus, 'unanswered'> | 'unknown'
>`case when ${broadcastBatches.status} = 'unanswered' or (${broadcastBatches.status} = 'cancelled' and ${broadcastBatches.attempts} > 0) then 'unknown' else ${broadcastBatches.status} end`;

/** Progress of a broadcast, summed from its batch rows (the only record of what happened). */
export async function progress(d: Db, broadcastId: string): Promise<Progress> {
  const rows = await d
    .select({
      outcome: batchOutcome,
      batches: sql<number>`count(*)`,
      recipients: sql<number>`coalesce(sum(${broadcastBatches.recipientCount}), 0)`,
    })
    .from(broadcastBatches)
    .where(eq(broadcastBatches.broadcastId, broadcastId))
    .groupBy(batchOutcome)
    .all();
  const p: Progress = { batches: 0, recipients: 0, delivered: 0, failed: 0, cancelled: 0, unknown: 0, pending: 0 };
  for (const r of rows) {
    p.batches += r.batches;
    p.recipients += r.recipients;
    p[r.outcome] += r.recipients;
  }
  return p;
}

async function finishFromBatches(d: Db, broadcastId: string): Promise<void> {
  const p = await progress(d, broadcastId);
  if (p.pending > 0) return;
  // An unknown batch is not known to be sent: the broadcast is not `sent`, and staff see how many are unknown.
  const status: BroadcastStatus = p.failed + p.unknown === 0 ? 'sent' : p.delivered > 0 ? 'partially_failed' : 'failed';
  await finish(d, broadcastId, status, null);
}

/** Ends a send; a broadcast cancelled meanwhile stays cancelled, and only an end that happened is audited. */
async function finish(d: Db, broadcastId: string, status: BroadcastStatus, reason: string | null): Promise<void> {
  const changed = await d
    .update(broadcasts)
    .set({ status, finishedAt: Date.now(), failureReason: reason })
    .where(and(eq(broadcasts.id, broadcastId), eq(broadcasts.status, 'sending')))
    .returning({ id: broadcasts.id });
  if (changed.length > 0)
    await audit(d, SYSTEM, `broadcast.${status}`, 'broadcast', broadcastId, reason ? { reason } : undefined);
}
