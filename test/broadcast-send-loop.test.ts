import { HTTPFetchError } from '@line/bot-sdk';
import { describe, expect, it } from 'vitest';
import {
  sendBatches,
  SlidingWindow,
  type BatchOutcome,
  type LineSender,
  type SendBatch,
  type SendLoopOptions,
} from '../src/broadcasts/send-loop';

/**
 * The send loop alone, with a scripted LINE and a virtual clock (no real waiting), so
 * its pacing and retry rules are checked exactly. The same loop runs in the dispatcher
 * DO (see broadcasts-delivery.test.ts) and in the bench.
 */
function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      const wake = t + Math.max(0, ms);
      await Promise.resolve();
      t = Math.max(t, wake);
    },
  };
}

function lineError(status: number, message: string) {
  return new HTTPFetchError('LINE error', {
    status,
    statusText: 'x',
    headers: new Headers(),
    body: JSON.stringify({ message }),
  });
}

function batches(n: number): SendBatch[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `b${i}`,
    kind: 'multicast',
    retryKey: `key-${i}`,
    recipients: [`U${i}`],
    attempts: 0,
  }));
}

/** A LINE that answers each call by a script keyed by the batch's first recipient. */
function scriptedLine(c: ReturnType<typeof clock>, script: Record<string, Error[]> = {}) {
  const calls: { at: number; key: string; to: string }[] = [];
  const send = async (to: string, key: string) => {
    calls.push({ at: c.now(), key, to });
    const next = script[to]?.shift();
    if (next) throw next;
    return `req-${calls.length}`;
  };
  const line: LineSender = {
    multicast: (req, key) => send(req.to[0]!, key),
    broadcast: (_req, key) => send('all', key),
  };
  return { line, calls };
}

function run(line: LineSender, list: SendBatch[], c: ReturnType<typeof clock>, extra: Partial<SendLoopOptions> = {}) {
  const outcomes: { id: string; outcome: BatchOutcome }[] = [];
  const result = sendBatches(line, list, {
    messages: [{ type: 'text', text: 'a' }],
    record: async (b, outcome) => {
      outcomes.push({ id: b.id, outcome });
    },
    shouldStop: () => false,
    deadline: Number.POSITIVE_INFINITY,
    maxCalls: Number.POSITIVE_INFINITY,
    now: c.now,
    sleep: c.sleep,
    ...extra,
  });
  return { result, outcomes };
}

