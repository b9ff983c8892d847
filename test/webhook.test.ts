import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { app } from '../src/app';
import { DEDUPE_RETENTION_MS } from '../src/conversation/inbox';
import { MAX_WEBHOOK_BODY_BYTES } from '../src/webhook';
import corpus from './fixtures/line-sdk-python-webhook-v3.json';
import {
  conversation,
  drain,
  envelope,
  events,
  fake,
  handedOn,
  newUserId,
  postWebhook,
  say,
  shardFor,
} from './helpers/line';

/**
 * The event keys the worker holds durably for a user: in their ingress shard until it hands them
 * on, then in their inbox. The shard is read first: it deletes a row only once the inbox has it.
 */
async function stored(userId: string): Promise<string[]> {
  const held = (await shardFor(userId).held(userId)).flatMap((r) => r.event_keys);
  return held.length > 0 ? held : (await conversation(userId).inbox()).map((r) => r.event_key);
}

describe('POST /webhook: the 401/400/413/200 matrix', () => {
  it('answers the verify button (no events) with 200', async () => {
    const res = await postWebhook(envelope([]));
    expect(res.status).toBe(200);
  });

  it.each([
    { name: 'no signature', sig: null },
    { name: 'a wrong signature', sig: 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=' },
    { name: 'garbage', sig: 'abc' },
  ])('refuses $name with 401 and stores nothing', async ({ sig }) => {
    const userId = newUserId();
    const res = await postWebhook(envelope([events.text(userId, 'こんにちは')]), sig);
    expect(res.status).toBe(401);
    expect(await stored(userId)).toEqual([]);
  });

  it('checks the signature before parsing: unsigned garbage is 401, not 400', async () => {
    const res = await postWebhook('not json', null);
    expect(res.status).toBe(401);
  });

  it.each([
    { name: 'not JSON', body: '{"destination":' },
    { name: 'a JSON array', body: '[]' },
    { name: 'no events', body: '{"destination":"U1"}' },
    { name: 'events not an array', body: '{"destination":"U1","events":{}}' },
  ])('answers 400 to a signed body that is $name', async ({ body }) => {
    const res = await postWebhook(body);
    expect(res.status).toBe(400);
    expect((await res.json<{ message: string }>()).message.length).toBeGreaterThan(0);
  });

  it('answers 413 to a body over 1 MiB, before checking anything else', async () => {
    const big = JSON.stringify({ destination: 'U1', events: [], pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) });
    expect((await postWebhook(big)).status).toBe(413);
  });

  it('answers 413 when the body is over the cap even without a content-length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_WEBHOOK_BODY_BYTES + chunk.length) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await app.fetch(
      new Request('https://bot.example.jp/webhook', {
        method: 'POST',
        body: stream,
        headers: { 'x-line-signature': 'x' },
      }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(413);
  });

  it.each(['LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN'])(
    'answers 503 naming %s when it is not configured',
    async (name) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request('https://bot.example.jp/webhook', { method: 'POST', body: '{}' }),
        { ...env, [name]: undefined },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain(name);
    },
  );
});

