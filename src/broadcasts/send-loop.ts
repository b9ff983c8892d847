import type { messagingApi } from '@line/bot-sdk';
import { classifyLineError, withTimeout } from '../line/client';

/**
 * The sending loop of a broadcast: plain code that takes a LINE client and the batches
 * still to send, so the dispatcher Durable Object and the Node benchmark run the very
 * same batch, retry and pacing logic. It never decides what a batch contains (that is
 * fixed, with its retry key, before the first attempt) and it never keeps a count of its
 * own: every outcome is handed to `record`, which stores it on the batch row.
 */

/** LINE: a multicast takes at most 500 user IDs. */
export const MULTICAST_MAX_RECIPIENTS = 500;
/** LINE: at most 200 multicast requests per second per channel. */
export const MULTICAST_RATE_PER_SECOND = 200;

export interface SendBatch {
  id: string;
  kind: 'multicast' | 'broadcast';
  retryKey: string;
  recipients: string[];
  /** Attempts made so far, in earlier slices too. */
  attempts: number;
}

export type BatchOutcome =
  | { status: 'delivered'; attempts: number; requestId: string | null }
  | { status: 'failed'; attempts: number; error: string }
  /** Given up after attempts that all went unanswered (5xx, timeout): LINE may have delivered it. */
  | { status: 'unanswered'; attempts: number; error: string }
  /** Tried and not settled (5xx, timeout, 429): still pending, tried again later with the same key. */
  | { status: 'pending'; attempts: number; error: string };

/** The two LINE calls a broadcast makes; `lineSender` adapts the SDK client. Returns LINE's request ID. */
export interface LineSender {
  multicast(req: messagingApi.MulticastRequest, retryKey: string): Promise<string | null>;
  broadcast(req: messagingApi.BroadcastRequest, retryKey: string): Promise<string | null>;
}

export function lineSender(api: messagingApi.MessagingApiClient): LineSender {
  return {
    async multicast(req, retryKey) {
      return (await api.multicastWithHttpInfo(req, retryKey)).httpResponse.headers.get('x-line-request-id');
    },
    async broadcast(req, retryKey) {
      return (await api.broadcastWithHttpInfo(req, retryKey)).httpResponse.headers.get('x-line-request-id');
    },
  };
}

export interface SendLoopOptions {
  messages: messagingApi.Message[];
  /** Stores a batch's outcome. A throw stops the slice; the batch is retried with its key later. */
  record(batch: SendBatch, outcome: BatchOutcome): Promise<void>;
  /** Checked before every call: a cancelled broadcast starts no further batch. */
  shouldStop(): boolean | Promise<boolean>;
  /** No call starts after this moment; what is left waits for the next slice. */
  deadline: number;
  /** No more calls than this in one slice (a Worker invocation has a subrequest budget). */
  maxCalls: number;
  ratePerSecond?: number;
  /**
   * The pace to keep. The dispatcher passes the one it keeps for the channel, so a slice
   * that starts right after another (or after another broadcast's) sees its recent calls.
   */
  limiter?: SlidingWindow;
  concurrency?: number;
  callTimeoutMs?: number;
  /** 5xx and timeouts are retried this often before the batch fails. */
  maxAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SliceResult {
  /** done: no batch left pending; stopped: shouldStop said so; more: call again at `resumeAt`. */
  state: 'done' | 'stopped' | 'more';
  resumeAt: number | null;
  calls: number;
}

export const DEFAULTS = {
  // A Worker keeps at most six connections open at once; more in flight would only queue.
  concurrency: 6,
  callTimeoutMs: 10_000,
  maxAttempts: 8,
  /** LINE's 429 has no Retry-After and its windows are per second: wait a second, then longer. */
  rateLimitPauseMs: 1_000,
  maxRateLimitPauseMs: 60_000,
};

/** 5xx/timeout backoff: 250 ms, 500 ms, 1 s … capped at 30 s. */
export function retryBackoffMs(attempts: number): number {
  return Math.min(250 * 2 ** Math.max(0, attempts - 1), 30_000);
}

/**
 * Paces call starts so that no window of one second holds more than `rate` of them,
 * which keeps every one of LINE's per-second windows under its limit too.
 */
export class SlidingWindow {
  private starts: number[] = [];
  constructor(
    private rate: number,
    private now: () => number,
    private sleep: (ms: number) => Promise<void>,
  ) {}

  async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.starts.length && this.starts[0]! <= t - 1000) this.starts.shift();
      if (this.starts.length < this.rate) {
        this.starts.push(t);
        return;
      }
      await this.sleep(this.starts[0]! + 1000 - t);
    }
  }
}

/** Waiting workers wake at least this often, so a cancel is seen during a pause or a backoff. */
const MAX_IDLE_MS = 250;

interface Queued {
  batch: SendBatch;
  notBefore: number;
}

