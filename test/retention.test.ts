import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../src/calendar/jst';
import { DEFAULTS, parseConfig } from '../src/config';
import { RETENTION_KINDS } from '../src/retention/kinds';
import { auditExpired, HOUR_MS, periodPassed, retentionDue } from '../src/retention/rules';
import { runRetention } from '../src/retention/runner';
import { scheduled } from '../src/scheduled';
import { api, newStaff } from './helpers/api';
import { jpegWithGps } from './helpers/images';
import { events, say } from './helpers/line';
import { resident, storedReport } from './helpers/reports';
import { createSchool, importPupils, storedNotice } from './helpers/schools';

/** 5. Retention, by the hourly clean-up. */

const AFTER_UNFOLLOW = DEFAULTS.ANONYMISE_AFTER_UNFOLLOW_DAYS * DAY_MS;
const PHOTO_PERIOD = DEFAULTS.REPORT_PHOTO_RETENTION_DAYS * DAY_MS;
const AUDIT_PERIOD = DEFAULTS.AUDIT_RETENTION_DAYS * DAY_MS;

async function userRow(u: string) {
  return env.DB.prepare('SELECT * FROM users WHERE line_user_id = ?').bind(u).first<Record<string, any>>();
}

/** A resident who followed, consented, reported, then blocked the account at `blockedAt`. */
async function unfollowed(blockedAt: number) {
  const u = await resident();
  const r = await storedReport(u);
  await say(u, events.unfollow(u));
  await env.DB.prepare('UPDATE users SET blocked_at = ? WHERE line_user_id = ?').bind(blockedAt, u).run();
  return { u, r };
}

/** A closed report, closed at `closedAt`, with one photo. */
async function closedReport(closedAt: number) {
  const r = await storedReport(await resident(), { photos: [jpegWithGps()] });
  await env.DB.prepare(`UPDATE reports SET status = 'resolved', closed_at = ? WHERE id = ?`).bind(closedAt, r.id).run();
  const key = (await env.DB.prepare('SELECT r2_key FROM report_photos WHERE id = ?')
    .bind(r.photoIds[0])
    .first<{ r2_key: string }>())!.r2_key;
  return { ...r, key };
}

describe('the rules as tables', () => {
  it('a period has passed at its boundary; the audit log is kept at least its period', () => {
    const now = 1_000 * DAY_MS;
    const table: [string, number, boolean, boolean][] = [
      ['a day short', now - 89 * DAY_MS, false, false],
      ['exactly 90 days', now - 90 * DAY_MS, true, false],
      ['a millisecond more', now - 90 * DAY_MS - 1, true, true],
      ['91 days', now - 91 * DAY_MS, true, true],
    ];
    for (const [name, at, passed, expired] of table) {
      expect(periodPassed(at, 90, now), name).toBe(passed);
      expect(auditExpired(at, 90, now), name).toBe(expired);
    }
  });

  it('runs at the first tick of each hour: a second tick that hour does nothing; a missed :00 is made up', () => {
    const h = 500_000 * HOUR_MS;
    const table: [string, number | null, number, boolean][] = [
      ['never ran', null, h + 5 * 60_000, true],
      ['ran this hour', h, h + 60_000, false],
      ['ran last hour', h - 60_000, h, true],
      ['ran last hour, :00 missed', h - HOUR_MS, h + 3 * 60_000, true],
    ];
    for (const [name, last, now, due] of table) expect(retentionDue(last, now), name).toBe(due);
  });

  it('the periods come from [vars], and a bad value never becomes 0', () => {
    const c = parseConfig({ ...env, ANONYMISE_AFTER_UNFOLLOW_DAYS: '30', AUDIT_RETENTION_DAYS: '0' } as Env);
    expect(c.retention).toMatchObject({ anonymiseAfterUnfollowDays: 30, auditDays: 1095, reportPhotoDays: 730 });
    expect(RETENTION_KINDS.map((k) => k.name)).toEqual([
      'unfollowed_residents',
      'report_photos',
      'report_descriptions',
      'report_notifications',
      'school_pushes',
      'broadcast_recipients',
      'absence_notices',
      'conversation_inbox',
      'audit_log',
    ]);
  });
});

