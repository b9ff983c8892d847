import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, newStaff } from './helpers/api';
import { auditCount, createSchool, importPupils, schoolStaff, storedNotice } from './helpers/schools';

const unique = () => crypto.randomUUID().slice(0, 8);

async function schoolCount(): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM schools').first<{ n: number }>())!.n;
}

describe('POST /schools', () => {
  it('registers a school with the defaults of the issue', async () => {
    const code = `c-${unique()}`;
    const res = await api('/schools', {
      method: 'POST',
      body: { code, name: '岡山市立丸の内中学校', kind: 'junior_high', phone: '086-000-1111' },
    });
    expect(res.status).toBe(201);
    const s = await res.json<Record<string, unknown>>();
    expect(s).toMatchObject({
      code,
      kind: 'junior_high',
      cutoff: '08:00',
      afterCutoff: 'refuse',
      noteEnabled: true,
      reasons: null,
      window: null,
      requireApproval: false,
    });
    expect(typeof s.id).toBe('string');
    expect(await auditCount('school.create', s.id as string)).toBe(1);
  });

  it.each([
    [{ phone: '086 000 1111' }, 'phone'],
    [{ cutoff: '8:00' }, 'cutoff'],
    [{ window: '20:00-07:00' }, 'window'],
    [{ kind: 'kindergarten' }, 'kind'],
    [{ code: 'x'.repeat(21) }, 'code'],
    [{ code: '' }, 'code'],
    [{ reasons: ['体調不良', '体調不良'] }, 'reasons'],
    [{ reasons: ['あ'.repeat(21)] }, 'reasons'],
    [{ afterCutoff: 'ignore' }, 'afterCutoff'],
    [{ colour: 'blue' }, '(body)'],
  ])('refuses %j naming %s', async (over, field) => {
    const body = { code: `c-${unique()}`, name: 'x', kind: 'elementary', phone: '086-000-0000', ...over };
    const res = await api('/schools', { method: 'POST', body });
    expect(res.status).toBe(400);
    expect((await res.json<{ detail: string }>()).detail).toContain(field);
  });

  it('a second school with the same code is a 409', async () => {
    const s = await createSchool();
    const res = await api('/schools', {
      method: 'POST',
      body: { code: s.code, name: 'x', kind: 'elementary', phone: '086-000-0000' },
    });
    expect(res.status).toBe(409);
  });

  it('is for admins only', async () => {
    const s = await createSchool();
    const token = await schoolStaff(s.id);
    const res = await api('/schools', {
      method: 'POST',
      token,
      body: { code: `c-${unique()}`, name: 'x', kind: 'elementary', phone: '086-000-0000' },
    });
    expect(res.status).toBe(403);
  });
});

