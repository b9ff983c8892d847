import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jst, jstParts } from '../src/calendar/jst';
import { db } from '../src/db/client';
import { purgeOldAbsences } from '../src/schools/retention';
import { runRetention } from '../src/retention/runner';
import { addDays } from '../src/schools/staff-rules';
import { scheduled } from '../src/scheduled';
import { api } from './helpers/api';
import { fake, newUserId } from './helpers/line';
import { auditCount, createSchool, importPupils, linkGuardian, schoolStaff, storedNotice } from './helpers/schools';

type Json = Record<string, any>;

/** A school with three pupils in two grades, and its staff token. */
async function setUp() {
  const school = await createSchool();
  const token = await schoolStaff(school.id);
  const [a, b, c] = await importPupils(school.id, [
    { grade: 1, class: '1', number: 1, name: '一年 一組', kana: 'いちねん' },
    { grade: 1, class: '2', number: 1, name: '一年 二組', kana: 'いちねん' },
    { grade: 4, class: '1', number: 2, name: '四年 一組', kana: 'よねん' },
  ]);
  return { school, token, a: a!, b: b!, c: c! };
}

async function list(schoolId: string, token: string, query: string) {
  const res = await api(`/schools/${schoolId}/absences?${query}`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<{ date: string; items: Json[]; counts: Json }>();
}

describe('GET /schools/{id}/absences', () => {
  it("lists the day's notices with the pupil, a range on every day it covers, and counts; audited", async () => {
    const { school, token, a, b, c } = await setUp();
    const one = await storedNotice({
      schoolId: school.id,
      pupilId: a.id,
      date: '2026-12-02',
      symptoms: ['発熱', '咳'],
      temperature: 38.2,
      note: '午後に病院へ行きます',
    });
    const range = await storedNotice({ schoolId: school.id, pupilId: b.id, date: '2026-12-01', dateTo: '2026-12-03' });
    const late = await storedNotice({
      schoolId: school.id,
      pupilId: c.id,
      date: '2026-12-02',
      type: 'late',
      reason: '通院',
      time: '10:30',
      late: true,
    });
    const gone = await storedNotice({ schoolId: school.id, pupilId: c.id, date: '2026-12-02', status: 'withdrawn' });
    await storedNotice({ schoolId: school.id, pupilId: a.id, date: '2026-12-04' });
    const other = await createSchool();
    const [stranger] = await importPupils(other.id);
    await storedNotice({ schoolId: other.id, pupilId: stranger!.id, date: '2026-12-02' });

    const day = await list(school.id, token, 'date=2026-12-02');
    expect(day.date).toBe('2026-12-02');
    expect(day.items.map((i) => i.id)).toEqual([one.id, range.id, late.id, gone.id]);
    expect(day.items[0]).toEqual({
      id: one.id,
      number: one.number,
      pupil: { id: a.id, grade: 1, class: '1', name: '一年 一組' },
      date: '2026-12-02',
      dateTo: null,
      type: 'absence',
      reason: '体調不良',
      symptoms: ['発熱', '咳'],
      temperature: 38.2,
      time: null,
      note: '午後に病院へ行きます',
      late: false,
      status: 'submitted',
      submittedAt: expect.any(String),
      confirmedAt: null,
      confirmedBy: null,
      withdrawnAt: null,
    });
    expect(day.items[1]).toMatchObject({ date: '2026-12-01', dateTo: '2026-12-03' });
    expect(day.items[2]).toMatchObject({ type: 'late', time: '10:30', late: true });
    expect(day.items[3]!.withdrawnAt).not.toBeNull();
    expect(day.counts).toEqual({ absence: 2, late: 1, early_leave: 0, total: 3, withdrawn: 1, unconfirmed: 3 });

    for (const [date, ids] of [
      ['2026-11-30', []],
      ['2026-12-01', [range.id]],
      ['2026-12-03', [range.id]],
      ['2026-12-05', []],
    ] as const)
      expect(
        (await list(school.id, token, `date=${date}`)).items.map((i) => i.id),
        date,
      ).toEqual(ids);

    expect((await list(school.id, token, 'date=2026-12-02&grade=4')).items.map((i) => i.id)).toEqual([
      late.id,
      gone.id,
    ]);
    expect((await list(school.id, token, 'date=2026-12-02&grade=1&class=2')).items.map((i) => i.id)).toEqual([
      range.id,
    ]);
    expect((await list(school.id, token, 'date=2026-12-02&type=late')).items.map((i) => i.id)).toEqual([late.id]);
    const reads = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'school.absences.read' AND target_id = ?",
    )
      .bind(school.id)
      .first<{ n: number }>();
    expect(reads!.n).toBe(8);
  });

  it('defaults to today (JST) and refuses a day that is not one', async () => {
    const { school, token, a } = await setUp();
    const today = jstParts(Date.now()).date;
    const n = await storedNotice({ schoolId: school.id, pupilId: a.id, date: today });
    const res = await list(school.id, token, '');
    expect(res.date).toBe(today);
    expect(res.items.map((i) => i.id)).toEqual([n.id]);
    expect((await api(`/schools/${school.id}/absences?date=2026-02-30`, { token })).status).toBe(400);
    expect((await api(`/schools/${school.id}/absences?type=sick`, { token })).status).toBe(400);
  });

  it('?format=csv is UTF-8 with a BOM, Japanese headers and labels, one row a notice', async () => {
    const { school, token, a, c } = await setUp();
    await storedNotice({
      schoolId: school.id,
      pupilId: a.id,
      date: '2026-12-09',
      symptoms: ['発熱', '咳'],
      note: '=SUM(A1)',
    });
    await storedNotice({ schoolId: school.id, pupilId: c.id, date: '2026-12-09', type: 'early_leave', time: '13:00' });
    const res = await api(`/schools/${school.id}/absences?date=2026-12-09&format=csv`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('absences-2026-12-09.csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '受付番号,学年,組,番号,氏名,種別,日付,終了日,理由,症状,体温,時刻,連絡事項,締切後,状態,送信日時,確認日時,取消日時',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',1,1,1,一年 一組,欠席,2026-12-09,,体調不良,発熱、咳,,,');
    expect(lines[1]).toContain("'=SUM(A1)");
    expect(lines[2]).toContain('四年 一組,早退,2026-12-09,,体調不良,,,13:00');
    expect(await auditCount('school.absences.read', school.id)).toBe(1);
  });
});

describe('GET /schools/{id}/absences/summary', () => {
  it('counts the morning by grade, class and type, withdrawn left out; audited', async () => {
    const { school, token, a, b, c } = await setUp();
    await storedNotice({ schoolId: school.id, pupilId: a.id, date: '2026-12-10' });
    await storedNotice({ schoolId: school.id, pupilId: b.id, date: '2026-12-08', dateTo: '2026-12-11' });
    await storedNotice({ schoolId: school.id, pupilId: b.id, date: '2026-12-10', type: 'early_leave', time: '12:00' });
    await storedNotice({ schoolId: school.id, pupilId: c.id, date: '2026-12-10', type: 'late', time: '09:30' });
    await storedNotice({ schoolId: school.id, pupilId: c.id, date: '2026-12-10', status: 'withdrawn' });
    const res = await api(`/schools/${school.id}/absences/summary?date=2026-12-10`, { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      date: '2026-12-10',
      totals: { absence: 2, late: 1, early_leave: 1, total: 4 },
      byGrade: [
        { grade: 1, absence: 2, late: 0, early_leave: 1, total: 3 },
        { grade: 4, absence: 0, late: 1, early_leave: 0, total: 1 },
      ],
      byClass: [
        { grade: 1, class: '1', absence: 1, late: 0, early_leave: 0, total: 1 },
        { grade: 1, class: '2', absence: 1, late: 0, early_leave: 1, total: 2 },
        { grade: 4, class: '1', absence: 0, late: 1, early_leave: 0, total: 1 },
      ],
    });
    expect(await auditCount('school.absences.summary', school.id)).toBe(1);
  });
});

describe('POST /schools/{id}/absences/{absenceId}/confirm', () => {
  const confirm = (schoolId: string, id: string, token: string, body: unknown = {}) =>
    api(`/schools/${schoolId}/absences/${id}/confirm`, { method: 'POST', token, body });

  it('confirms, pushes 確認済 with the comment in Japanese once; a second confirm answers 200 and pushes nothing', async () => {
    const { school, token, a } = await setUp();
    const guardian = newUserId();
    await linkGuardian(a.id, guardian, 'ja');
    const n = await storedNotice({ schoolId: school.id, pupilId: a.id, guardian, date: '2026-12-02' });
    const res = await confirm(school.id, n.id, token, { comment: 'お大事になさってください。' });
    expect(res.status).toBe(200);
    const body = await res.json<Json>();
    expect(body).toMatchObject({ id: n.id, status: 'confirmed', confirmedBy: expect.any(String) });
    expect(body.confirmedAt).not.toBeNull();
    const pushes = await fake.requests({ to: guardian, path: '/v2/bot/message/push' });
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.retryKey).toBeTruthy();
    const text = (pushes[0]!.body as { messages: { text: string }[] }).messages[0]!.text;
    expect(text).toContain('確認済');
    expect(text).toContain(n.number);
    expect(text).toContain('一年 一組さん');
    expect(text).toContain('12月2日');
    expect(text).toContain('お大事になさってください。');

    const again = await confirm(school.id, n.id, token, { comment: 'もう一度' });
    expect(again.status).toBe(200);
    expect((await again.json<Json>()).confirmedAt).toBe(body.confirmedAt);
    expect(await fake.requests({ to: guardian, path: '/v2/bot/message/push' })).toHaveLength(1);
    expect(await auditCount('school.absence.confirm', n.id)).toBe(1);
    const listed = await list(school.id, token, 'date=2026-12-02');
    expect(listed.items[0]).toMatchObject({ status: 'confirmed' });
    expect(listed.counts.unconfirmed).toBe(0);
  });

  it("speaks the guardian's language, with no comment when there is none", async () => {
    const { school, token, a } = await setUp();
    const guardian = newUserId();
    await linkGuardian(a.id, guardian, 'en');
    const n = await storedNotice({
      schoolId: school.id,
      pupilId: a.id,
      guardian,
      date: '2026-12-02',
      dateTo: '2026-12-04',
    });
    expect((await confirm(school.id, n.id, token)).status).toBe(200);
    const [msg] = await fake.messagesTo(guardian);
    expect(msg!.text).toContain('The school has confirmed');
    expect(msg!.text).toContain('Dec 2 – Dec 4');
    expect(msg!.text).not.toContain('Comment');
  });

  it('a withdrawn notice is a 409; another school’s notice a 404', async () => {
    const { school, token, a } = await setUp();
    const guardian = newUserId();
    const n = await storedNotice({
      schoolId: school.id,
      pupilId: a.id,
      guardian,
      date: '2026-12-02',
      status: 'withdrawn',
    });
    expect((await confirm(school.id, n.id, token)).status).toBe(409);
    expect(await fake.messagesTo(guardian)).toEqual([]);
    const other = await setUp();
    const theirs = await storedNotice({ schoolId: other.school.id, pupilId: other.a.id, date: '2026-12-02' });
    expect((await confirm(school.id, theirs.id, token)).status).toBe(404);
    expect((await confirm(school.id, n.id, token, { comment: 'x'.repeat(201) })).status).toBe(400);
  });

  it('a push LINE failed with a 500 is retried by the cron with the same retry key', async () => {
    const { school, token, a } = await setUp();
    const guardian = newUserId();
    await linkGuardian(a.id, guardian);
    const n = await storedNotice({ schoolId: school.id, pupilId: a.id, guardian, date: '2026-12-02' });
    await fake.inject({ path: '/v2/bot/message/push', to: guardian, status: 500, times: 1 });
    expect((await confirm(school.id, n.id, token)).status).toBe(200);
    expect(await fake.messagesTo(guardian)).toEqual([]);
    await scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env);
    const attempts = await fake.attempts({ to: guardian, path: '/v2/bot/message/push' });
    expect(attempts.map((t) => t.status)).toEqual([500, 200]);
    expect(attempts[0]!.retryKey).toBe(attempts[1]!.retryKey);
    expect(await fake.messagesTo(guardian)).toHaveLength(1);
  });

  it('a blocked guardian gets nothing', async () => {
    const { school, token, a } = await setUp();
    const guardian = newUserId();
    await linkGuardian(a.id, guardian);
    await env.DB.prepare("UPDATE users SET status = 'blocked' WHERE line_user_id = ?").bind(guardian).run();
    const n = await storedNotice({ schoolId: school.id, pupilId: a.id, guardian, date: '2026-12-02' });
    expect((await confirm(school.id, n.id, token)).status).toBe(200);
    expect(await fake.attempts({ to: guardian })).toEqual([]);
  });
});