describe('anonymisation after an unfollow', () => {
  it('not at 89 days; at 90 days the same erasure as データの削除; not for a re-follow', async () => {
    const t0 = Date.now() - AFTER_UNFOLLOW - 5 * DAY_MS;
    const a = await unfollowed(t0);
    const b = await unfollowed(t0);
    await say(b.u, events.follow(b.u)); // back before the period ends
    await env.DB.prepare('UPDATE users SET followed_at = ? WHERE line_user_id = ?')
      .bind(t0 + DAY_MS, b.u)
      .run();

    await runRetention(env, t0 + 89 * DAY_MS);
    expect(await userRow(a.u)).not.toBeNull();
    await runRetention(env, t0 + 90 * DAY_MS);
    expect(await userRow(a.u)).toBeNull();
    const report = await env.DB.prepare('SELECT reporter_line_user_id FROM reports WHERE id = ?')
      .bind(a.r.id)
      .first<{ reporter_line_user_id: string }>();
    expect(report!.reporter_line_user_id).toBe('');
    const consents = await env.DB.prepare('SELECT count(*) AS n FROM consents WHERE line_user_id = ?')
      .bind(a.u)
      .first<{ n: number }>();
    expect(consents!.n).toBe(0);
    expect(((await (await api(`/reports/${a.r.id}`)).json()) as any).reporter).toBeNull();

    await runRetention(env, t0 + 91 * DAY_MS);
    expect(await userRow(b.u)).toMatchObject({ status: 'following' });
    expect(((await (await api(`/reports/${b.r.id}`)).json()) as any).reporter).toEqual({
      handle: expect.stringMatching(/^res_/),
    });
  });

  it('at 91 days too, audited as the system without the LINE ID', async () => {
    const t0 = Date.now() - AFTER_UNFOLLOW - 2 * DAY_MS;
    const c = await unfollowed(t0);
    const handle = (await userRow(c.u))!.handle as string;
    await runRetention(env, t0 + 91 * DAY_MS);
    expect(await userRow(c.u)).toBeNull();
    const audit = await env.DB.prepare(
      `SELECT staff_id, detail FROM audit_log WHERE action = 'resident.anonymise' AND target_id = ?`,
    )
      .bind(handle)
      .first<Record<string, any>>();
    expect(audit!.staff_id).toBe('system');
    expect(JSON.parse(audit!.detail)).toMatchObject({ reports: 1, users: 1 });
    expect(audit!.detail).not.toContain(c.u);
  });
});

describe('reports closed REPORT_PHOTO_RETENTION_DAYS ago', () => {
  it('lose their photos (R2 and D1) and their description at the boundary, not a millisecond before; open ones keep theirs', async () => {
    const closedAt = Date.now() - PHOTO_PERIOD - DAY_MS;
    const r = await closedReport(closedAt);
    const open = await storedReport(await resident(), { photos: [jpegWithGps()], at: closedAt - DAY_MS });
    await runRetention(env, closedAt + PHOTO_PERIOD - 1);
    expect(await env.PHOTOS.head(r.key)).not.toBeNull();
    await runRetention(env, closedAt + PHOTO_PERIOD);
    expect(await env.PHOTOS.head(r.key)).toBeNull();
    const row = await env.DB.prepare(
      'SELECT description, (SELECT count(*) FROM report_photos WHERE report_id = reports.id) AS photos FROM reports WHERE id = ?',
    )
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row).toEqual({ description: '', photos: 0 });
    const kept = await env.DB.prepare(
      'SELECT description, (SELECT count(*) FROM report_photos WHERE report_id = reports.id) AS photos FROM reports WHERE id = ?',
    )
      .bind(open.id)
      .first<Record<string, any>>();
    expect(kept).toEqual({ description: '歩道に穴があります', photos: 1 });
  });
});