describe('send loop', () => {
  it('never starts more than 200 calls in any one second', async () => {
    const c = clock();
    const { line, calls } = scriptedLine(c);
    const { result } = run(line, batches(1000), c);
    expect((await result).state).toBe('done');
    expect(calls.length).toBe(1000);
    const starts = calls.map((x) => x.at).sort((a, b) => a - b);
    for (let i = 200; i < starts.length; i++) expect(starts[i]! - starts[i - 200]!).toBeGreaterThanOrEqual(1000);
  });

  it('5xx and network errors retry with the same key; 409 is delivered; other 4xx fail once with LINE’s message', async () => {
    const c = clock();
    const { line, calls } = scriptedLine(c, {
      U0: [lineError(500, 'Internal'), new TypeError('fetch failed')],
      U1: [lineError(500, 'Internal'), lineError(409, 'The retry key is already accepted')],
      U2: [lineError(400, 'The request body has 1 error(s)')],
    });
    const { result, outcomes } = run(line, batches(3), c);
    expect((await result).state).toBe('done');
    const final = (id: string) => outcomes.filter((o) => o.id === id).at(-1)!.outcome;
    expect(final('b0')).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(final('b1')).toMatchObject({ status: 'delivered', attempts: 2, requestId: '409' });
    expect(final('b2')).toMatchObject({ status: 'failed', attempts: 1, error: '400: The request body has 1 error(s)' });
    for (const to of ['U0', 'U1'])
      expect(new Set(calls.filter((x) => x.to === to).map((x) => x.key))).toEqual(new Set([`key-${to.slice(1)}`]));
  });

  it('gives up after maxAttempts of 5xx and says so', async () => {
    const c = clock();
    const { line, calls } = scriptedLine(c, { U0: Array.from({ length: 10 }, () => lineError(503, 'Unavailable')) });
    const { result, outcomes } = run(line, batches(1), c, { maxAttempts: 4 });
    await result;
    expect(calls.length).toBe(4);
    // Never answered, so LINE may have delivered it: unanswered, not failed.
    expect(outcomes.at(-1)!.outcome).toMatchObject({ status: 'unanswered', attempts: 4 });
    expect((outcomes.at(-1)!.outcome as { error: string }).error).toMatch(
      /gave up after 4 unanswered attempts; last: 503/,
    );
  });

  it('a 429 pauses every worker and does not use up attempts; a monthly-limit 429 fails at once', async () => {
    const c = clock();
    const { line, calls } = scriptedLine(c, {
      U0: [lineError(429, 'Too Many Requests'), lineError(429, 'Too Many Requests')],
      U1: [lineError(429, 'You have reached your monthly limit.')],
    });
    const { result, outcomes } = run(line, batches(2), c, { maxAttempts: 1 });
    await result;
    expect(outcomes.filter((o) => o.id === 'b0').at(-1)!.outcome).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(outcomes.filter((o) => o.id === 'b1').at(-1)!.outcome).toMatchObject({ status: 'failed' });
    const u0 = calls.filter((x) => x.to === 'U0').map((x) => x.at);
    expect(u0.length).toBe(3);
    // Paused at least a second after the first 429, then longer after the second.
    expect(u0[1]! - u0[0]!).toBeGreaterThanOrEqual(1000);
    expect(u0[2]! - u0[1]!).toBeGreaterThanOrEqual(2000);
  });

  it('one burst of 429s (every call in flight rate limited at once) pauses about a second, not once per call', async () => {
    const c = clock();
    const script = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [`U${i}`, [lineError(429, 'Too Many Requests')]]),
    );
    const { line, calls } = scriptedLine(c, script);
    // A LINE whose answers take 50 ms, so all six calls are in flight together when the 429s come back.
    const slow: LineSender = {
      multicast: async (req, key) => {
        const p = line.multicast(req, key);
        await c.sleep(50);
        return p;
      },
      broadcast: line.broadcast,
    };
    const { result, outcomes } = run(slow, batches(6), c, { concurrency: 6 });
    expect((await result).state).toBe('done');
    expect(outcomes.filter((o) => o.outcome.status === 'delivered').length).toBe(6);
    const retries = calls.slice(6).map((x) => x.at);
    expect(retries.length).toBe(6);
    // Escalating per 429 would have paused 1 + 2 + 4 + 8 + 16 + 32 s.
    expect(Math.max(...retries)).toBeLessThan(2_000);
  });

  it('slices that share the dispatcher’s limiter keep every one-second window at 200 calls across their boundary', async () => {
    const c = clock();
    const { line, calls } = scriptedLine(c);
    const limiter = new SlidingWindow(200, c.now, c.sleep);
    // A slice ends at its call budget and the next one starts at once (as the dispatcher's alarm does).
    const first = run(line, batches(300), c, { maxCalls: 300, limiter });
    expect((await first.result).state).toBe('done');
    const second = run(line, batches(300), c, { maxCalls: 300, limiter });
    expect((await second.result).state).toBe('done');
    const starts = calls.map((x) => x.at).sort((a, b) => a - b);
    expect(starts.length).toBe(600);
    for (let i = 200; i < starts.length; i++) expect(starts[i]! - starts[i - 200]!).toBeGreaterThanOrEqual(1000);
  });

  it('stops starting batches once told to stop, and ends a slice at its call budget', async () => {
    const c = clock();
    const { line, calls } = scriptedLine(c);
    let stop = false;
    const first = run(line, batches(50), c, {
      concurrency: 1,
      shouldStop: () => stop,
      record: async () => {
        stop = calls.length >= 10;
      },
    });
    expect((await first.result).state).toBe('stopped');
    expect(calls.length).toBe(10);

    const budget = run(scriptedLine(c).line, batches(50), c, { maxCalls: 20 });
    const r = await budget.result;
    expect(r).toMatchObject({ state: 'more', calls: 20 });
    expect(r.resumeAt).not.toBeNull();
  });
});
