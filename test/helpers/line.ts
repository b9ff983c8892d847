import { runDurableObjectAlarm } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { signBody } from '../../src/line/signature';
import { ingressShard } from '../../src/ingress/hand-in';
import { shardOf } from '../../src/ingress/shard';
import type { RecordedAttempt, RecordedRequest, Injection } from '../fake-line/fake-line';

export const CHANNEL_SECRET = 'test_secret';
const FAKE = 'https://api.line.me/__fake';

let counter = 0;
/** A user ID no other test uses (storage is shared by the tests of one file). */
export function newUserId(): string {
  return `U${crypto.randomUUID().replace(/-/g, '')}`;
}

interface EventOptions {
  timestamp?: number;
  webhookEventId?: string;
  isRedelivery?: boolean;
  replyToken?: string | null;
}

interface BaseEvent {
  type: string;
  mode: string;
  timestamp: number;
  source: { type: string; userId: string };
  webhookEventId: string;
  deliveryContext: { isRedelivery: boolean };
  replyToken?: string;
}

function base(userId: string, type: string, o: EventOptions = {}): BaseEvent {
  counter += 1;
  const ev: BaseEvent = {
    type,
    mode: 'active',
    timestamp: o.timestamp ?? Date.now(),
    source: { type: 'user', userId },
    webhookEventId: o.webhookEventId ?? `01TEST${crypto.randomUUID().replace(/-/g, '').toUpperCase()}`,
    deliveryContext: { isRedelivery: o.isRedelivery ?? false },
  };
  // Reply tokens carry the user so the fake LINE can file replies under them.
  if (o.replyToken !== null && type !== 'unfollow') ev.replyToken = o.replyToken ?? `reply:${userId}:${counter}`;
  return ev;
}

export const events = {
  follow: (userId: string, o?: EventOptions) => ({ ...base(userId, 'follow', o), follow: { isUnblocked: false } }),
  unfollow: (userId: string, o?: EventOptions) => base(userId, 'unfollow', o),
  text: (userId: string, text: string, o?: EventOptions) => ({
    ...base(userId, 'message', o),
    message: { id: `${Date.now()}${counter}`, type: 'text', text, quoteToken: 'q' },
  }),
  sticker: (userId: string, o?: EventOptions) => ({
    ...base(userId, 'message', o),
    message: {
      id: `${Date.now()}${counter}`,
      type: 'sticker',
      packageId: '1',
      stickerId: '1',
      stickerResourceType: 'STATIC',
    },
  }),
  postback: (userId: string, data: string, o?: EventOptions) => ({
    ...base(userId, 'postback', o),
    postback: { data },
  }),
  /** A datetime picker's answer: the action's data with what was picked (`{date}`, `{time}` or `{datetime}`). */
  picked: (userId: string, data: string, params: Record<string, string>, o?: EventOptions) => ({
    ...base(userId, 'postback', o),
    postback: { data, params },
  }),
  /** A location message, as the quick-reply `location` action sends it. */
  location: (
    userId: string,
    latitude: number,
    longitude: number,
    address = '岡山県岡山市北区大供1丁目1-1',
    o?: EventOptions,
  ) => ({
    ...base(userId, 'message', o),
    message: { id: `${Date.now()}${counter}`, type: 'location', title: 'Location', address, latitude, longitude },
  }),
  /**
   * An image message. Its bytes are whatever the test registered with `fake.content(id, …)`;
   * an id never registered answers 404 at the content API, as expired content does.
   */
  image: (userId: string, messageId: string, o?: EventOptions & { provider?: 'line' | 'external' }) => ({
    ...base(userId, 'message', o),
    message: {
      id: messageId,
      type: 'image',
      quoteToken: 'q',
      contentProvider:
        o?.provider === 'external'
          ? {
              type: 'external',
              originalContentUrl: 'https://example.com/a.jpg',
              previewImageUrl: 'https://example.com/a.jpg',
            }
          : { type: 'line' },
    },
  }),
};

