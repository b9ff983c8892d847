import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jst } from '../src/calendar/jst';
import { addResidents, approvedBroadcast, cron, dispatcherStub, settle, team } from './helpers/broadcasts';
import { drainLong } from './helpers/chaos';
import { jpegWithGps } from './helpers/images';
import { conversation, drain, envelope, events, fake, postWebhook, say } from './helpers/line';
import { flowState, press, reportsOf, reportUpTo, resident, turn } from './helpers/reports';

/**
 * Fault injection inside workerd (issue 12, section 3): Durable Objects evicted mid-flow and
 * mid-send, D1 failing under the conversation, the content API failing under a report.
 * Transient LINE failures of single calls are in conversation.test.ts and broadcasts-delivery.test.ts;
 * a whole day of them is chaos-day.test.ts.
 */

/** Evicts a Durable Object as the runtime does (its memory is gone; its storage stays). */
async function evict(stub: DurableObjectStub): Promise<void> {
  await runInDurableObject(stub, (_instance: unknown, state: DurableObjectState) => {
    state.abort('evicted by the test');
  }).catch(() => undefined);
}

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A D1 binding whose first `failures` statements throw as an unavailable D1 does. */
function failingD1(d1: D1Database, failures: number): D1Database & { failed: number } {
  let failed = 0;
  const fail = () => {
    if (failed >= failures) return false;
    failed += 1;
    return true;
  };
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'bind') return (...args: unknown[]) => wrap(target.bind(...args));
        return (...args: unknown[]) => {
          if (fail()) return Promise.reject(new Error('D1_ERROR: Network connection lost.'));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === 'failed') return failed;
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (prop === 'batch')
        return (stmts: D1PreparedStatement[]) =>
          fail() ? Promise.reject(new Error('D1_ERROR: Network connection lost.')) : target.batch(stmts);
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as D1Database & { failed: number };
}

describe('a ConversationDO evicted mid-flow', () => {
  it('between two events: the next event continues the stored draft', async () => {
    const u = await resident();
    const at = await reportUpTo(u, 'photos');
    const before = (await flowState(u)).flow!;
    await evict(conversation(u));
    expect((await flowState(u)).flow).toEqual(before);
    const msgs = await turn(u, press(u, 'photos', 'next'));
    expect(msgs[0]!.text).toContain('1,000文字');
    expect((await flowState(u)).flow!.data).toMatchObject({ lat: at.lat, lng: at.lng, category: 'road' });
  });

  it('while its answer is on the way to LINE: the new instance sends it once, the draft is intact, the report is stored once', async () => {
    const u = await resident();
    await reportUpTo(u, 'confirm');
    // LINE takes the reply, then holds its answer: the instance is evicted while it waits.
    await fake.inject({
      path: '/v2/bot/message/reply',
      to: u,
      status: 200,
      acceptFirst: true,
      delayMs: 1_500,
      times: 1,
    });
    await postWebhook(envelope([press(u, 'confirm', 'send')]));
    const stub = conversation(u);
    const running = runDurableObjectAlarm(stub).catch(() => undefined);
    await waitFor(
      async () => (await fake.attempts({ to: u, path: '/v2/bot/message/reply' })).some((a) => a.status === 0),
      'the reply to be in flight',
    );
    await evict(stub);
    await running;
    const rows = await drainLong(u);
    expect(rows.at(-1)!.status).toBe('done');
    expect(await reportsOf(u)).toHaveLength(1);
    expect((await flowState(u)).flow).toBeUndefined();
    const receipts = (await fake.messagesTo(u)).filter((m) => /R-\d{4}-\d{6}/.test(m.text ?? ''));
    expect(receipts).toHaveLength(1);
  });
});

