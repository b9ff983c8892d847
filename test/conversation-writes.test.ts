import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { db } from '../src/db/client';
import { config } from '../src/config';
import { lineClients } from '../src/line/client';
import { conversation, drain, envelope, events, fake, newUserId, postWebhook, say } from './helpers/line';

const TERMS = env.TERMS_VERSION!;

/** Counts every write to the conversation state from now on, with a trigger inside the resident's object. */
async function countStateWrites(userId: string): Promise<() => Promise<number>> {
  await runInDurableObject(conversation(userId), async (_o: unknown, state) => {
    state.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS test_state_writes (at INTEGER);
      CREATE TRIGGER IF NOT EXISTS test_state_insert AFTER INSERT ON kv BEGIN INSERT INTO test_state_writes VALUES (1); END;
      CREATE TRIGGER IF NOT EXISTS test_state_update AFTER UPDATE ON kv BEGIN INSERT INTO test_state_writes VALUES (1); END;
    `);
  });
  return () =>
    runInDurableObject(conversation(userId), async (_o: unknown, state) => {
      return state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM test_state_writes`).one().n;
    });
}

describe('what the event path writes (issue 12)', () => {
  it('does not write the conversation state again when an event leaves it as it was', async () => {
    const userId = newUserId();
    await say(userId, events.follow(userId), events.postback(userId, `action=consent&v=${TERMS}`));
    await say(userId, events.text(userId, 'こんにちは'));
    const writes = await countStateWrites(userId);
    // Inside the hour no second policy answer is due: the state stays the same, and so does the disk.
    await say(userId, events.text(userId, 'もう一度'), events.sticker(userId));
    expect(await writes()).toBe(0);
    // A step that changes the state is still written.
    await say(userId, events.postback(userId, 'action=start&service=settings'));
    expect(await writes()).toBe(1);
  });

  it('records when each event started and finished, in the same commit as its outcome', async () => {
    const userId = newUserId();
    const before = Date.now();
    const rows = await say(userId, events.follow(userId), events.text(userId, 'こんにちは'), events.sticker(userId));
    expect(rows.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    for (const r of rows) {
      expect(r.started_at!).toBeGreaterThanOrEqual(before);
      expect(r.finished_at!).toBeGreaterThanOrEqual(r.started_at!);
    }
  });

  it('arms the alarm with the first rows, and keeps a retry backoff already set', async () => {
    const userId = newUserId();
    const stub = conversation(userId);
    const first = events.follow(userId);
    await stub.enqueue([{ key: first.webhookEventId, event: first }], 'https://bot.example.jp');
    // Nobody runs the alarm by hand here: the event is worked because enqueue armed it.
    for (let i = 0; i < 200 && (await stub.inbox())[0]?.status !== 'done'; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect((await stub.inbox())[0]?.status).toBe('done');
    const later = Date.now() + 60_000;
    await runInDurableObject(stub, (_o: unknown, state) => state.storage.setAlarm(later));
    const second = events.text(userId, 'こんにちは');
    await stub.enqueue([{ key: second.webhookEventId, event: second }], 'https://bot.example.jp');
    expect(await runInDurableObject(stub, (_o: unknown, state) => state.storage.getAlarm())).toBe(later);
    expect((await drain(userId)).map((r) => r.status)).toEqual(['done', 'done']);
  });

  it('works every event of a burst once, in order, with redeliveries in between', async () => {
    const userId = newUserId();
    const evs = Array.from({ length: 6 }, () => events.postback(userId, `action=consent&v=${TERMS}`));
    const posts = evs.flatMap((ev, i) => (i % 2 ? [ev, { ...ev, deliveryContext: { isRedelivery: true } }] : [ev]));
    const answers = await Promise.all(posts.map((ev) => postWebhook(envelope([ev]))));
    expect(answers.map((r) => r.status)).toEqual(posts.map(() => 200));
    const rows = await drain(userId);
    expect(rows.map((r) => r.event_key).sort()).toEqual(evs.map((e) => e.webhookEventId).sort());
    const history = await env.DB.prepare('SELECT count(*) AS n FROM consents WHERE line_user_id = ?')
      .bind(userId)
      .first<{ n: number }>();
    expect(history!.n).toBe(evs.length);
    const replies = (await fake.requests({ to: userId })).filter((r) => r.path.endsWith('/reply'));
    const byToken = new Map(evs.map((e, i) => [e.replyToken, i]));
    const order = replies.map((r) => byToken.get((r.body as { replyToken: string }).replyToken));
    // One answer per event, sent in the order the inbox took them.
    expect(order).toHaveLength(evs.length);
    const seqOf = new Map(rows.map((r) => [r.event_key, r.seq]));
    const expected = [...evs]
      .sort((a, b) => seqOf.get(a.webhookEventId)! - seqOf.get(b.webhookEventId)!)
      .map((e) => byToken.get(e.replyToken));
    expect(order).toEqual(expected);
  });
});

describe('what is built once (issue 12)', () => {
  it('keeps one configuration, one pair of LINE clients and one database client per env', () => {
    expect(config(env)).toBe(config(env));
    expect(lineClients(env)).toBe(lineClients(env));
    expect(db(env.DB)).toBe(db(env.DB));
    // A test env with other vars is another key, so it never sees the first env's clients.
    const other = { ...env, LINE_API_BASE_URL: 'https://other.example' };
    expect(lineClients(other)).not.toBe(lineClients(env));
    expect(config(other).lineApiBaseUrl).toBe('https://other.example');
  });
});
