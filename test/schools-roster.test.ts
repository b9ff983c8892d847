import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ACCESS_CODE_ALPHABET, hashAccessCode, readAccessCode } from '../src/access-codes';
import { api } from './helpers/api';
import { fake, newUserId } from './helpers/line';
import { auditCount, createSchool, importPupils, linkGuardian, schoolStaff } from './helpers/schools';

const DAY = 86_400_000;

async function pupilRow(id: string) {
  return env.DB.prepare('SELECT * FROM pupils WHERE id = ?').bind(id).first<Record<string, any>>();
}
async function pupilCount(schoolId: string) {
  return (await env.DB.prepare('SELECT count(*) AS n FROM pupils WHERE school_id = ?')
    .bind(schoolId)
    .first<{ n: number }>())!.n;
}
async function linksOf(pupilId: string) {
  return (await env.DB.prepare('SELECT line_user_id FROM guardian_links WHERE pupil_id = ?').bind(pupilId).all())
    .results;
}

describe('POST /schools/{id}/pupils', () => {
  it('adds pupils and shows each registration code once; only its hash is stored; it expires in 60 days', async () => {
    const school = await createSchool();
    const token = await schoolStaff(school.id);
    const t0 = Date.now();
    const items = await importPupils(
      school.id,
      [
        { grade: 2, class: 'A', number: 3, name: '岡山 太郎', kana: 'オカヤマ タロウ', groups: ['PTA', '部活動'] },
        { grade: 3, class: 'ひまわり', name: '岡山 次郎', kana: 'おかやま じろう' },
      ],
      token,
    );
    expect(items.map((p) => [p.grade, p.class, p.name])).toEqual([
      [2, 'A', '岡山 太郎'],
      [3, 'ひまわり', '岡山 次郎'],
    ]);
    for (const p of items) {
      expect(p.registrationCode).toMatch(new RegExp(`^[${ACCESS_CODE_ALPHABET}]{4}-[${ACCESS_CODE_ALPHABET}]{4}$`));
      const row = await pupilRow(p.id);
      expect(row!.code_hash).toBe(await hashAccessCode(readAccessCode(p.registrationCode)!));
      expect(JSON.stringify(row)).not.toContain(readAccessCode(p.registrationCode)!);
      const expires = Date.parse(p.codeExpiresAt);
      expect(expires).toBeGreaterThanOrEqual(t0 + 60 * DAY);
      expect(expires).toBeLessThanOrEqual(Date.now() + 60 * DAY);
      expect(row!.code_expires_at).toBe(expires);
    }
    expect(items[0]!.registrationCode).not.toBe(items[1]!.registrationCode);
    const list = await (await api(`/schools/${school.id}/pupils`, { token })).text();
    for (const p of items) expect(list).not.toContain(readAccessCode(p.registrationCode)!.slice(0, 4));
    expect(await auditCount('school.pupils.import', school.id)).toBe(1);
  });

  it('takes text/csv with a header row (BOM, groups split on |)', async () => {
    const school = await createSchool();
    const csv =
      '\uFEFFgrade,class,number,name,kana,groups\r\n1,1,1,岡山 一郎,おかやま いちろう,PTA|委員会\r\n6,2,,岡山 花子,おかやま はなこ,\r\n';
    const res = await api(`/schools/${school.id}/pupils`, {
      method: 'POST',
      rawBody: csv,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { items } = await res.json<{ items: { id: string }[] }>();
    expect(await pupilRow(items[0]!.id)).toMatchObject({ grade: 1, number: 1, groups: '["PTA","委員会"]' });
    expect(await pupilRow(items[1]!.id)).toMatchObject({ grade: 6, class: '2', number: null, groups: '[]' });
  });

  const good = { grade: 1, class: '1', name: '岡山 一郎', kana: 'おかやま いちろう' };
  it.each([
    ['a bad grade', [good, good, { ...good, grade: 10 }], 'rows[2].grade'],
    ['a grade as text', [{ ...good, grade: '一' }], 'rows[0].grade'],
    ['a missing name', [{ ...good, name: undefined }], 'rows[0].name'],
    ['an unknown field', [good, { ...good, colour: 'red' }], 'rows[1]'],
    ['kana in kanji', [{ ...good, kana: '岡山' }], 'rows[0].kana'],
    ['grade 7 at an elementary school', [good, { ...good, grade: 7 }], 'rows[1].grade'],
  ])('%s: 400 naming the row, nothing stored', async (_what, rows, where) => {
    const school = await createSchool();
    const res = await api(`/schools/${school.id}/pupils`, { method: 'POST', body: rows });
    expect(res.status).toBe(400);
    const { detail } = await res.json<{ detail: string }>();
    expect(detail).toContain(where);
    expect(await pupilCount(school.id)).toBe(0);
  });

  it.each([
    ['grade,class,name,kana\n1,1,岡山 一郎,おかやま\n0,1,岡山 二郎,おかやま\n', 'line 3: grade'],
    ['grade,class,name,kana\n1,1,,おかやま\n', 'line 2: name'],
    ['grade,class,name,kana,colour\n1,1,岡山 一郎,おかやま,red\n', 'line 1: colour'],
    ['grade,class,name,kana\n1,1,"岡山\n一郎",おかやま\nx,1,岡山 二郎,おかやま\n', 'line 4: grade'],
  ])('a bad CSV is a 400 naming the line, nothing stored: %j', async (csv, where) => {
    const school = await createSchool();
    const res = await api(`/schools/${school.id}/pupils`, {
      method: 'POST',
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(400);
    expect((await res.json<{ detail: string }>()).detail).toContain(where);
    expect(await pupilCount(school.id)).toBe(0);
  });
});

describe('GET /schools/{id}/pupils', () => {
  it('lists the roster with guardianCount and never a guardian, and is audited', async () => {
    const school = await createSchool();
    const [a, b] = await importPupils(school.id);
    const guardian = newUserId();
    await linkGuardian(a!.id, guardian);
    await linkGuardian(a!.id, newUserId());
    const token = await schoolStaff(school.id);
    const res = await api(`/schools/${school.id}/pupils`, { token });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(/U[0-9a-f]{32}/);
    const { items } = JSON.parse(text) as { items: Record<string, unknown>[] };
    expect(items.map((p) => [p.id, p.guardianCount])).toEqual([
      [a!.id, 2],
      [b!.id, 0],
    ]);
    expect(await auditCount('school.pupils.read', school.id)).toBe(1);
    const filtered = await (await api(`/schools/${school.id}/pupils?class=2`)).json<{ items: { id: string }[] }>();
    expect(filtered.items.map((p) => p.id)).toEqual([b!.id]);
  });
});

describe('PATCH, DELETE and a new code', () => {
  it('PATCH changes what it names', async () => {
    const school = await createSchool();
    const [p] = await importPupils(school.id);
    const res = await api(`/schools/${school.id}/pupils/${p!.id}`, {
      method: 'PATCH',
      body: { class: '3', groups: ['PTA'] },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ class: '3', groups: ['PTA'], grade: 1, name: '岡山 一郎' });
    expect((await api(`/schools/${school.id}/pupils/${p!.id}`, { method: 'PATCH', body: { grade: 7 } })).status).toBe(
      400,
    );
    expect(await auditCount('school.pupil.update', p!.id)).toBe(1);
  });

  it("a pupil of another school is a 404 through this school's path", async () => {
    const a = await createSchool();
    const b = await createSchool();
    const [p] = await importPupils(b.id);
    expect((await api(`/schools/${a.id}/pupils/${p!.id}`, { method: 'PATCH', body: { class: '3' } })).status).toBe(404);
    expect((await api(`/schools/${a.id}/pupils/${p!.id}/code`, { method: 'POST' })).status).toBe(404);
  });

  it('DELETE (transfer out) takes the pupil off the roster, voids the code and ends the links', async () => {
    const school = await createSchool();
    const [p] = await importPupils(school.id);
    await linkGuardian(p!.id, newUserId());
    const res = await api(`/schools/${school.id}/pupils/${p!.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await pupilRow(p!.id)).toMatchObject({ code_hash: null });
    expect((await pupilRow(p!.id))!.removed_at).not.toBeNull();
    expect(await linksOf(p!.id)).toEqual([]);
    const { items } = await (await api(`/schools/${school.id}/pupils`)).json<{ items: { id: string }[] }>();
    expect(items.map((x) => x.id)).not.toContain(p!.id);
    expect((await api(`/schools/${school.id}/pupils/${p!.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('a re-issued code replaces the old one at once', async () => {
    const school = await createSchool();
    const [p] = await importPupils(school.id);
    const res = await api(`/schools/${school.id}/pupils/${p!.id}/code`, { method: 'POST' });
    expect(res.status).toBe(201);
    const issued = await res.json<{ registrationCode: string; codeExpiresAt: string }>();
    expect(issued.registrationCode).not.toBe(p!.registrationCode);
    const row = await pupilRow(p!.id);
    expect(row!.code_hash).toBe(await hashAccessCode(readAccessCode(issued.registrationCode)!));
    const old = await env.DB.prepare('SELECT count(*) AS n FROM pupils WHERE code_hash = ?')
      .bind(await hashAccessCode(readAccessCode(p!.registrationCode)!))
      .first<{ n: number }>();
    expect(old!.n).toBe(0);
    expect(await auditCount('school.pupil.code', p!.id)).toBe(1);
  });
});

describe('POST /schools/{id}/rollover', () => {
  it('moves everyone up, graduates the top grade (links end, guardians told once, in their language), once a year', async () => {
    const school = await createSchool({ kind: 'junior_high' });
    const token = await schoolStaff(school.id);
    const [first, top, topToo] = await importPupils(school.id, [
      { grade: 1, class: '1', name: '一年 生徒', kana: 'いちねん せいと' },
      { grade: 3, class: '2', name: '卒業 太郎', kana: 'そつぎょう たろう' },
      { grade: 3, class: '1', name: '卒業 花子', kana: 'そつぎょう はなこ' },
    ]);
    const ja = newUserId();
    const en = newUserId();
    const parentOfFirst = newUserId();
    await linkGuardian(top!.id, ja, 'ja');
    await linkGuardian(top!.id, en, 'en-US');
    await linkGuardian(topToo!.id, ja, 'ja');
    await linkGuardian(first!.id, parentOfFirst, 'ja');

    const res = await api(`/schools/${school.id}/rollover`, { method: 'POST', token, body: { year: 2027 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ year: 2027, promoted: 1, graduated: 2, alreadyDone: false });
    expect(await pupilRow(first!.id)).toMatchObject({ grade: 2, graduated_at: null });
    expect((await pupilRow(top!.id))!.graduated_at).not.toBeNull();
    expect(await pupilRow(top!.id)).toMatchObject({ grade: 3, code_hash: null });
    expect(await linksOf(top!.id)).toEqual([]);
    expect(await linksOf(topToo!.id)).toEqual([]);
    expect(await linksOf(first!.id)).toHaveLength(1);

    const jaTexts = (await fake.messagesTo(ja)).map((m) => m.text as string);
    expect(jaTexts).toHaveLength(2);
    expect(jaTexts.join('\n')).toContain('卒業 太郎さんのご卒業');
    expect(jaTexts.join('\n')).toContain('卒業 花子さん');
    const enTexts = (await fake.messagesTo(en)).map((m) => m.text as string);
    expect(enTexts).toHaveLength(1);
    expect(enTexts[0]).toContain('has graduated');
    expect(await fake.messagesTo(parentOfFirst)).toEqual([]);
    const pushes = await fake.requests({ to: ja, path: '/v2/bot/message/push' });
    expect(pushes.every((r) => r.retryKey)).toBe(true);

    // The same year again: nothing moves, nobody is told again.
    const again = await api(`/schools/${school.id}/rollover`, { method: 'POST', token, body: { year: 2027 } });
    expect(await again.json()).toEqual({ year: 2027, promoted: 0, graduated: 0, alreadyDone: true });
    expect(await pupilRow(first!.id)).toMatchObject({ grade: 2 });
    expect(await fake.messagesTo(ja)).toHaveLength(2);

    // Graduates are off the default list, and get no new code.
    const { items } = await (await api(`/schools/${school.id}/pupils`)).json<{ items: { id: string }[] }>();
    expect(items.map((p) => p.id)).toEqual([first!.id]);
    const grads = await (await api(`/schools/${school.id}/pupils?graduated=only`)).json<{ items: { id: string }[] }>();
    expect(grads.items.map((p) => p.id).sort()).toEqual([top!.id, topToo!.id].sort());
    expect((await api(`/schools/${school.id}/pupils/${top!.id}/code`, { method: 'POST' })).status).toBe(409);
    expect(await auditCount('school.rollover', school.id)).toBe(1);

    // The next year moves them on again.
    const next = await api(`/schools/${school.id}/rollover`, { method: 'POST', token, body: { year: 2028 } });
    expect(await next.json()).toEqual({ year: 2028, promoted: 1, graduated: 0, alreadyDone: false });
  });
});
