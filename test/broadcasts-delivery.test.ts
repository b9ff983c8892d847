import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { StaffPrincipal } from '../src/admin/auth';
import { progress } from '../src/broadcasts/dispatcher';
import { cancelBroadcast } from '../src/broadcasts/service';
import { jst } from '../src/calendar/jst';
import { db } from '../src/db/client';
import { broadcastBatches } from '../src/db/schema';
import { api } from './helpers/api';
import { fake } from './helpers/line';
import {
  addResidents,
  afterFirstRead,
  approvedBroadcast,
  cron,
  dispatcherStub,
  getBroadcast,
  settle,
  team,
  textMessage,
  uniqueWard,
} from './helpers/broadcasts';

const MULTICAST = '/v2/bot/message/multicast';

/** The accepted multicasts that reached any of `ids`, found by recipient (the fake is shared by parallel files). */
async function multicastsTo(ids: string[]) {
  const mine = new Set(ids);
  return (await fake.requests({ path: MULTICAST })).filter((r) => r.to.some((u) => mine.has(u)));
}

/** Waits until a multicast to `to` has been taken by LINE and is still waiting for its answer. */
async function inFlight(to: string) {
  const deadline = Date.now() + 10_000;
  while (!(await fake.attempts({ to, path: MULTICAST })).some((a) => a.status === 0)) {
    if (Date.now() > deadline) throw new Error('the multicast never went out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * One resident's broadcast, released by the cron at `releaseAt`, with its dispatcher's slice
 * running and its one multicast taken by LINE and still waiting for its answer (600 ms).
 */
async function sliceInFlight(t: Awaited<ReturnType<typeof team>>, releaseAt: number) {
  const ward = uniqueWard();
  const [resident] = await addResidents([{ ward }]);
  await fake.inject({
    path: MULTICAST,
    to: resident!,
    status: 200,
    times: 1,
    delayMs: 600,
    acceptFirst: true,
    body: {},
  });
  const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
  await cron(releaseAt);
  const slice = runDurableObjectAlarm(dispatcherStub(id));
  await inFlight(resident!);
  return { id, slice };
}

/** Every recipient of the accepted multicasts, counted: exactly-once means every count is 1. */
function recipientCounts(reqs: { to: string[] }[]) {
  const counts = new Map<string, number>();
  for (const r of reqs) for (const id of r.to) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe('cron releases inside operating hours', { timeout: 20_000 }, async () => {
  const t = await team();

  it.each([
    ['Fri 08:29', '2026-12-04T08:29', false],
    ['Fri 08:30', '2026-12-04T08:30', true],
    ['Fri 17:59', '2026-12-04T17:59', true],
    ['Fri 18:00', '2026-12-04T18:00', false],
    ['Sat (weekend)', '2026-12-05T10:00', false],
    ['Mon 11/23 (national holiday)', '2026-11-23T10:00', false],
    ['Wed 5/6/2026 (substitute holiday)', '2026-05-06T10:00', false],
    ['Tue 12/29 (year-end)', '2026-12-29T10:00', false],
    ['Mon 1/3/2028 (new year)', '2028-01-03T10:00', false],
    ['Tue 1/4/2028 (office open)', '2028-01-04T10:00', true],
  ])('%s → released: %s', async (_label, local, released) => {
    const ward = uniqueWard();
    const [resident] = await addResidents([{ ward }]);
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(jst(local));
    const b = await getBroadcast(id);
    if (!released) {
      expect(b.status).toBe('scheduled');
      expect(b.nextReleaseAt).not.toBeNull();
      expect((await api(`/broadcasts/${id}/cancel`, { token: t.author.token, method: 'POST' })).status).toBe(200);
      expect(await fake.requests({ to: resident! })).toEqual([]);
      return;
    }
    expect(b.status).toBe('sending');
    const done = await settle(id);
    expect(done.status).toBe('sent');
    expect((await fake.requests({ to: resident!, path: MULTICAST })).length).toBe(1);
  });

  it('an extra closure day added through the API holds city broadcasts until the next office day', async () => {
    const add = await api('/closure-days', { method: 'POST', body: { date: '2026-12-14', reason: '庁舎設備点検' } });
    expect(add.status).toBe(201);
    const ward = uniqueWard();
    await addResidents([{ ward }]);
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(jst('2026-12-14T10:00'));
    expect((await getBroadcast(id)).status).toBe('scheduled');
    await cron(jst('2026-12-15T08:30'));
    expect((await settle(id)).status).toBe('sent');
  });

  it('urgent (admin only) is released on a Sunday night', async () => {
    const ward = uniqueWard();
    const [resident] = await addResidents([{ ward }]);
    const res = await api('/broadcasts', {
      method: 'POST',
      body: {
        title: '避難情報',
        messages: [textMessage()],
        audience: { type: 'segment', wards: [ward] },
        urgent: true,
      },
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await api(`/broadcasts/${id}/approve`, { token: t.approver.token, method: 'POST' })).status).toBe(200);
    await cron(jst('2026-12-06T23:00'));
    expect((await settle(id)).status).toBe('sent');
    expect((await fake.requests({ to: resident!, path: MULTICAST })).length).toBe(1);
  });

  it('a broadcast scheduled for later waits for its time, then for the window', async () => {
    const ward = uniqueWard();
    await addResidents([{ ward }]);
    const id = await approvedBroadcast(t, {
      audience: { type: 'segment', wards: [ward] },
      scheduledAt: '2026-12-10T13:00:00+09:00',
    });
    await cron(jst('2026-12-10T12:59'));
    expect((await getBroadcast(id)).status).toBe('scheduled');
    await cron(jst('2026-12-10T13:00'));
    expect((await settle(id)).status).toBe('sent');
  });

  it('a broadcast not yet approved is never released', async () => {
    const ward = uniqueWard();
    const [resident] = await addResidents([{ ward }]);
    const res = await api('/broadcasts', {
      token: t.author.token,
      method: 'POST',
      body: { title: 'x', messages: [textMessage()], audience: { type: 'segment', wards: [ward] } },
    });
    const { id } = (await res.json()) as { id: string };
    await cron(jst('2026-12-04T10:00'));
    expect((await getBroadcast(id)).status).toBe('pending_approval');
    expect(await fake.requests({ to: resident! })).toEqual([]);
  });
});

// Retries, pauses and the 1,000-recipient sends take a few seconds each.
describe('delivery', { timeout: 20_000 }, async () => {
  const t = await team();
  const OPEN = jst('2026-12-04T10:00');

  it('a segment of 1,200 → 3 multicasts of distinct recipients, none blocked or outside the segment, each once', async () => {
    const ward = uniqueWard();
    const ids = await addResidents(Array.from({ length: 1200 }, () => ({ ward })));
    const [blocked] = await addResidents([{ ward, status: 'blocked' }]);
    const [elsewhere] = await addResidents([{ ward: uniqueWard() }]);
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(OPEN);
    const b = await settle(id);
    expect(b.status).toBe('sent');
    expect(b.progress).toMatchObject({ batches: 3, recipients: 1200, delivered: 1200, failed: 0, pending: 0 });
    expect(b.batches.map((x) => x.recipients)).toEqual([500, 500, 200]);

    const reqs = await multicastsTo(ids);
    expect(reqs.length).toBe(3);
    expect(new Set(reqs.map((r) => r.retryKey)).size).toBe(3);
    const counts = recipientCounts(reqs);
    expect(counts.size).toBe(1200);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(ids.every((u) => counts.has(u))).toBe(true);
    expect(await fake.requests({ to: blocked! })).toEqual([]);
    expect(await fake.requests({ to: elsewhere! })).toEqual([]);
  });

  it('exactly once under a lost answer (500 after accepting), a timeout and a 429: retries carry the same key', async () => {
    const ward = uniqueWard();
    const ids = (await addResidents(Array.from({ length: 1001 }, () => ({ ward })))).sort();
    const [first, second, third] = [ids[0]!, ids[500]!, ids[1000]!];
    // Batch 0: LINE accepts it and the answer is lost. Batch 1: no answer within the timeout. Batch 2: rate limited.
    await fake.inject({ path: MULTICAST, to: first, status: 500, times: 1, acceptFirst: true });
    await fake.inject({ path: MULTICAST, to: second, status: 500, times: 1, delayMs: 1500, acceptFirst: true });
    await fake.inject({ path: MULTICAST, to: third, status: 429, times: 1 });
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(OPEN);
    const b = await settle(id);
    expect(b.status).toBe('sent');
    expect(b.progress).toMatchObject({ recipients: 1001, delivered: 1001, failed: 0 });

    const counts = recipientCounts(await multicastsTo(ids));
    expect(counts.size).toBe(1001);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    for (const [who, statuses] of [
      [first, [500, 409]],
      [third, [429, 200]],
    ] as const) {
      const attempts = await fake.attempts({ to: who, path: MULTICAST });
      expect(attempts.map((a) => a.status)).toEqual(statuses);
      expect(new Set(attempts.map((a) => a.retryKey)).size).toBe(1);
    }
    const slow = await fake.attempts({ to: second, path: MULTICAST });
    expect(slow.length).toBeGreaterThanOrEqual(2);
    expect(new Set(slow.map((a) => a.retryKey)).size).toBe(1);
  });

  it('5xx is retried with the same key until LINE accepts', async () => {
    const ward = uniqueWard();
    const [a, bId] = await addResidents([{ ward }, { ward }]);
    await fake.inject({ path: MULTICAST, to: a!, status: 503, times: 2 });
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(OPEN);
    const b = await settle(id);
    expect(b.status).toBe('sent');
    expect(b.batches[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    const attempts = await fake.attempts({ to: bId!, path: MULTICAST });
    expect(attempts.map((x) => x.status)).toEqual([503, 503, 200]);
    expect(new Set(attempts.map((x) => x.retryKey)).size).toBe(1);
  });

  it('another 4xx fails its batch with LINE’s message and is not retried; the rest is delivered', async () => {
    const ward = uniqueWard();
    const ids = (await addResidents(Array.from({ length: 501 }, () => ({ ward })))).sort();
    await fake.inject({
      path: MULTICAST,
      to: ids[500]!,
      status: 400,
      times: 1,
      body: {
        message: 'The request body has 1 error(s)',
        details: [{ message: 'May not be empty', property: 'messages[0].text' }],
      },
    });
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(OPEN);
    const b = await settle(id);
    expect(b.status).toBe('partially_failed');
    expect(b.progress).toMatchObject({ recipients: 501, delivered: 500, failed: 1 });
    expect(b.batches[1]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(b.batches[1]!.error).toContain('messages[0].text: May not be empty');
    expect((await fake.attempts({ to: ids[500]!, path: MULTICAST })).length).toBe(1);
  });

  it('“all friends” is one LINE broadcast call with a retry key', async () => {
    const marker = `全員へ ${crypto.randomUUID()}`;
    const id = await approvedBroadcast(t, { audience: { type: 'all' }, messages: [textMessage(marker)] });
    await cron(OPEN);
    const b = await settle(id);
    expect(b.status).toBe('sent');
    expect(b.batches.map((x) => x.kind)).toEqual(['broadcast']);
    const calls = (await fake.requests({ path: '/v2/bot/message/broadcast' })).filter((r) =>
      JSON.stringify(r.body).includes(marker),
    );
    expect(calls.length).toBe(1);
    expect(calls[0]!.retryKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('cancel during sending stops the remaining batches', async () => {
    const ward = uniqueWard();
    const ids = (await addResidents(Array.from({ length: 1001 }, () => ({ ward })))).sort();
    // Batches 1 and 2 are held back by LINE's rate limit while batch 0 goes out.
    await fake.inject({ path: MULTICAST, to: ids[500]!, status: 429, times: 10_000 });
    await fake.inject({ path: MULTICAST, to: ids[1000]!, status: 429, times: 10_000 });
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(OPEN);
    const mid = await settle(
      id,
      (b) =>
        b.batches.length === 3 &&
        b.batches[0]!.status === 'delivered' &&
        b.batches.slice(1).every((x) => x.error !== null),
    );
    expect(mid.status).toBe('sending');
    expect((await api(`/broadcasts/${id}/cancel`, { token: t.author.token, method: 'POST' })).status).toBe(200);
    const b = await settle(id);
    expect(b.status).toBe('cancelled');
    expect(b.batches.map((x) => x.status)).toEqual(['delivered', 'cancelled', 'cancelled']);
    expect(b.progress).toMatchObject({ delivered: 500, cancelled: 501, pending: 0 });
    const counts = recipientCounts(await multicastsTo(ids));
    expect(counts.size).toBe(500);
    expect(counts.has(ids[500]!)).toBe(false);
    expect(counts.has(ids[1000]!)).toBe(false);
  });

  it('a batch given up after attempts that all went unanswered counts as unknown, not failed', async () => {
    const d = db(env.DB);
    const broadcastId = crypto.randomUUID();
    const row = (
      seq: number,
      status: 'delivered' | 'unanswered' | 'failed',
      recipientCount: number,
      attempts: number,
    ) => ({
      id: crypto.randomUUID(),
      broadcastId,
      seq,
      kind: 'multicast' as const,
      retryKey: crypto.randomUUID(),
      recipients: [],
      recipientCount,
      status,
      attempts,
      updatedAt: Date.now(),
    });
    await d
      .insert(broadcastBatches)
      .values([row(0, 'delivered', 500, 1), row(1, 'unanswered', 20, 8), row(2, 'failed', 3, 1)]);
    expect(await progress(d, broadcastId)).toMatchObject({
      recipients: 523,
      delivered: 500,
      unknown: 20,
      failed: 3,
      pending: 0,
    });
  });

  it('a batch whose answer was lost and that is cancelled before its retry is counted unknown, not cancelled', async () => {
    const ward = uniqueWard();
    const ids = (await addResidents(Array.from({ length: 501 }, () => ({ ward })))).sort();
    // Batch 0: LINE accepts it, the answer is lost, and every retry meets a 503. Batch 1: never gets past the rate limit.
    await fake.inject({ path: MULTICAST, to: ids[0]!, status: 500, times: 1, acceptFirst: true });
    await fake.inject({ path: MULTICAST, to: ids[0]!, status: 503, times: 10_000 });
    await fake.inject({ path: MULTICAST, to: ids[500]!, status: 429, times: 10_000 });
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(OPEN);
    await settle(id, (b) => b.batches.length === 2 && b.batches[0]!.attempts >= 2 && b.batches[1]!.error !== null);
    expect((await api(`/broadcasts/${id}/cancel`, { token: t.author.token, method: 'POST' })).status).toBe(200);
    const b = await settle(id);
    expect(b.status).toBe('cancelled');
    // LINE did deliver batch 0: it must not be reported as cancelled.
    expect((await multicastsTo(ids)).length).toBe(1);
    expect(b.batches.map((x) => x.status)).toEqual(['unknown', 'cancelled']);
    expect(b.progress).toMatchObject({ recipients: 501, delivered: 0, unknown: 500, cancelled: 1, pending: 0 });
  });

  it('a cancel that reaches D1 (not the dispatcher) while the last batch is in flight: no end is audited that did not happen', async () => {
    const { id, slice } = await sliceInFlight(t, OPEN);
    // As cancelBroadcast leaves it when telling the dispatcher fails.
    await env.DB.prepare(`UPDATE broadcasts SET status = 'cancelled' WHERE id = ?`).bind(id).run();
    await slice;
    const b = await settle(id);
    expect(b.status).toBe('cancelled');
    expect(b.batches.map((x) => x.status)).toEqual(['delivered']);
    const { results } = await env.DB.prepare(
      `SELECT action FROM audit_log WHERE target_type = 'broadcast' AND target_id = ? ORDER BY id`,
    )
      .bind(id)
      .all<{ action: string }>();
    expect(results.map((r) => r.action)).toEqual(['broadcast.create', 'broadcast.approve', 'broadcast.release']);
  });

  it('an alarm run while a slice is sending leaves the slice its watchdog (what resumes it after an eviction)', async () => {
    const { id, slice } = await sliceInFlight(t, OPEN);
    // Running an alarm uses it up; this one (or the runtime's own, fired by the cron's nudge) finds the slice working.
    await runDurableObjectAlarm(dispatcherStub(id));
    const alarm = await runInDurableObject(dispatcherStub(id), (_i: unknown, state: DurableObjectState) =>
      state.storage.getAlarm(),
    );
    expect(alarm).not.toBeNull();
    await slice;
    expect((await settle(id)).status).toBe('sent');
  });

  it('broadcasts released together share one sender: their calls never overlap, so LINE’s per-channel rate holds', async () => {
    const wardA = uniqueWard();
    const wardB = uniqueWard();
    const [a] = await addResidents([{ ward: wardA }]);
    const [b] = await addResidents([{ ward: wardB }]);
    for (const who of [a!, b!])
      await fake.inject({ path: MULTICAST, to: who, status: 200, times: 1, delayMs: 500, acceptFirst: true, body: {} });
    const idA = await approvedBroadcast(t, { audience: { type: 'segment', wards: [wardA] } });
    const idB = await approvedBroadcast(t, { audience: { type: 'segment', wards: [wardB] } });
    await cron(OPEN);
    const [doneA, doneB] = await Promise.all([settle(idA), settle(idB)]);
    expect([doneA.status, doneB.status]).toEqual(['sent', 'sent']);
    const [callA] = await fake.attempts({ to: a!, path: MULTICAST });
    const [callB] = await fake.attempts({ to: b!, path: MULTICAST });
    expect(Math.abs(callA!.at - callB!.at)).toBeGreaterThanOrEqual(500);
  });

  it('a cancel that reads “scheduled” while the cron releases it still stops the send at once', async () => {
    const ward = uniqueWard();
    const ids = (await addResidents(Array.from({ length: 501 }, () => ({ ward })))).sort();
    // Batch 0 is slow; batch 1 meets one 429, so without a stop it goes out about a second later.
    await fake.inject({
      path: MULTICAST,
      to: ids[0]!,
      status: 200,
      times: 1,
      delayMs: 400,
      acceptFirst: true,
      body: {},
    });
    await fake.inject({ path: MULTICAST, to: ids[500]!, status: 429, times: 1 });
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    let slice: Promise<unknown> = Promise.resolve();
    // The cancel reads the broadcast as scheduled; then the cron releases it and the dispatcher starts sending.
    const d = db(
      afterFirstRead(env.DB, async () => {
        await cron(OPEN);
        slice = runDurableObjectAlarm(dispatcherStub(id));
        await inFlight(ids[0]!);
      }),
    );
    const by = { id: t.author.id, name: 'author', roles: ['broadcaster'], scopes: {} } as StaffPrincipal;
    expect(await cancelBroadcast(env, d, by, id)).toEqual({ id, status: 'cancelled' });
    await slice;
    const b = await settle(id);
    expect(b.status).toBe('cancelled');
    expect(b.batches.map((x) => x.status)).toEqual(['delivered', 'cancelled']);
    expect(await fake.requests({ to: ids[500]!, path: MULTICAST })).toEqual([]);
  });

  it('a send the monthly quota will not cover fails clearly and sends nothing', async () => {
    // The quota is the whole channel's, and other files send at the same time: it is lowered to
    // leave HEADROOM, more than any other file sends at once, and this send needs more than that.
    const HEADROOM = 10_000;
    const BULK = 20_000;
    const ward = uniqueWard();
    const ids = await addResidents([{ ward }, { ward }, { ward }]);
    await env.DB.prepare(
      `INSERT INTO users (line_user_id, status, ward, interests, followed_at, created_at, updated_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       SELECT 'U' || lower(hex(randomblob(16))), 'following', ?, '[]', ?3, ?3, ?3 FROM n`,
    )
      .bind(BULK, ward, Date.now())
      .run();
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    const used = (await (
      await fetch('https://api.line.me/v2/bot/message/quota/consumption', { headers: { authorization: 'Bearer t' } })
    ).json()) as { totalUsage: number };
    await fake.quota({ type: 'limited', value: used.totalUsage + HEADROOM });
    try {
      await cron(OPEN);
      const b = await settle(id);
      expect(b.status).toBe('failed');
      expect(b.failureReason).toMatch(new RegExp(`monthly message quota.* ${BULK + 3} messages needed`));
      expect(b.batches).toEqual([]);
    } finally {
      await fake.quota({ type: 'limited', value: 1_000_000 });
      await env.DB.prepare('DELETE FROM users WHERE ward = ?').bind(ward).run();
    }
    for (const u of ids) expect(await fake.requests({ to: u })).toEqual([]);
    expect(await multicastsTo(ids)).toEqual([]);
  });

  it('nudges from the cron while sending, and a dispatcher run after the end, send nothing twice', async () => {
    const ward = uniqueWard();
    const ids = (await addResidents(Array.from({ length: 501 }, () => ({ ward })))).sort();
    // The second batch stays pending behind 503s while the cron nudges the dispatcher again.
    await fake.inject({ path: MULTICAST, to: ids[500]!, status: 503, times: 2 });
    const id = await approvedBroadcast(t, { audience: { type: 'segment', wards: [ward] } });
    await cron(OPEN);
    await settle(id, (b) => b.batches[0]?.status === 'delivered');
    await cron(OPEN + 60_000);
    expect((await settle(id)).status).toBe('sent');
    // A late alarm or start (e.g. after an eviction) finds nothing pending and re-resolves nobody.
    await dispatcherStub(id).start();
    await runDurableObjectAlarm(dispatcherStub(id));
    const b = await getBroadcast(id);
    expect(b.status).toBe('sent');
    expect(b.batches.length).toBe(2);
    const counts = recipientCounts(await multicastsTo(ids));
    expect(counts.size).toBe(501);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});