describe('a D1 error during processing', () => {
  it('leaves the event in the inbox, and the retry stores it once and answers once', async () => {
    const u = await resident();
    await reportUpTo(u, 'confirm');
    const stub = conversation(u);
    // D1 stays down until the test brings it back: the runtime fires the alarm on its own as well,
    // so a single failure could be retried before the test looks (a CI run saw exactly that).
    const broken = await runInDurableObject(stub, (instance) => {
      const held = instance as unknown as { env: Env };
      held.env = { ...held.env, DB: failingD1(held.env.DB, Number.POSITIVE_INFINITY) };
      return true;
    });
    expect(broken).toBe(true);
    const before = (await fake.messagesTo(u)).length;
    await postWebhook(envelope([press(u, 'confirm', 'send')]));
    await runDurableObjectAlarm(stub);
    await waitFor(async () => ((await stub.inbox()).at(-1)?.attempts ?? 0) >= 1, 'the first failed attempt');
    const row = (await stub.inbox()).at(-1)!;
    expect(row.status).toBe('pending');
    expect(row.last_error).toContain('Failed query');
    expect((await flowState(u)).flow!.step).toBe('confirm');
    expect(await reportsOf(u)).toHaveLength(0);
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { env: Env }).env = env as Env;
    });
    const rows = await drain(u);
    expect(rows.at(-1)!.status).toBe('done');
    expect(await reportsOf(u)).toHaveLength(1);
    const msgs = (await fake.messagesTo(u)).slice(before);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.text).toMatch(/R-\d{4}-\d{6}/);
  });
});

describe('the broadcast dispatcher evicted mid-send', () => {
  it('resumes from D1: the batch delivered before the eviction is not sent again, the one in flight goes out once', async () => {
    const t = await team();
    const ids = (await addResidents(Array.from({ length: 501 }, () => ({ ward: '中区' })))).sort();
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: ['中区'] } });
    // The second batch (the last recipient, by ID order) is taken by LINE and answered late.
    await fake.inject({
      path: '/v2/bot/message/multicast',
      to: ids[500]!,
      status: 200,
      acceptFirst: true,
      delayMs: 700,
      times: 1,
    });
    await cron(jst('2026-12-04T10:00'));
    const stub = dispatcherStub(id);
    const running = runDurableObjectAlarm(stub).catch(() => undefined);
    await waitFor(
      async () =>
        (await fake.attempts({ to: ids[500]!, path: '/v2/bot/message/multicast' })).some((a) => a.status === 0),
      'the second batch to be in flight',
    );
    await evict(stub);
    await running;
    // settle() asks a new stub each time (a stub to an evicted instance stays broken) and waits by the
    // clock, not by a count of tries: on a busy machine 50 quick tries ran out before the late answer.
    const b = await settle(id, (v) => v.status === 'sent' && v.progress.pending === 0);
    expect(b.status).toBe('sent');
    expect(b.progress).toMatchObject({ batches: 2, delivered: 501, pending: 0, unknown: 0 });
    // The first batch was tried once; the second may be tried again, with its key, and LINE took it once.
    expect(await fake.attempts({ to: ids[0]!, path: '/v2/bot/message/multicast' })).toHaveLength(1);
    const accepted = await fake.requests({ path: '/v2/bot/message/multicast' });
    for (const u of [ids[0]!, ids[499]!, ids[500]!])
      expect(
        accepted.filter((r) => r.to.includes(u)),
        u,
      ).toHaveLength(1);
  });
});

describe('content API failures during a report', () => {
  it('a photo LINE keeps failing to hand over: the draft stays and the resident is asked for the photo again', async () => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    const draft = (await flowState(u)).flow!;
    await fake.content(`${u}-gone`, jpegWithGps(), 'image/jpeg');
    await fake.inject({ path: `/v2/bot/message/${u}-gone/content`, status: 500, times: 100 });
    // Inside the window the inbox retries the event (report-flow.test.ts); its last tries come
    // about a minute after the photo was sent, which this event's timestamp stands for.
    const msgs = await turn(u, events.image(u, `${u}-gone`, { timestamp: Date.now() - 45_000 }));
    expect(msgs.map((m) => m.text).join('\n')).toContain('もう一度送ってください');
    const after = (await flowState(u)).flow!;
    expect(after.step).toBe('photos');
    expect(after.data).toEqual(draft.data);
  });

  it('a content API that fails twice and then answers: the photo is stored once and the report goes on', async () => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    await fake.content(`${u}-late`, jpegWithGps(), 'image/jpeg');
    await fake.inject({ path: `/v2/bot/message/${u}-late/content`, status: 503, times: 1 });
    await fake.inject({ path: `/v2/bot/message/${u}-late/content`, status: 429, times: 1 });
    await say(u, events.image(u, `${u}-late`));
    expect((await flowState(u)).flow!.data.photoIds).toHaveLength(1);
    const n = await env.DB.prepare('SELECT count(*) AS n FROM report_photos WHERE uploader_line_user_id = ?')
      .bind(u)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
  });
});
