import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../src/calendar/jst';
import { DEFAULTS } from '../src/config';
import { DEDUPE_RETENTION_MS } from '../src/conversation/inbox';
import { stateAfterErasure } from '../src/residents/erase';
import { HOUR_MS, sweepSlice } from '../src/retention/rules';
import { runRetention } from '../src/retention/runner';
import { conversation, drain, events, fake, say } from './helpers/line';
import { resident, storedReport } from './helpers/reports';

/**
 * 5. Retention inside the residents' ConversationDOs: the unfollow anonymisation empties the
 * object, and the 7-day inbox period holds for residents who never send another event.
 */

const AFTER_UNFOLLOW = DEFAULTS.ANONYMISE_AFTER_UNFOLLOW_DAYS * DAY_MS;

async function userRow(u: string) {
  return env.DB.prepare('SELECT * FROM users WHERE line_user_id = ?').bind(u).first<Record<string, any>>();
}

/** What the object holds: its tables (the runtime's own hidden ones aside), key-value entries and alarm. */
async function held(u: string) {
  return runInDurableObject(conversation(u), async (_o: unknown, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'`,
      )
      .toArray()
      .map((r) => r.name)
      .filter((n) => n !== 'sqlite_sequence'),
    entries: (await state.storage.list()).size,
    alarm: await state.storage.getAlarm(),
  }));
}

/** Sets `finished_at` of the resident's inbox rows, oldest first, to the given times. */
async function finishedAt(u: string, ...times: number[]) {
  const rows = await conversation(u).inbox();
  await runInDurableObject(conversation(u), async (_o: unknown, state) => {
    rows.forEach((r, i) => {
      const at = times[Math.min(i, times.length - 1)]!;
      state.storage.sql.exec(`UPDATE inbox SET finished_at = ? WHERE seq = ?`, at, r.seq);
    });
  });
  return rows.map((r) => r.seq);
}

/** A resident who followed, consented, reported, chatted and then blocked the account at `blockedAt`. */
async function unfollowed(blockedAt: number) {
  const u = await resident();
  await storedReport(u);
  await say(u, events.text(u, 'こんにちは'));
  await say(u, events.unfollow(u));
  await env.DB.prepare('UPDATE users SET blocked_at = ? WHERE line_user_id = ?').bind(blockedAt, u).run();
  return u;
}

describe('the unfollow anonymisation empties the conversation', () => {
  it('not at 89 days; at 90 days the object holds nothing (rows, state, alarm), audited by count; a re-follow starts as new', async () => {
    const t0 = Date.now() - AFTER_UNFOLLOW - 5 * DAY_MS;
    const u = await unfollowed(t0);
    const handle = (await userRow(u))!.handle as string;
    const rows = (await conversation(u).inbox()).length;
    expect(rows).toBeGreaterThan(3);

    await runRetention(env, t0 + 89 * DAY_MS);
    expect((await held(u)).tables.sort()).toEqual(['inbox', 'kv']);

    await runRetention(env, t0 + 90 * DAY_MS);
    expect(await userRow(u)).toBeNull();
    expect(await held(u)).toEqual({ tables: [], entries: 0, alarm: null });
    const audit = await env.DB.prepare(
      `SELECT detail FROM audit_log WHERE action = 'resident.anonymise' AND target_id = ?`,
    )
      .bind(handle)
      .first<{ detail: string }>();
    expect(JSON.parse(audit!.detail)).toMatchObject({ conversation_inbox: rows, users: 1 });

    // Back after the erasure: greeted and asked to consent as a new resident, with a new handle.
    const before = (await fake.messagesTo(u)).length;
    await say(u, events.follow(u));
    const greeting = (await fake.messagesTo(u)).slice(before);
    expect(greeting.length).toBe(2);
    expect(greeting[1]!.template.actions[0].data).toMatch(/^action=consent&/);
    const again = await userRow(u);
    expect(again).toMatchObject({ status: 'following', consent_version: null });
    expect(again!.handle).not.toBe(handle);
    expect((await conversation(u).inbox()).length).toBe(1);
  });

  it('is refused while an event waits in the inbox (a re-follow on its way): nothing is erased, the follow goes on', async () => {
    const t0 = Date.now() - AFTER_UNFOLLOW - 5 * DAY_MS;
    const u = await unfollowed(t0);
    const follow = events.follow(u);
    // The follow is stored, not yet worked: as if the clean-up ran between the ack and the alarm.
    await runInDurableObject(conversation(u), async (_o: unknown, state) => {
      state.storage.sql.exec(
        `INSERT INTO inbox (event_key, event, origin, received_at) VALUES (?, ?, 'https://bot.example.jp', ?)`,
        follow.webhookEventId,
        JSON.stringify(follow),
        Date.now(),
      );
    });
    expect(await conversation(u).forget(Date.now())).toEqual({ forgotten: false, inboxRows: 0 });
    await runRetention(env, t0 + 90 * DAY_MS);
    expect(await userRow(u)).toMatchObject({ status: 'blocked', consent_version: env.TERMS_VERSION });
    expect((await held(u)).tables.length).toBe(2);

    await runInDurableObject(conversation(u), async (_o: unknown, state) => state.storage.setAlarm(Date.now()));
    await drain(u);
    await runRetention(env, t0 + 91 * DAY_MS);
    expect(await userRow(u)).toMatchObject({ status: 'following', consent_version: env.TERMS_VERSION });
  });

  it('keeps only the guess limits that still count, as データの削除 does', () => {
    const now = 1_000 * DAY_MS;
    const table: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['nothing', {}, {}],
      [
        'a flow and the policy throttle go',
        { flow: { name: 'report', step: 'x', data: {}, updatedAt: now }, lastPolicyAnswerAt: now },
        {},
      ],
      [
        'the last hour of each guess limit stays',
        {
          wrongLinkCodesAt: [now - HOUR_MS, now - HOUR_MS + 1],
          wrongPupilCodesAt: [now - 10],
          wrongInviteCodesAt: [now - 2 * HOUR_MS],
        },
        { wrongLinkCodesAt: [now - HOUR_MS + 1], wrongPupilCodesAt: [now - 10] },
      ],
      ['after 90 days nothing is left', { wrongLinkCodesAt: [now - 90 * DAY_MS] }, {}],
    ];
    for (const [name, state, kept] of table) expect(stateAfterErasure(state, now), name).toEqual(kept);
  });
});

