import { createExecutionContext, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import type { InboxItem } from '../src/conversation/inbox';
import { ingressMode } from '../src/ingress/hand-in';
import { INGRESS_SHARDS, shardName, shardOf } from '../src/ingress/shard';
import { signBody } from '../src/line/signature';
import {
  CHANNEL_SECRET,
  conversation,
  drain,
  envelope,
  events,
  fake,
  handedOn,
  newUserId,
  shardFor,
} from './helpers/line';

/** Posts a signed webhook to the worker as configured with WEBHOOK_INGRESS=shards. */
async function postWebhook(body: unknown): Promise<Response> {
  const raw = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', 'x-line-signature': await signBody(CHANNEL_SECRET, raw) };
  return app.fetch(
    new Request('https://bot.example.jp/webhook', { method: 'POST', headers, body: raw }),
    { ...env, WEBHOOK_INGRESS: 'shards' },
    createExecutionContext(),
  );
}

/**
 * The ingress shards (src/ingress/): the webhook's 200 means the events are in the resident's
 * shard; the shard hands them on, in order, to the resident's ConversationDO, keeping them until
 * that object has acknowledged them.
 */

describe('ingressMode', () => {
  it.each([
    { setting: undefined, mode: 'direct' },
    { setting: '', mode: 'direct' },
    { setting: 'direct', mode: 'direct' },
    { setting: 'shards', mode: 'shards' },
    { setting: ' Shards ', mode: 'shards' },
    { setting: 'shard', mode: 'direct' },
    { setting: 'on', mode: 'direct' },
  ])('reads $setting as $mode', ({ setting, mode }) => {
    expect(ingressMode(setting)).toBe(mode);
  });
});

describe('shardOf', () => {
  it.each([
    // Fixed values: a change here moves residents between shards and would break their order in flight.
    // The first three are FNV-1a's published test vectors (0x811c9dc5, 0xe40c292c, 0xbf9cf968) modulo 16.
    { userId: '', shard: 5 },
    { userId: 'a', shard: 12 },
    { userId: 'foobar', shard: 8 },
    { userId: 'U206d25c2ea6bd87c17655609a1c37cb8', shard: 5 },
    { userId: 'Udeadbeefdeadbeefdeadbeefdeadbeef', shard: 0 },
  ])('puts $userId in shard $shard', ({ userId, shard }) => {
    expect(shardOf(userId)).toBe(shard);
  });

  it.each([
    { userId: 'U0123456789abcdef0123456789abcdef', shards: 16 },
    { userId: 'Uffffffffffffffffffffffffffffffff', shards: 16 },
    { userId: 'Uffffffffffffffffffffffffffffffff', shards: 1 },
    { userId: 'U00000000000000000000000000000000', shards: 7 },
  ])('keeps $userId inside 0..$shards-1, the same every time', ({ userId, shards }) => {
    const s = shardOf(userId, shards);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(s).toBeLessThan(shards);
    expect(Number.isInteger(s)).toBe(true);
    expect(shardOf(userId, shards)).toBe(s);
  });

  it('spreads random user IDs over every shard, none with more than twice its share', () => {
    const counts = new Array<number>(INGRESS_SHARDS).fill(0);
    const n = 3_200;
    for (let i = 0; i < n; i++) counts[shardOf(newUserId())]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThan((2 * n) / INGRESS_SHARDS);
  });

  it('names each shard by its number', () => {
    expect(shardName(0)).toBe('ingress-0');
    expect(shardName(15)).toBe('ingress-15');
  });
});

/** The consent button: every tap is answered (and recorded), so each event's answer can be told apart. */
const tap = (userId: string) => events.postback(userId, 'action=consent&v=2026-11-01');

/** The reply tokens of a user's answers, in the order LINE got them. */
async function replyTokens(userId: string): Promise<string[]> {
  return (await fake.requests({ to: userId, path: '/v2/bot/message/reply' })).map(
    (r) => (r.body as { replyToken: string }).replyToken,
  );
}

describe('the ack through the shards', () => {
  it('answers 200 once the events are durable in the shard, which hands them on to the inbox', async () => {
    const u = newUserId();
    const evs = [tap(u), tap(u)];
    expect((await postWebhook(envelope(evs))).status).toBe(200);
    // Read the shard first: it deletes its row only once the inbox has the events.
    const held = (await shardFor(u).held(u)).flatMap((r) => r.event_keys);
    const durable = held.length > 0 ? held : (await conversation(u).inbox()).map((r) => r.event_key);
    expect(durable).toEqual(evs.map((e) => e.webhookEventId));
    const rows = await drain(u);
    expect(rows.map((r) => [r.event_key, r.status])).toEqual(evs.map((e) => [e.webhookEventId, 'done']));
    expect(await shardFor(u).held(u)).toEqual([]);
  });
});

describe('one resident’s order through the shard', () => {
  it('hands on 30 events from single and multi-event webhooks in the order they came, each worked once', async () => {
    const u = newUserId();
    const sent: { webhookEventId: string; replyToken?: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const ev = tap(u);
      sent.push(ev);
      expect((await postWebhook(envelope([ev]))).status).toBe(200);
    }
    const many = Array.from({ length: 10 }, () => tap(u));
    sent.push(...many);
    expect((await postWebhook(envelope(many))).status).toBe(200);

    const rows = await drain(u, 30_000);
    expect(rows.map((r) => r.event_key)).toEqual(sent.map((e) => e.webhookEventId));
    expect(rows.every((r) => r.status === 'done')).toBe(true);
    for (let i = 1; i < rows.length; i++)
      expect(rows[i]!.started_at!).toBeGreaterThanOrEqual(rows[i - 1]!.finished_at!);
    expect(await replyTokens(u)).toEqual(sent.map((e) => e.replyToken));
    expect(await shardFor(u).held(u)).toEqual([]);
  });

  it('keeps residents of the same shard apart, each in their own order', async () => {
    const a = newUserId();
    let b = newUserId();
    while (shardOf(b) !== shardOf(a)) b = newUserId();
    const evs = Array.from({ length: 6 }, (_, i) => tap(i % 2 ? b : a));
    expect((await postWebhook(envelope(evs))).status).toBe(200);
    for (const [u, own] of [
      [a, evs.filter((_, i) => i % 2 === 0)],
      [b, evs.filter((_, i) => i % 2 === 1)],
    ] as const) {
      const rows = await drain(u);
      expect(rows.map((r) => r.event_key)).toEqual(own.map((e) => e.webhookEventId));
      expect(await replyTokens(u)).toEqual(own.map((e) => e.replyToken));
    }
  });
});

type Namespace = Env['CONVERSATION'];

/**
 * The CONVERSATION binding as the shard sees it, with `enqueue` of one resident failing `times`
 * times: `before` throws before their object sees the events, `after` once it has stored them
 * (the acknowledgement lost on the way back).
 */
function failingHandOff(base: Namespace, userId: string, times: number, when: 'before' | 'after') {
  const target = base.idFromName(userId).toString();
  const state = { failed: 0 };
  const namespace = {
    idFromName: (name: string) => base.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = base.get(id);
      if (id.toString() !== target) return stub;
      return {
        enqueue: async (items: InboxItem[], origin: string) => {
          if (state.failed >= times) return stub.enqueue(items, origin);
          state.failed += 1;
          if (when === 'after') await stub.enqueue(items, origin);
          throw new Error(`injected hand-off failure ${state.failed}`);
        },
      };
    },
  };
  return { namespace: namespace as unknown as Namespace, state };
}