describe('the inbox', () => {
  it('stores each event durably (in its user’s ingress shard) before answering 200', async () => {
    const a = newUserId();
    const b = newUserId();
    const evA = events.text(a, 'one');
    const evB = events.text(b, 'two');
    const res = await postWebhook(envelope([evA, evB]));
    expect(res.status).toBe(200);
    // Without waiting for any processing, both are already durable.
    expect(await stored(a)).toEqual([evA.webhookEventId]);
    expect(await stored(b)).toEqual([evB.webhookEventId]);
    // And the shard hands each on to its resident's inbox.
    await handedOn(a);
    await handedOn(b);
    expect((await conversation(a).inbox()).map((r) => r.event_key)).toEqual([evA.webhookEventId]);
    expect((await conversation(b).inbox()).map((r) => r.event_key)).toEqual([evB.webhookEventId]);
  });

  it('treats a duplicate and a redelivery as no-ops', async () => {
    const userId = newUserId();
    const ev = events.text(userId, 'はじめまして');
    await say(userId, ev);
    await say(userId, ev);
    await say(userId, { ...ev, deliveryContext: { isRedelivery: true } });
    const rows = await drain(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('done');
    expect(await fake.messagesTo(userId)).toHaveLength(1);
  });

  it('keeps events with the same webhookEventId from different users apart', async () => {
    const a = newUserId();
    const b = newUserId();
    const id = '01SAMEIDFORTWOUSERS';
    await postWebhook(
      envelope([events.text(a, 'x', { webhookEventId: id }), events.text(b, 'y', { webhookEventId: id })]),
    );
    await handedOn(a);
    await handedOn(b);
    expect(await conversation(a).inbox()).toHaveLength(1);
    expect(await conversation(b).inbox()).toHaveLength(1);
  });

  it('acknowledges group, room, standby and unknown events without storing them', async () => {
    const userId = newUserId();
    const group = { ...events.text(userId, 'group'), source: { type: 'group', groupId: 'Cgroup', userId } };
    const room = { ...events.text(userId, 'room'), source: { type: 'room', roomId: 'Rroom', userId } };
    const standby = { ...events.text(userId, 'standby'), mode: 'standby' };
    const unknown = { ...events.text(userId, 'unknown'), type: 'somethingNew' };
    const res = await postWebhook(envelope([group, room, standby, unknown]));
    expect(res.status).toBe(200);
    expect(await stored(userId)).toEqual([]);
  });

  it('answers 200 to the LINE SDK corpus posted whole, and works its user events', async () => {
    // The corpus's events are from 2016–2021: dated now, so the dedupe window does not set them aside.
    const now = Date.now();
    const res = await postWebhook(
      JSON.stringify({ ...corpus, events: corpus.events.map((e) => ({ ...e, timestamp: now })) }),
    );
    expect(res.status).toBe(200);
    const userId = 'U206d25c2ea6bd87c17655609a1c37cb8';
    const rows = await drain(userId);
    // Every event in the corpus shares one webhookEventId: the first of this user's events is kept, the rest are duplicates.
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('done');
  });

  it('works one user’s concurrent events one at a time, in arrival order', async () => {
    const userId = newUserId();
    const evs = Array.from({ length: 8 }, (_, i) => events.text(userId, `message ${i}`));
    const answers = await Promise.all(evs.map((ev) => postWebhook(envelope([ev]))));
    expect(answers.map((r) => r.status)).toEqual(evs.map(() => 200));
    const rows = await drain(userId);
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.status === 'done')).toBe(true);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.seq).toBeGreaterThan(rows[i - 1]!.seq);
      // Each event starts only after the one before it has finished.
      expect(rows[i]!.started_at!).toBeGreaterThanOrEqual(rows[i - 1]!.finished_at!);
    }
  });
});

// Under wrangler dev a cancelled request body restarted the worker and the next request got 503; in
// vitest the worker shares the test's isolate and survives either way, so readCapped's own test in
// rules.test.ts is the one that tells reading on from cancelling.
describe('an oversized body costs nothing but its 413 (issue 8, finding 6)', () => {
  function chunked(): ReadableStream<Uint8Array> {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 2 * MAX_WEBHOOK_BODY_BYTES) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
  }

  it.each([
    { name: 'a declared content-length', body: () => 'x'.repeat(2 * MAX_WEBHOOK_BODY_BYTES) },
    { name: 'a chunked body', body: chunked },
  ])('answers 413 to $name over the cap, and the next request succeeds', async ({ body }) => {
    const res = await exports.default.fetch('https://bot.example.jp/webhook', {
      method: 'POST',
      headers: { 'x-line-signature': 'x' },
      body: body(),
    });
    expect(res.status).toBe(413);
    await res.arrayBuffer();
    const next = await postWebhook(envelope([]));
    expect(next.status).toBe(200);
  });
});

const DAY = 24 * 60 * 60 * 1000;

/** Every console line the worker (and its Durable Objects, same isolate) writes while `run` runs. */
async function consoleLines(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    }),
  );
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines;
}