export async function sendBatches(line: LineSender, batches: SendBatch[], o: SendLoopOptions): Promise<SliceResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const rate = o.ratePerSecond ?? MULTICAST_RATE_PER_SECOND;
  const concurrency = Math.max(1, o.concurrency ?? DEFAULTS.concurrency);
  const callTimeoutMs = o.callTimeoutMs ?? DEFAULTS.callTimeoutMs;
  const maxAttempts = o.maxAttempts ?? DEFAULTS.maxAttempts;
  const limiter = o.limiter ?? new SlidingWindow(rate, now, sleep);

  const queue: Queued[] = batches.map((batch) => ({ batch: { ...batch }, notBefore: 0 }));
  let inFlight = 0;
  let calls = 0;
  let stopped = false;
  let failure: unknown = null;
  let pausedUntil = 0;
  let consecutive429 = 0;
  /** When the last 429 came back: calls started before it belong to the same burst. */
  let last429At = Number.NEGATIVE_INFINITY;

  const attempt = async (q: Queued): Promise<void> => {
    const b = q.batch;
    b.attempts += 1;
    const startedAt = now();
    let outcome: BatchOutcome;
    try {
      const requestId = await withTimeout(
        b.kind === 'broadcast'
          ? line.broadcast({ messages: o.messages }, b.retryKey)
          : line.multicast({ to: b.recipients, messages: o.messages }, b.retryKey),
        callTimeoutMs,
      );
      consecutive429 = 0;
      outcome = { status: 'delivered', attempts: b.attempts, requestId };
    } catch (err) {
      const e = classifyLineError(err);
      const reason = `${e.status ?? 'network'}: ${e.message}`;
      if (e.kind === 'accepted') {
        // 409 on our key: LINE accepted this batch on an earlier attempt whose answer we lost.
        outcome = { status: 'delivered', attempts: b.attempts, requestId: '409' };
      } else if (e.kind === 'rejected' || (e.kind === 'rate_limited' && /monthly limit/i.test(e.message))) {
        // A 4xx will fail again; LINE also answers 429 when the monthly quota is used up, which no pause cures.
        outcome = { status: 'failed', attempts: b.attempts, error: reason };
      } else if (e.kind === 'rate_limited') {
        // Calls already in flight when an earlier 429 came back are the same burst: they do not lengthen the pause.
        if (startedAt > last429At) consecutive429 += 1;
        last429At = now();
        const pause = Math.min(DEFAULTS.rateLimitPauseMs * 2 ** (consecutive429 - 1), DEFAULTS.maxRateLimitPauseMs);
        pausedUntil = Math.max(pausedUntil, now() + pause);
        // A 429 is LINE pacing us, not the batch failing: it does not use up the batch's attempts.
        b.attempts -= 1;
        q.notBefore = pausedUntil;
        outcome = { status: 'pending', attempts: b.attempts, error: reason };
      } else if (b.attempts >= maxAttempts) {
        outcome = {
          status: 'unanswered',
          attempts: b.attempts,
          error: `gave up after ${b.attempts} unanswered attempts; last: ${reason}`,
        };
      } else {
        q.notBefore = now() + retryBackoffMs(b.attempts);
        outcome = { status: 'pending', attempts: b.attempts, error: reason };
      }
    }
    await o.record(b, outcome);
    if (outcome.status === 'pending') queue.push(q);
  };

  const worker = async (): Promise<void> => {
    try {
      while (!stopped && failure === null) {
        if (await o.shouldStop()) {
          stopped = true;
          return;
        }
        const t = now();
        if (t >= o.deadline || calls >= o.maxCalls) return;
        if (t < pausedUntil) {
          await sleep(Math.min(pausedUntil, o.deadline, t + MAX_IDLE_MS) - t);
          continue;
        }
        const i = queue.findIndex((q) => q.notBefore <= t);
        if (i < 0) {
          if (queue.length === 0) {
            // Another worker's batch may still come back for a retry; that worker handles it.
            return;
          }
          const soonest = Math.min(...queue.map((q) => q.notBefore));
          if (soonest > o.deadline) return;
          await sleep(Math.min(soonest - t, MAX_IDLE_MS));
          continue;
        }
        const [q] = queue.splice(i, 1);
        calls += 1;
        inFlight += 1;
        try {
          await limiter.take();
          await attempt(q!);
        } finally {
          inFlight -= 1;
        }
      }
    } catch (err) {
      // A failed record (D1) or status check ends the slice once every worker has stopped;
      // the batch is retried later with its stored key.
      failure ??= err;
    }
  };

  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure !== null) throw failure;
  if (stopped) return { state: 'stopped', resumeAt: null, calls };
  if (queue.length === 0 && inFlight === 0) return { state: 'done', resumeAt: null, calls };
  const soonest = Math.min(...queue.map((q) => q.notBefore), Number.POSITIVE_INFINITY);
  return {
    state: 'more',
    resumeAt: Math.max(now(), soonest === Number.POSITIVE_INFINITY ? now() : soonest, pausedUntil),
    calls,
  };
}