const real = env.CONVERSATION;

/** Gives the user's shard another CONVERSATION binding (the real one back when none is given). */
async function withConversation(userId: string, namespace: Namespace = real): Promise<void> {
  await runInDurableObject(shardFor(userId), (instance) => {
    const shard = instance as unknown as { env: Env };
    shard.env = { ...shard.env, CONVERSATION: namespace };
  });
}

/** Brings a backed-off resident's rows due now, so the test need not wait out the backoff. */
async function dueNow(userId: string): Promise<void> {
  await runInDurableObject(shardFor(userId), async (_instance: unknown, state: DurableObjectState) => {
    state.storage.sql.exec(`UPDATE held SET due_at = 0 WHERE user_id = ?`, userId);
    await state.storage.setAlarm(Date.now());
  });
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a hand-off that fails', () => {
  it.each(['before', 'after'] as const)(
    'is retried with backoff when it throws %s the resident stored the events: nothing lost, nothing twice, order kept',
    async (when) => {
      const u = newUserId();
      const { namespace, state } = failingHandOff(real, u, 2, when);
      await withConversation(u, namespace);
      try {
        const first = [tap(u), tap(u)];
        expect((await postWebhook(envelope(first))).status).toBe(200);
        // The shard's own alarm tries, fails, and keeps the row with a backoff.
        await waitFor(async () => (await shardFor(u).held(u))[0]?.attempts === 1, 'the first failed hand-off');
        const [row] = await shardFor(u).held(u);
        expect(row!.event_keys).toEqual(first.map((e) => e.webhookEventId));
        expect(row!.due_at).toBeGreaterThan(Date.now());

        // A later event of the same resident waits behind the failing ones.
        const later = tap(u);
        expect((await postWebhook(envelope([later]))).status).toBe(200);
        expect((await shardFor(u).held(u)).flatMap((r) => r.event_keys)).toEqual(
          [...first, later].map((e) => e.webhookEventId),
        );

        await dueNow(u);
        await waitFor(async () => (await shardFor(u).held(u))[0]?.attempts === 2, 'the second failed hand-off');
        await dueNow(u);
        const rows = await drain(u);
        expect(state.failed).toBe(2);
        expect(rows.map((r) => r.event_key)).toEqual([...first, later].map((e) => e.webhookEventId));
        expect(rows.every((r) => r.status === 'done')).toBe(true);
        expect(await replyTokens(u)).toEqual([...first, later].map((e) => e.replyToken));
      } finally {
        await withConversation(u);
      }
    },
  );

  it('holds up only the failing resident: another one of the same shard goes on', async () => {
    const u = newUserId();
    let other = newUserId();
    while (shardOf(other) !== shardOf(u)) other = newUserId();
    await withConversation(u, failingHandOff(real, u, Number.POSITIVE_INFINITY, 'before').namespace);
    try {
      expect((await postWebhook(envelope([tap(u)]))).status).toBe(200);
      await waitFor(async () => (await shardFor(u).held(u))[0]?.attempts === 1, 'the failed hand-off');
      const ev = tap(other);
      expect((await postWebhook(envelope([ev]))).status).toBe(200);
      expect((await drain(other)).map((r) => r.event_key)).toEqual([ev.webhookEventId]);
      expect(await shardFor(u).held(u)).toHaveLength(1);
      expect(await conversation(u).inbox()).toEqual([]);
    } finally {
      await withConversation(u);
    }
    await dueNow(u);
    expect((await drain(u)).map((r) => r.status)).toEqual(['done']);
  });
});