describe('inbox rows of residents who send nothing more', () => {
  it('go once finished 7 days ago: 6 d 23 h is kept, 7 d 1 h is pruned, and the run counts them', async () => {
    expect(DEDUPE_RETENTION_MS).toBe(7 * DAY_MS);
    const u = await resident();
    const now = Date.now();
    const [old, recent] = await finishedAt(u, now - 7 * DAY_MS - HOUR_MS, now - 7 * DAY_MS + HOUR_MS);
    const removed = await runRetention(env, now);
    expect(removed.conversation_inbox).toBe(1);
    const left = (await conversation(u).inbox()).map((r) => r.seq);
    expect(left).toEqual([recent]);
    expect(left).not.toContain(old);
    const run = await env.DB.prepare('SELECT removed FROM retention_runs WHERE at = ? ORDER BY id DESC')
      .bind(now)
      .first<{ removed: string }>();
    expect(JSON.parse(run!.removed).conversation_inbox).toBe(1);
    // Idempotent: the same run again finds nothing.
    expect((await runRetention(env, now)).conversation_inbox).toBe(0);
  });

  it('a resident who has left (blocked, inside the 90 days) loses them too; an object never used gets no tables', async () => {
    const u = await resident();
    await say(u, events.unfollow(u));
    const now = Date.now() + 8 * DAY_MS;
    await runRetention(env, now);
    expect(await conversation(u).inbox()).toEqual([]);
    expect(await userRow(u)).toMatchObject({ status: 'blocked' });

    const stranger = `U${crypto.randomUUID().replace(/-/g, '')}`;
    expect(await conversation(stranger).pruneInbox(now)).toBe(0);
    expect((await held(stranger)).tables).toEqual([]);
  });

  it('a backlog larger than one run drains over several hourly slices, never more residents than the limit', async () => {
    const limit = 2;
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) mine.push(await resident());
    const old = Date.now() - 8 * DAY_MS;
    for (const u of mine) await finishedAt(u, old);
    const rowids = new Map<string, number>();
    for (const u of mine) {
      const r = await env.DB.prepare('SELECT rowid AS n FROM users WHERE line_user_id = ?')
        .bind(u)
        .first<{ n: number }>();
      rowids.set(u, r!.n);
    }
    const top = (await env.DB.prepare('SELECT max(rowid) AS n FROM users').first<{ n: number }>())!.n;
    const slices = Math.ceil(top / limit);
    const firstHour = Math.ceil(Date.now() / HOUR_MS / slices) * slices;
    const sliceOf = (u: string) => Math.floor((rowids.get(u)! - 1) / limit);
    const due = [...new Set(mine.map(sliceOf))].sort((a, b) => a - b);
    expect(due.length).toBeGreaterThan(1);

    const pruned = async () => {
      let n = 0;
      for (const u of mine) if ((await conversation(u).inbox()).length === 0) n++;
      return n;
    };
    const afterEach: number[] = [];
    for (const k of due) {
      const now = (firstHour + k) * HOUR_MS;
      expect(sweepSlice(top, limit, now)).toEqual({ after: k * limit, upTo: (k + 1) * limit });
      const removed = await runRetention(env, now, limit);
      expect(removed.conversation_inbox).toBeGreaterThanOrEqual(2 * mine.filter((u) => sliceOf(u) === k).length);
      afterEach.push(await pruned());
    }
    expect(afterEach.at(-1)).toBe(3);
    expect(afterEach[0]).toBeLessThan(3);
  });

  it('slices the residents by hour as a table: each is asked once a cycle, at most `limit` a run', () => {
    const h = (n: number) => n * HOUR_MS + 5;
    const table: [string, number, number, number, { after: number; upTo: number } | null][] = [
      ['no residents', 0, 500, h(7), null],
      ['all in one slice', 120, 500, h(7), { after: 0, upTo: 500 }],
      ['five residents, two a run: hour 0', 5, 2, h(0), { after: 0, upTo: 2 }],
      ['hour 1', 5, 2, h(1), { after: 2, upTo: 4 }],
      ['hour 2', 5, 2, h(2), { after: 4, upTo: 6 }],
      ['hour 3 starts again', 5, 2, h(3), { after: 0, upTo: 2 }],
      ['the same hour asks the same slice', 5, 2, h(3) + 59 * 60_000, { after: 0, upTo: 2 }],
    ];
    for (const [name, top, limit, now, slice] of table) expect(sweepSlice(top, limit, now), name).toEqual(slice);
  });
});