describe('GET /schools, GET and PATCH /schools/{id}', () => {
  it('admins see every school; school staff see only theirs; each read is audited', async () => {
    const a = await createSchool();
    const b = await createSchool();
    const all = await (await api('/schools')).json<{ items: { id: string }[] }>();
    expect(all.items.map((s) => s.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    const staff = await newStaff(['school_staff'], { schools: [a.id] });
    const mine = await (await api('/schools', { token: staff.token })).json<{ items: { id: string }[] }>();
    expect(mine.items.map((s) => s.id)).toEqual([a.id]);
    expect((await api(`/schools/${a.id}`, { token: staff.token })).status).toBe(200);
    expect((await api(`/schools/${b.id}`, { token: staff.token })).status).toBe(403);
    expect(await auditCount('school.read', a.id)).toBe(1);
    const listed = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'school.list' AND staff_id = ?",
    )
      .bind(staff.id)
      .first<{ n: number }>();
    expect(listed!.n).toBe(1);
  });

  it('an unknown school is a 404 for an admin', async () => {
    expect((await api(`/schools/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('PATCH changes the settings it names; null puts reasons and window back to the defaults', async () => {
    const s = await createSchool({ reasons: ['体調不良', 'その他'], window: '07:30-19:00' });
    const res = await api(`/schools/${s.id}`, {
      method: 'PATCH',
      body: { cutoff: '08:15', afterCutoff: 'accept_late', requireApproval: true },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      cutoff: '08:15',
      afterCutoff: 'accept_late',
      requireApproval: true,
      reasons: ['体調不良', 'その他'],
      window: '07:30-19:00',
    });
    const reset = await api(`/schools/${s.id}`, { method: 'PATCH', body: { reasons: null, window: null } });
    expect(await reset.json()).toMatchObject({ reasons: null, window: null, cutoff: '08:15' });
    expect(await auditCount('school.update', s.id)).toBe(2);
  });

  it('PATCH to a kind whose top grade is below some pupils is a 409', async () => {
    const s = await createSchool({ kind: 'compulsory' });
    await importPupils(s.id, [{ grade: 7, class: '1', name: '七年 生徒', kana: 'ななねん' }]);
    expect((await api(`/schools/${s.id}`, { method: 'PATCH', body: { kind: 'elementary' } })).status).toBe(409);
    expect(
      (await api(`/schools/${s.id}`, { method: 'PATCH', body: { kind: 'compulsory', name: '義務教育学校' } })).status,
    ).toBe(200);
  });

  it('PATCH to a code another school has is a 409, and is for admins only', async () => {
    const a = await createSchool();
    const b = await createSchool();
    expect((await api(`/schools/${a.id}`, { method: 'PATCH', body: { code: b.code } })).status).toBe(409);
    const token = await schoolStaff(a.id);
    expect((await api(`/schools/${a.id}`, { method: 'PATCH', token, body: { cutoff: '07:00' } })).status).toBe(403);
  });
});

describe('POST /schools/import', () => {
  const row = (over: Record<string, unknown> = {}) => ({
    code: `i-${unique()}`,
    name: '岡山市立テスト小学校',
    kind: 'elementary',
    phone: '086-000-0000',
    ...over,
  });

  it('registers every row of a JSON array', async () => {
    const rows = [row(), row({ kind: 'compulsory', cutoff: '07:45' }), row({ reasons: ['体調不良', '通院'] })];
    const res = await api('/schools/import', { method: 'POST', body: rows });
    expect(res.status).toBe(201);
    const { items } = await res.json<{ items: Record<string, unknown>[] }>();
    expect(items.map((s) => s.code)).toEqual(rows.map((r) => r.code));
    expect(items[1]).toMatchObject({ kind: 'compulsory', cutoff: '07:45' });
    expect(items[2]).toMatchObject({ reasons: ['体調不良', '通院'] });
  });

  it('registers every row of a CSV with a BOM, lists split on |, booleans as true/false', async () => {
    const [a, b] = [`i-${unique()}`, `i-${unique()}`];
    const csv = `\uFEFFcode,name,kind,phone,cutoff,reasons,noteEnabled,requireApproval\r\n${a},第一小学校,elementary,086-000-0001,08:10,体調不良|通院,false,true\r\n${b},第二中学校,junior_high,086-000-0002,,,,\r\n`;
    const res = await api('/schools/import', { method: 'POST', rawBody: csv, headers: { 'content-type': 'text/csv' } });
    expect(res.status, await res.clone().text()).toBe(201);
    const { items } = await res.json<{ items: Record<string, unknown>[] }>();
    expect(items[0]).toMatchObject({
      code: a,
      cutoff: '08:10',
      reasons: ['体調不良', '通院'],
      noteEnabled: false,
      requireApproval: true,
    });
    expect(items[1]).toMatchObject({
      code: b,
      cutoff: '08:00',
      reasons: null,
      noteEnabled: true,
      requireApproval: false,
    });
  });

  it.each([
    ['a bad row in JSON', () => [row(), row({ phone: 'none' })], 'rows[1].phone'],
    ['a missing name in JSON', () => [row(), row(), row({ name: undefined })], 'rows[2].name'],
    ['an unknown field in JSON', () => [row({ colour: 'red' })], 'rows[0]'],
    ['a code twice in one import', () => [row({ code: 'dup-1' }), row({ code: 'dup-1' })], 'rows[1].code'],
  ])('%s stores nothing and names the row', async (_what, rows, where) => {
    const before = await schoolCount();
    const res = await api('/schools/import', { method: 'POST', body: rows() });
    expect(res.status).toBe(400);
    expect((await res.json<{ detail: string }>()).detail).toContain(where);
    expect(await schoolCount()).toBe(before);
  });

  it('a code already registered stores nothing and names the row', async () => {
    const s = await createSchool();
    const before = await schoolCount();
    const res = await api('/schools/import', { method: 'POST', body: [row(), row({ code: s.code })] });
    expect(res.status).toBe(400);
    expect((await res.json<{ detail: string }>()).detail).toContain('rows[1].code');
    expect(await schoolCount()).toBe(before);
  });

  it.each([
    ['code,name,kind,phone\nx1,a,elementary,086\nx2,b,nursery,086\n', 'line 3: kind'],
    ['code,name,kind,phone,colour\nx1,a,elementary,086,red\n', 'line 1: colour'],
    ['code,name,kind,phone,cutoff\nx1,a,elementary,086,8時\n', 'line 2: cutoff'],
  ])('a bad CSV stores nothing: %j → %s', async (csv, where) => {
    const before = await schoolCount();
    const res = await api('/schools/import', { method: 'POST', rawBody: csv, headers: { 'content-type': 'text/csv' } });
    expect(res.status).toBe(400);
    expect((await res.json<{ detail: string }>()).detail).toContain(where);
    expect(await schoolCount()).toBe(before);
  });

  it('any other body type is a 415; an empty array a 400', async () => {
    const plain = await api('/schools/import', {
      method: 'POST',
      rawBody: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    expect((await api('/schools/import', { method: 'POST', body: [] })).status).toBe(400);
    expect((await api('/schools/import', { method: 'POST', body: { code: 'x' } })).status).toBe(400);
  });
});

describe("another school's staff (the cross-school matrix)", () => {
  it('get 403 on every route of a school that is not theirs, and see nothing of it', async () => {
    const school = await createSchool();
    const [pupil] = await importPupils(school.id);
    const notice = await storedNotice({ schoolId: school.id, pupilId: pupil!.id, date: '2026-12-02' });
    const other = await createSchool();
    const intruder = await schoolStaff(other.id);
    const own = await schoolStaff(school.id);
    const s = `/schools/${school.id}`;
    const routes: [string, string, unknown?, string?][] = [
      ['GET', s],
      ['PATCH', s, { cutoff: '07:00' }],
      ['POST', `${s}/pupils`, [{ grade: 1, class: '1', name: '侵入', kana: 'しんにゅう' }]],
      ['GET', `${s}/pupils`],
      ['PATCH', `${s}/pupils/${pupil!.id}`, { class: '3' }],
      ['DELETE', `${s}/pupils/${pupil!.id}`],
      ['POST', `${s}/pupils/${pupil!.id}/code`],
      ['POST', `${s}/rollover`, { year: 2026 }],
      ['GET', `${s}/absences?date=2026-12-02`],
      ['GET', `${s}/absences?date=2026-12-02&format=csv`],
      ['GET', `${s}/absences/summary?date=2026-12-02`],
      ['POST', `${s}/absences/${notice.id}/confirm`, {}],
    ];
    for (const [method, path, body] of routes) {
      const res = await api(path, { method, body, token: intruder });
      const text = await res.text();
      expect(`${method} ${path} → ${res.status}`).toBe(`${method} ${path} → 403`);
      expect(text).not.toContain(pupil!.name);
      expect(text).not.toContain(school.name);
    }
    // Nothing changed, and the school's own staff still reach it (their reads, not writes, to keep the data).
    for (const path of [s, `${s}/pupils`, `${s}/absences?date=2026-12-02`, `${s}/absences/summary?date=2026-12-02`])
      expect((await api(path, { token: own })).status, path).toBe(200);
    const row = await env.DB.prepare('SELECT class, removed_at, code_hash FROM pupils WHERE id = ?')
      .bind(pupil!.id)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ class: '1', removed_at: null });
    expect(
      (await env.DB.prepare('SELECT status FROM absence_notices WHERE id = ?').bind(notice.id).first())!.status,
    ).toBe('submitted');
  });

  it('staff of other roles get 403 on school routes; an unknown school is 403, not 404, for school staff', async () => {
    const school = await createSchool();
    const { token } = await newStaff(['broadcaster']);
    expect((await api(`/schools/${school.id}/pupils`, { token })).status).toBe(403);
    const staff = await schoolStaff(school.id);
    expect((await api(`/schools/${crypto.randomUUID()}/pupils`, { token: staff })).status).toBe(403);
  });
});