describe('duplicates across deliveries', () => {
  it('works an event once when LINE delivers it twice, both times held in the shard together', async () => {
    const u = newUserId();
    // Kept from handing on until both deliveries are in: the two rows go to the resident in one call.
    await withConversation(u, failingHandOff(real, u, 1, 'before').namespace);
    const ev = tap(u);
    try {
      expect((await postWebhook(envelope([ev]))).status).toBe(200);
      await waitFor(async () => (await shardFor(u).held(u))[0]?.attempts === 1, 'the held first delivery');
      expect((await postWebhook(envelope([{ ...ev, deliveryContext: { isRedelivery: true } }]))).status).toBe(200);
      expect(await shardFor(u).held(u)).toHaveLength(2);
    } finally {
      await withConversation(u);
    }
    await dueNow(u);
    const rows = await drain(u);
    expect(rows.map((r) => [r.event_key, r.status])).toEqual([[ev.webhookEventId, 'done']]);
    expect(await replyTokens(u)).toEqual([ev.replyToken]);
  });

  it('works an event once when it is delivered again after it was handed on and answered', async () => {
    const u = newUserId();
    const ev = tap(u);
    expect((await postWebhook(envelope([ev]))).status).toBe(200);
    await drain(u);
    expect((await postWebhook(envelope([{ ...ev, deliveryContext: { isRedelivery: true } }]))).status).toBe(200);
    await handedOn(u);
    const rows = await drain(u);
    expect(rows).toHaveLength(1);
    expect(await fake.messagesTo(u)).toHaveLength(1);
  });
});