export function envelope(evs: unknown[]) {
  return { destination: 'Udeadbeefdeadbeefdeadbeefdeadbeef', events: evs };
}

/** Posts a body to the webhook, signed with the test channel secret unless a signature is given. */
export async function postWebhook(body: unknown, signature?: string | null): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? await signBody(CHANNEL_SECRET, raw) : signature;
  if (sig !== null) headers['x-line-signature'] = sig;
  return exports.default.fetch('https://bot.example.jp/webhook', { method: 'POST', headers, body: raw });
}

export function conversation(userId: string) {
  return env.CONVERSATION.get(env.CONVERSATION.idFromName(userId));
}

/** The ingress shard that holds the user's events between the webhook's 200 and their inbox. */
export function shardFor(userId: string) {
  return ingressShard(env, shardOf(userId));
}

/**
 * Waits until the user's ingress shard has handed all of their events on to their inbox (the
 * webhook answers once the shard holds them), running the shard's alarm at once.
 */
export async function handedOn(userId: string, timeoutMs = 10_000) {
  const shard = shardFor(userId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = await shard.held(userId);
    if (held.length === 0) return;
    if (Date.now() > deadline) throw new Error(`shard still holds ${userId}'s events: ${JSON.stringify(held)}`);
    await runDurableObjectAlarm(shard);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Waits until the user's events are in their inbox and it has nothing left to work, running
 * the DO alarms at once instead of waiting out retry backoffs.
 */
export async function drain(userId: string, timeoutMs = 10_000) {
  await handedOn(userId, timeoutMs);
  const stub = conversation(userId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await stub.inbox();
    if (!rows.some((r) => r.status === 'pending' || r.status === 'sending')) return rows;
    if (Date.now() > deadline) throw new Error(`inbox of ${userId} not drained: ${JSON.stringify(rows)}`);
    await runDurableObjectAlarm(stub);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends events from one user and waits until they are worked. */
export async function say(userId: string, ...evs: unknown[]) {
  const res = await postWebhook(envelope(evs));
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  return drain(userId);
}

export const fake = {
  async requests(query: { to?: string; path?: string; replyToken?: string } = {}): Promise<RecordedRequest[]> {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v) as [string, string][]);
    return (await fetch(`${FAKE}/requests?${qs}`)).json();
  },
  /** Every message object sent to the user, by reply or push, in order. */
  async messagesTo(userId: string): Promise<Record<string, any>[]> {
    const reqs = await this.requests({ to: userId });
    return reqs
      .filter((r) => /\/(reply|push)$/.test(r.path))
      .flatMap((r) => (r.body as { messages: Record<string, any>[] }).messages);
  },
  /** Every attempt at a send, failed ones included, with the status LINE answered. */
  async attempts(query: { to?: string; path?: string } = {}): Promise<RecordedAttempt[]> {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v) as [string, string][]);
    return (await fetch(`${FAKE}/attempts?${qs}`)).json();
  },
  async quota(q: { type?: 'limited' | 'none'; value?: number }) {
    await fetch(`${FAKE}/quota`, { method: 'POST', body: JSON.stringify(q) });
  },
  async inject(injection: Injection) {
    await fetch(`${FAKE}/inject`, { method: 'POST', body: JSON.stringify(injection) });
  },
  async profile(userId: string, language: string) {
    await fetch(`${FAKE}/profile`, { method: 'POST', body: JSON.stringify({ userId, language }) });
  },
  async content(messageId: string, bytes: Uint8Array, type: string) {
    await fetch(`https://api-data.line.me/__fake/content?messageId=${encodeURIComponent(messageId)}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: bytes,
    });
  },
};

/** The text of every text message in a list (templates give their text too). */
export function texts(messages: Record<string, any>[]): string[] {
  return messages.map((m) => (m.type === 'text' ? m.text : m.type === 'template' ? m.template.text : `(${m.type})`));
}