describe('delivery records after DELIVERY_RETENTION_DAYS', () => {
  it('finished pushes go and finished batches forget their recipients at the boundary; pending ones stay', async () => {
    const period = DEFAULTS.DELIVERY_RETENTION_DAYS * DAY_MS;
    const at = Date.now() - period - DAY_MS;
    const ids = {
      sent: crypto.randomUUID(),
      pending: crypto.randomUUID(),
      batch: crypto.randomUUID(),
      open: crypto.randomUUID(),
    };
    await env.DB.batch([
      ...(['sent', 'pending'] as const).map((status) =>
        env.DB.prepare(
          `INSERT INTO report_notifications (id, report_id, history_id, line_user_id, messages, status, created_at) VALUES (?, 'r', 1, 'Ux', '[]', ?, ?)`,
        ).bind(ids[status], status, at),
      ),
      ...(
        [
          [ids.batch, 'delivered'],
          [ids.open, 'pending'],
        ] as const
      ).map(([id, status], i) =>
        env.DB.prepare(
          `INSERT INTO broadcast_batches (id, broadcast_id, seq, kind, retry_key, recipients, recipient_count, status, updated_at)
           VALUES (?, ?, ?, 'multicast', ?, '["Uaaaa"]', 1, ?, ?)`,
        ).bind(id, crypto.randomUUID(), i, crypto.randomUUID(), status, at),
      ),
    ]);
    await runRetention(env, at + period - 1);
    const left = async () => ({
      notifications: (
        await env.DB.prepare('SELECT id FROM report_notifications WHERE id IN (?, ?) ORDER BY status')
          .bind(ids.sent, ids.pending)
          .all<{ id: string }>()
      ).results.map((r) => r.id),
      batches: (
        await env.DB.prepare('SELECT id, recipients FROM broadcast_batches WHERE id IN (?, ?) ORDER BY status')
          .bind(ids.batch, ids.open)
          .all<Record<string, string>>()
      ).results.map((r) => [r.id, r.recipients]),
    });
    expect(await left()).toEqual({
      notifications: [ids.pending, ids.sent],
      batches: [
        [ids.batch, '["Uaaaa"]'],
        [ids.open, '["Uaaaa"]'],
      ],
    });
    await runRetention(env, at + period);
    expect(await left()).toEqual({
      notifications: [ids.pending],
      batches: [
        [ids.batch, '[]'],
        [ids.open, '["Uaaaa"]'],
      ],
    });
  });
});

describe('the audit log', () => {
  it('is kept at least AUDIT_RETENTION_DAYS: the row at the boundary stays, an older one goes', async () => {
    const now = Date.now();
    const tag = crypto.randomUUID();
    const insert = (at: number, id: string) =>
      env.DB.prepare(
        `INSERT INTO audit_log (at, staff_id, action, target_type, target_id) VALUES (?, 'x', 'test.old', 'test', ?)`,
      )
        .bind(at, `${tag}-${id}`)
        .run();
    await insert(now - AUDIT_PERIOD, 'boundary');
    await insert(now - AUDIT_PERIOD - 1, 'older');
    await runRetention(env, now);
    const left = await env.DB.prepare(`SELECT target_id FROM audit_log WHERE target_id LIKE ? ORDER BY target_id`)
      .bind(`${tag}%`)
      .all<{ target_id: string }>();
    expect(left.results.map((r) => r.target_id)).toEqual([`${tag}-boundary`]);
  });
});

describe('bounded runs', () => {
  it('a backlog larger than one run drains over several, each recorded with its counts', async () => {
    // Blocked long before anything else in this file, so only these are due at `now`.
    const base = 10 * DAY_MS;
    const five: string[] = [];
    for (let i = 0; i < 5; i++) five.push((await unfollowed(base + i)).u);
    const now = base + AFTER_UNFOLLOW + 10;
    const remaining = async () => {
      let n = 0;
      for (const u of five) if (await userRow(u)) n++;
      return n;
    };
    expect((await runRetention(env, now, 2)).unfollowed_residents).toBe(2);
    expect(await remaining()).toBe(3);
    expect((await runRetention(env, now, 2)).unfollowed_residents).toBe(2);
    expect((await runRetention(env, now, 2)).unfollowed_residents).toBe(1);
    // Idempotent: nothing is found twice.
    expect(await runRetention(env, now, 2)).toMatchObject({ unfollowed_residents: 0, absence_notices: 0 });
    expect(await remaining()).toBe(0);
  });
});