describe('notices are immutable', () => {
  it('no PATCH, PUT or DELETE on a notice anywhere (404/405)', async () => {
    const { school, a } = await setUp();
    const n = await storedNotice({ schoolId: school.id, pupilId: a.id, date: '2026-12-02' });
    for (const method of ['PATCH', 'PUT', 'DELETE'])
      for (const path of [
        `/schools/${school.id}/absences/${n.id}`,
        `/schools/${school.id}/absences/${n.id}/confirm`,
        `/absences/${n.id}`,
      ]) {
        const res = await api(path, { method, body: method === 'DELETE' ? undefined : { status: 'withdrawn' } });
        expect([404, 405], `${method} ${path}`).toContain(res.status);
      }
    const row = await env.DB.prepare('SELECT status FROM absence_notices WHERE id = ?').bind(n.id).first();
    expect(row!.status).toBe('submitted');
  });
});

describe('retention (ABSENCE_RETENTION_DAYS)', () => {
  it('deletes notices whose last day is older than the retention, keeps the boundary day, bounded per call', async () => {
    const { school, a } = await setUp();
    // Years before every other notice of this file, which are all in 2026 or later.
    const now = jst('2021-06-10T03:00');
    const keepFrom = addDays('2021-06-10', -400);
    const at = (day: string, dateTo?: string) =>
      storedNotice({ schoolId: school.id, pupilId: a.id, date: day, dateTo });
    const boundary = await at(keepFrom);
    const rangeEndingInside = await at(addDays(keepFrom, -3), addDays(keepFrom, 1));
    const old1 = await at(addDays(keepFrom, -1));
    const old2 = await at(addDays(keepFrom, -30), addDays(keepFrom, -20));
    const old3 = await at(addDays(keepFrom, -100));
    const exists = async (id: string) =>
      !!(await env.DB.prepare('SELECT 1 AS x FROM absence_notices WHERE id = ?').bind(id).first());

    expect(await purgeOldAbsences(db(env.DB), now, 400, 2)).toBe(2);
    expect(await purgeOldAbsences(db(env.DB), now, 400, 2)).toBe(1);
    expect(await purgeOldAbsences(db(env.DB), now, 400, 2)).toBe(0);
    for (const n of [old1, old2, old3]) expect(await exists(n.id)).toBe(false);
    for (const n of [boundary, rangeEndingInside]) expect(await exists(n.id)).toBe(true);

    // The next day the boundary notice goes too, through the hourly clean-up with the configured default.
    const later = await at(addDays(keepFrom, -1));
    const removed = await runRetention(env, now + 86_400_000);
    expect(removed.absence_notices).toBeGreaterThanOrEqual(2);
    expect(await exists(boundary.id)).toBe(false);
    expect(await exists(rangeEndingInside.id)).toBe(true);
    expect(await exists(later.id)).toBe(false);
  });
});