describe('the worker log (issue 8, finding 4)', () => {
  it('holds no LINE user ID and no line over 2,000 characters', async () => {
    const userId = newUserId();
    // A failed push makes the inbox log the event key; without webhookEventId that key is derived.
    await fake.inject({ path: '/v2/bot/message/push', to: userId, status: 500, times: 1 });
    const { webhookEventId: _, ...withoutId } = events.text(userId, 'hi', { timestamp: Date.now() - 60_000 });
    const huge = { ...events.text(userId, 'x'), type: 'y'.repeat(100_000), mode: 'z'.repeat(100_000) };
    const lines = await consoleLines(async () => {
      expect((await postWebhook(envelope([withoutId, huge]))).status).toBe(200);
      await drain(userId);
    });
    expect(lines.some((l) => l.includes('event will be retried'))).toBe(true);
    expect(lines.some((l) => l.includes('event ignored'))).toBe(true);
    for (const line of lines) {
      expect(line).not.toMatch(/U[0-9a-f]{32}/);
      expect(line.length).toBeLessThanOrEqual(2_000);
    }
  });
});

describe('replays after the dedupe window (issue 8, finding 5)', () => {
  it('acknowledges, logs and ignores a correctly signed follow dated 30 days ago', async () => {
    const userId = newUserId();
    let res: Response | undefined;
    const lines = await consoleLines(async () => {
      res = await postWebhook(envelope([events.follow(userId, { timestamp: Date.now() - 30 * DAY })]));
    });
    expect(res!.status).toBe(200);
    expect(await stored(userId)).toEqual([]);
    expect(await env.DB.prepare('SELECT 1 FROM users WHERE line_user_id = ?').bind(userId).first()).toBeNull();
    expect(await fake.messagesTo(userId)).toEqual([]);
    expect(lines.some((l) => l.includes('older than the dedupe retention'))).toBe(true);
  });

  it('still takes an event a minute inside the window', async () => {
    const userId = newUserId();
    const ev = events.follow(userId, { timestamp: Date.now() - DEDUPE_RETENTION_MS + 60_000 });
    expect((await postWebhook(envelope([ev]))).status).toBe(200);
    expect(await stored(userId)).toEqual([ev.webhookEventId]);
  });
});

describe('one malformed event is dropped alone (issue 8, findings 7 and 8)', () => {
  it('stores the well-formed events beside malformed ones, logs each malformed one without its user, and answers 200', async () => {
    const userId = newUserId();
    const good = events.text(userId, 'good');
    const bad = [
      { ...events.text(userId, 'a'), replyToken: null },
      { ...events.text(userId, 'b'), mode: null },
      { ...events.text(userId, 'c'), deliveryContext: null },
      { ...events.text(userId, 'd'), source: { type: 'user', userId: 12345 } },
      { ...events.text(userId, 'e'), message: { id: 'm1', type: 'text', text: 42 } },
      {
        ...events.location(userId, 34.66, 133.93),
        message: { id: 'm2', type: 'location', latitude: 34.66, longitude: 133.93, address: 7 },
      },
      {
        ...events.location(userId, 34.66, 133.93),
        message: { id: 'm3', type: 'location', latitude: '34.66', longitude: 133.93 },
      },
      { ...events.postback(userId, 'x'), postback: { data: 1 } },
      { ...events.text(userId, 'f'), type: undefined },
      'not an event',
    ];
    let res: Response | undefined;
    const lines = await consoleLines(async () => {
      res = await postWebhook(envelope([...bad, good]));
    });
    expect(res!.status).toBe(200);
    expect(await stored(userId)).toEqual([good.webhookEventId]);
    expect(lines.filter((l) => l.includes('malformed event dropped'))).toHaveLength(bad.length);
    for (const line of lines) expect(line).not.toContain(userId);
  });

  it.each([
    { name: 'destination not a string', body: '{"destination":1,"events":[]}' },
    { name: 'events null', body: '{"destination":"U1","events":null}' },
  ])('still answers 400 when the envelope itself is wrong: $name', async ({ body }) => {
    expect((await postWebhook(body)).status).toBe(400);
  });

  it('allows extra keys on the envelope', async () => {
    expect((await postWebhook(JSON.stringify({ ...envelope([]), somethingNew: { a: 1 } }))).status).toBe(200);
  });
});