describe('absence notices in the hourly run', () => {
  it('removes a notice ABSENCE_RETENTION_DAYS after its last day, through the absence_notices kind', async () => {
    const school = await createSchool();
    const [pupil] = await importPupils(school.id);
    const old = await storedNotice({ schoolId: school.id, pupilId: pupil!.id, date: '2020-01-06' });
    const kept = await storedNotice({
      schoolId: school.id,
      pupilId: pupil!.id,
      date: '2020-01-06',
      dateTo: '2020-01-20',
    });
    // 400 days after 2020-01-06 (JST) is 2021-02-09; the range's last day keeps the other one longer.
    const now = Date.parse('2021-02-10T00:00:00+09:00');
    const removed = await runRetention(env, now, 500);
    expect(removed.absence_notices).toBeGreaterThanOrEqual(1);
    const left = async (id: string) => env.DB.prepare('SELECT id FROM absence_notices WHERE id = ?').bind(id).first();
    expect(await left(old.id)).toBeNull();
    expect(await left(kept.id)).not.toBeNull();
  });
});

describe('the cron and GET /retention-runs', () => {
  it('runs at the first tick of an hour, records zeros too, and admins read the runs newest first', async () => {
    await env.DB.prepare('DELETE FROM retention_runs').run();
    const hour = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
    const tick = (t: number) => scheduled(createScheduledController({ scheduledTime: t, cron: '* * * * *' }), env);
    await tick(hour);
    await tick(hour + 60_000);
    await tick(hour + HOUR_MS);
    const res = await api('/retention-runs');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.items.map((r: any) => r.at)).toEqual([
      new Date(hour + HOUR_MS).toISOString(),
      new Date(hour).toISOString(),
    ]);
    expect(Object.keys(body.items[0].removed).sort()).toEqual(RETENTION_KINDS.map((k) => k.name).sort());
    expect(Object.values(body.items[0].removed).every((n) => n === 0)).toBe(true);
    const manager = await newStaff(['report_manager']);
    expect((await api('/retention-runs', { token: manager.token })).status).toBe(403);
  });
});

describe('clean-ups that exist elsewhere, verified', () => {
  it('conversation inbox rows go once finished 7 days ago (at the resident’s next event, at most once an hour)', async () => {
    const { runInDurableObject } = await import('cloudflare:test');
    const { DEDUPE_RETENTION_MS } = await import('../src/conversation/inbox');
    const { conversation } = await import('./helpers/line');
    const u = await resident();
    const stub = conversation(u);
    const rows = await stub.inbox();
    expect(rows.length).toBe(2);
    await runInDurableObject(stub, async (o: unknown, state) => {
      // The clean-up runs at most once an hour per object; this one just ran at the events above.
      (o as { prunedAt: number }).prunedAt = 0;
      state.storage.sql.exec(
        `UPDATE inbox SET finished_at = ? WHERE seq = ?`,
        Date.now() - DEDUPE_RETENTION_MS - 60_000,
        rows[0]!.seq,
      );
      state.storage.sql.exec(
        `UPDATE inbox SET finished_at = ? WHERE seq = ?`,
        Date.now() - DEDUPE_RETENTION_MS + 60_000,
        rows[1]!.seq,
      );
    });
    await say(u, events.text(u, 'こんにちは'));
    const after = (await stub.inbox()).map((r) => r.seq);
    expect(after).not.toContain(rows[0]!.seq);
    expect(after).toContain(rows[1]!.seq);
    expect(DEDUPE_RETENTION_MS).toBe(7 * DAY_MS);
  });
});
