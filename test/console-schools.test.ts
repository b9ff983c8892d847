import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashAccessCode, readAccessCode } from '../src/access-codes';
import { jstParts } from '../src/calendar/jst';
import { db } from '../src/db/client';
import { unconfirmedBySchool } from '../src/schools/absences-staff';
import { listSchoolMessages } from '../src/schools/messages';
import { principalForToken } from '../src/admin/auth';
import { api, BOOTSTRAP, newStaff } from './helpers/api';
import { createAs, seedCommunity } from './helpers/broadcasts';
import { signIn, navLabels, textOf } from './helpers/console';
import { fake } from './helpers/line';
import {
  auditCount,
  createSchool,
  importPupils,
  linkGuardian,
  storedNotice,
  type IssuedPupil,
  type TestSchool,
} from './helpers/schools';

/** The console's 学校 pages (issue 13): the day's notices, 確認, CSV, roster import, codes, messages. */

const today = jstParts(Date.now()).date;
const lineId = () => `U${crypto.randomUUID().replaceAll('-', '')}`;

let schoolA: TestSchool;
let schoolB: TestSchool;
let pupilsA: IssuedPupil[];
let staffA: { id: string; token: string };
let staffB: { id: string; token: string };
const guardian = lineId();
const guardian2 = lineId();
let notice: { id: string; number: string };
let withdrawn: { id: string; number: string };

async function noticeRow(id: string) {
  return env.DB.prepare('SELECT status, confirmed_by, confirm_comment FROM absence_notices WHERE id = ?')
    .bind(id)
    .first<{ status: string; confirmed_by: string | null; confirm_comment: string | null }>();
}

beforeAll(async () => {
  schoolA = await createSchool();
  schoolB = await createSchool();
  pupilsA = await importPupils(schoolA.id, [
    { grade: 1, class: '1', number: 1, name: '岡山 一郎', kana: 'おかやま いちろう' },
    { grade: 1, class: '1', number: 2, name: '岡山 次郎', kana: 'おかやま じろう' },
    { grade: 2, class: '3', number: 1, name: '岡山 花子', kana: 'おかやま はなこ' },
  ]);
  await linkGuardian(pupilsA[0]!.id, guardian);
  await linkGuardian(pupilsA[2]!.id, guardian2);
  staffA = await newStaff(['school_staff'], { schools: [schoolA.id] });
  staffB = await newStaff(['school_staff'], { schools: [schoolB.id] });
  notice = await storedNotice({
    schoolId: schoolA.id,
    pupilId: pupilsA[0]!.id,
    guardian,
    date: today,
    reason: '体調不良',
    symptoms: ['発熱', '咳'],
    temperature: 38.2,
  });
  await storedNotice({
    schoolId: schoolA.id,
    pupilId: pupilsA[1]!.id,
    guardian,
    date: today,
    type: 'late',
    time: '10:00',
  });
  withdrawn = await storedNotice({
    schoolId: schoolA.id,
    pupilId: pupilsA[2]!.id,
    guardian: guardian2,
    date: today,
    type: 'early_leave',
    status: 'withdrawn',
  });
});

describe('who sees the school pages', () => {
  it('a school_staff of one school is sent straight to it; the page lists the day by grade and class with counts', async () => {
    const b = await signIn(staffA.token);
    const list = await b.get('/admin/schools');
    expect(list.status).toBe(303);
    expect(list.location).toBe(`/admin/schools/${schoolA.id}`);
    const page = await b.get(`/admin/schools/${schoolA.id}`);
    expect(page.status).toBe(200);
    expect(navLabels(page.html)).toContain('学校');
    const text = textOf(page.html);
    expect(text).toContain('1年1組（欠席1・遅刻1・早退0）');
    expect(text).toContain('2年3組（欠席0・遅刻0・早退0）');
    expect(text).toContain('岡山 一郎');
    expect(text).toContain('発熱、咳');
    expect(text).toContain('38.2℃');
    expect(text).toContain(notice.number);
    // Two unconfirmed notices, each with its own labelled comment box and 確認; the withdrawn one has neither.
    expect(page.html.match(/<label for="comment-[^"]+">コメント<\/label>/g)).toHaveLength(2);
    expect(page.html.match(/<button type="submit">確認<\/button>/g)).toHaveLength(2);
    expect(page.html).not.toContain(`comment-${withdrawn.id}`);
    expect(text).toContain('取消');
  });

  it('another school’s staff get a 403 page on every page and form of school A', async () => {
    const b = await signIn(staffB.token);
    for (const path of [
      `/admin/schools/${schoolA.id}`,
      `/admin/schools/${schoolA.id}/roster`,
      `/admin/schools/${schoolA.id}/messages`,
      `/admin/schools/${schoolA.id}/absences.csv`,
    ]) {
      const page = await b.get(path);
      expect(page.status, path).toBe(403);
      expect(page.location).toBeNull();
      expect(page.html).toContain('role="alert"');
      expect(page.html).not.toContain('岡山 一郎');
    }
    const post = await b.post(`/admin/schools/${schoolA.id}/absences/${notice.id}/confirm`, { date: today });
    expect(post.status).toBe(403);
    expect((await noticeRow(notice.id))?.status).toBe('submitted');
    const upload = await b.upload(`/admin/schools/${schoolA.id}/pupils`, {
      file: new File(['grade,class,name,kana\n1,1,侵入 太郎,しんにゅう たろう\n'], 'r.csv', { type: 'text/csv' }),
    });
    expect(upload.status).toBe(403);
    // Their own school still opens (a list of one: straight there).
    expect((await b.get('/admin/schools')).location).toBe(`/admin/schools/${schoolB.id}`);
  });

  it('an admin sees every school in the list, each a link to its page', async () => {
    const b = await signIn();
    const list = await b.get('/admin/schools');
    expect(list.status).toBe(200);
    expect(list.html).toContain(`href="/admin/schools/${schoolA.id}"`);
    expect(list.html).toContain(`href="/admin/schools/${schoolB.id}"`);
    expect((await b.get(`/admin/schools/${schoolA.id}`)).status).toBe(200);
  });

  it('a report_manager and a community_leader get 403 and no 学校 in the navigation', async () => {
    const community = await seedCommunity('unit');
    const cases: [string[], Record<string, string[]>][] = [
      [['report_manager'], {}],
      [['community_leader'], { communities: [community.id] }],
    ];
    for (const [roles, scopes] of cases) {
      const s = await newStaff(roles, scopes);
      const b = await signIn(s.token);
      expect(navLabels((await b.get('/admin')).html)).not.toContain('学校');
      const list = await b.get('/admin/schools');
      expect(list.status).toBe(403);
      expect(list.location).toBeNull();
      expect((await b.get(`/admin/schools/${schoolA.id}`)).status).toBe(403);
    }
  });

  it('the dashboard card counts today’s unconfirmed notices per school', async () => {
    const b = await signIn(staffA.token);
    const text = textOf((await b.get('/admin')).html);
    expect(text).toContain('今日の欠席・遅刻・早退連絡');
    expect(text).toContain(`${schoolA.name} ：未確認 2件`);
  });
});

describe('confirming a notice', () => {
  it('a POST without the CSRF token is refused and changes nothing', async () => {
    const b = await signIn(staffA.token);
    const res = await b.post(
      `/admin/schools/${schoolA.id}/absences/${notice.id}/confirm`,
      { comment: 'x', date: today },
      { csrf: false },
    );
    expect(res.status).toBe(403);
    expect((await noticeRow(notice.id))?.status).toBe('submitted');
  });

  it('a comment over 200 characters shows the page again with 400 and an alert; nothing confirmed', async () => {
    const b = await signIn(staffA.token);
    const res = await b.post(`/admin/schools/${schoolA.id}/absences/${notice.id}/confirm`, {
      comment: 'あ'.repeat(201),
      date: today,
    });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/role="alert"[^>]*>コメントは200字以内/);
    // What was typed is kept in its box, so the teacher can shorten it.
    expect(res.html).toContain(`>${'あ'.repeat(201)}</textarea>`);
    expect((await noticeRow(notice.id))?.status).toBe('submitted');
  });

  it('確認 with a comment confirms it as the API does: 303 back with a notice, audited, the guardian told', async () => {
    const b = await signIn(staffA.token);
    const before = await auditCount('school.absence.confirm', notice.id);
    const res = await b.post(`/admin/schools/${schoolA.id}/absences/${notice.id}/confirm`, {
      comment: 'お大事にしてください',
      date: today,
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/schools/${schoolA.id}?date=${today}&done=confirmed#n-${notice.id}`);
    const row = await noticeRow(notice.id);
    expect(row).toEqual({ status: 'confirmed', confirmed_by: staffA.id, confirm_comment: 'お大事にしてください' });
    expect(await auditCount('school.absence.confirm', notice.id)).toBe(before + 1);
    // Seen through the API too.
    const viaApi = await api(`/schools/${schoolA.id}/absences?date=${today}`, { token: staffA.token });
    const items = (await viaApi.json<{ items: { id: string; status: string }[] }>()).items;
    expect(items.find((i) => i.id === notice.id)?.status).toBe('confirmed');
    const pushed = JSON.stringify(await fake.messagesTo(guardian));
    expect(pushed).toContain('お大事にしてください');
    const after = await b.get(res.location!);
    expect(after.html).toMatch(/class="notice" role="status"/);
    expect(after.html).not.toContain(`comment-${notice.id}`);
    expect(textOf(after.html)).toContain('確認済');
  });

  it('a withdrawn notice cannot be confirmed (409 page); nothing changes', async () => {
    const b = await signIn(staffA.token);
    const res = await b.post(`/admin/schools/${schoolA.id}/absences/${withdrawn.id}/confirm`, { date: today });
    expect(res.status).toBe(409);
    expect((await noticeRow(withdrawn.id))?.status).toBe('withdrawn');
  });

  it('another day is picked with the date field; the day’s CSV is the API’s (Japanese headers)', async () => {
    const later = jstParts(Date.now() + 3 * 86_400_000).date;
    const n = await storedNotice({ schoolId: schoolA.id, pupilId: pupilsA[2]!.id, guardian: guardian2, date: later });
    const b = await signIn(staffA.token);
    expect((await b.get(`/admin/schools/${schoolA.id}`)).html).not.toContain(n.number);
    const other = await b.get(`/admin/schools/${schoolA.id}?date=${later}`);
    expect(other.html).toContain(n.number);
    expect(other.html).toContain(`value="${later}"`);
    const csv = await b.get(`/admin/schools/${schoolA.id}/absences.csv?date=${later}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain(`absences-${later}.csv`);
    expect(csv.html).toContain('受付番号');
    expect(csv.html).toContain(n.number);
    expect(csv.html).not.toContain(notice.number);
  });
});

describe('roster import and registration codes', () => {
  const codesIn = (html: string) => [...html.matchAll(/class="secret">([A-Z0-9]{4}-[A-Z0-9]{4})</g)].map((m) => m[1]!);

  it('an upload imports every row and shows each code once, as printable slips; a reload of the roster shows none', async () => {
    const b = await signIn(staffA.token);
    const csv = 'grade,class,number,name,kana\n3,1,1,吉備 太郎,きび たろう\n3,1,2,吉備 桃子,きび ももこ\n';
    const res = await b.upload(`/admin/schools/${schoolA.id}/pupils`, {
      file: new File([csv], 'roster.csv', { type: 'text/csv' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const codes = codesIn(res.html);
    expect(codes).toHaveLength(2);
    expect(res.html.match(/class="slip"/g)).toHaveLength(2);
    expect(textOf(res.html)).toContain('3年1組 吉備 太郎 さんの保護者の方へ');
    expect(textOf(res.html)).toContain('「欠席連絡」');
    // Each code shown is the one stored (as its hash).
    for (const code of codes) {
      const row = await env.DB.prepare('SELECT name FROM pupils WHERE code_hash = ?')
        .bind(await hashAccessCode(readAccessCode(code)!))
        .first<{ name: string }>();
      expect(row?.name).toMatch(/^吉備/);
    }
    const roster = await b.get(`/admin/schools/${schoolA.id}/roster`);
    expect(roster.status).toBe(200);
    expect(textOf(roster.html)).toContain('吉備 太郎');
    for (const code of codes) expect(roster.html).not.toContain(code);
    expect(codesIn(roster.html)).toHaveLength(0);
  });

  it('an invalid CSV is refused with 400, each bad line named, and nothing is stored', async () => {
    const b = await signIn(staffA.token);
    const before = await env.DB.prepare('SELECT count(*) AS n FROM pupils WHERE school_id = ?')
      .bind(schoolA.id)
      .first<{ n: number }>();
    const csv =
      'grade,class,name,kana\n1,1,正しい 行,ただしい ぎょう\n12,1,学年 違い,がくねん ちがい\n2,1,,なまえなし\n';
    const res = await b.upload(`/admin/schools/${schoolA.id}/pupils`, {
      file: new File([csv], 'bad.csv', { type: 'text/csv' }),
    });
    expect(res.status).toBe(400);
    expect(res.html).toContain('role="alert"');
    expect(res.html).toMatch(/<li>line 3: grade: [^<]+<\/li>/);
    expect(res.html).toMatch(/<li>line 4: name: [^<]+<\/li>/);
    expect(res.html).not.toContain('class="secret"');
    const after = await env.DB.prepare('SELECT count(*) AS n FROM pupils WHERE school_id = ?')
      .bind(schoolA.id)
      .first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it('an upload without the CSRF token imports nothing', async () => {
    const b = await signIn(staffA.token);
    const form = new FormData();
    form.set('file', new File(['grade,class,name,kana\n1,1,無断 太郎,むだん たろう\n'], 'r.csv', { type: 'text/csv' }));
    const res = await b.request(`/admin/schools/${schoolA.id}/pupils`, { method: 'POST', body: form });
    expect(res.status).toBe(403);
    expect(res.html).not.toContain('class="secret"');
    const row = await env.DB.prepare("SELECT count(*) AS n FROM pupils WHERE name = '無断 太郎'").first<{
      n: number;
    }>();
    expect(row?.n).toBe(0);
  });

  it('an upload without a file is a 400 with an alert', async () => {
    const b = await signIn(staffA.token);
    const res = await b.upload(`/admin/schools/${schoolA.id}/pupils`, {});
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/role="alert"/);
  });

  it('再発行 issues a new code shown once; the old one stops working', async () => {
    const b = await signIn(staffA.token);
    const pupil = pupilsA[1]!;
    const res = await b.post(`/admin/schools/${schoolA.id}/pupils/${pupil.id}/code`);
    expect(res.status).toBe(201);
    const [code] = codesIn(res.html);
    expect(code).toBeDefined();
    const row = await env.DB.prepare('SELECT code_hash FROM pupils WHERE id = ?')
      .bind(pupil.id)
      .first<{ code_hash: string }>();
    expect(row?.code_hash).toBe(await hashAccessCode(readAccessCode(code!)!));
    expect(row?.code_hash).not.toBe(await hashAccessCode(readAccessCode(pupil.registrationCode)!));
  });

  it('a 再発行 without the CSRF token changes nothing', async () => {
    const b = await signIn(staffA.token);
    const pupil = pupilsA[2]!;
    const before = await env.DB.prepare('SELECT code_hash FROM pupils WHERE id = ?').bind(pupil.id).first();
    const res = await b.post(`/admin/schools/${schoolA.id}/pupils/${pupil.id}/code`, {}, { csrf: false });
    expect(res.status).toBe(403);
    expect(await env.DB.prepare('SELECT code_hash FROM pupils WHERE id = ?').bind(pupil.id).first()).toEqual(before);
  });
});

describe('school messages and their acknowledgements', () => {
  it('lists the school’s messages and, per pupil, who acknowledged (only this school’s staff)', async () => {
    const made = await createAs(staffA.token, {
      title: '遠足のお知らせ',
      audience: { type: 'school', schoolId: schoolA.id },
      requestAck: true,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await env.DB.prepare('INSERT INTO broadcast_acks (broadcast_id, line_user_id, at) VALUES (?, ?, ?)')
      .bind(made.body.id, guardian, Date.now())
      .run();
    const b = await signIn(staffA.token);
    const list = await b.get(`/admin/schools/${schoolA.id}/messages`);
    expect(list.status).toBe(200);
    expect(textOf(list.html)).toContain('遠足のお知らせ');
    expect(list.html).toContain(`href="/admin/broadcasts/new?audience=school:${schoolA.id}"`);
    const acksPath = `/admin/schools/${schoolA.id}/messages/${made.body.id}/acks`;
    expect(list.html).toContain(`href="${acksPath}"`);
    const acks = await b.get(acksPath);
    expect(acks.status).toBe(200);
    const text = textOf(acks.html);
    expect(text).toMatch(/確認済 1人・未確認 \d+人/);
    expect(text).toContain('岡山 一郎 確認済');
    const pending = await b.get(`${acksPath}?pending=1`);
    expect(textOf(pending.html)).not.toContain('岡山 一郎');
    // Another school's staff: 403 before anything is read; under school B's URL the message is not there.
    const other = await signIn(staffB.token);
    expect((await other.get(acksPath)).status).toBe(403);
    expect((await other.get(`/admin/schools/${schoolB.id}/messages/${made.body.id}/acks`)).status).toBe(404);
    expect(textOf((await other.get(`/admin/schools/${schoolB.id}/messages`)).html)).not.toContain('遠足のお知らせ');
  });
});

describe('personal data', () => {
  it('no guardian LINE user ID appears in any school page', async () => {
    const b = await signIn(staffA.token);
    const admin = await signIn();
    const pages = [
      await b.get('/admin'),
      await b.get(`/admin/schools/${schoolA.id}`),
      await b.get(`/admin/schools/${schoolA.id}/roster`),
      await b.get(`/admin/schools/${schoolA.id}/messages`),
      await admin.get('/admin/schools'),
      await admin.get(`/admin/schools/${schoolA.id}`),
    ];
    for (const p of pages) {
      expect(p.status).toBe(200);
      expect(p.html).not.toContain(guardian);
      expect(p.html).not.toContain(guardian2);
      expect(p.html).not.toMatch(/U[0-9a-f]{32}/);
    }
  });

  it('each read of the day is audited with via: console', async () => {
    const b = await signIn(staffA.token);
    const before = await auditCount('school.absences.read', schoolA.id);
    await b.get(`/admin/schools/${schoolA.id}`);
    expect(await auditCount('school.absences.read', schoolA.id)).toBe(before + 1);
    const last = await env.DB.prepare(
      "SELECT detail FROM audit_log WHERE action = 'school.absences.read' AND target_id = ? ORDER BY at DESC LIMIT 1",
    )
      .bind(schoolA.id)
      .first<{ detail: string }>();
    expect(JSON.parse(last!.detail)).toMatchObject({ via: 'console', date: today });
  });
});

describe('unconfirmedBySchool (the dashboard figure)', () => {
  it('counts submitted notices on the day, ranges included; confirmed and withdrawn ones are left out', async () => {
    const s = await createSchool();
    const [p] = await importPupils(s.id, [{ grade: 1, class: '1', name: '範囲 太郎', kana: 'はんい たろう' }]);
    const yesterday = jstParts(Date.now() - 86_400_000).date;
    await storedNotice({ schoolId: s.id, pupilId: p!.id, date: yesterday, dateTo: today });
    await storedNotice({ schoolId: s.id, pupilId: p!.id, date: today });
    await storedNotice({ schoolId: s.id, pupilId: p!.id, date: today, status: 'confirmed' });
    await storedNotice({ schoolId: s.id, pupilId: p!.id, date: today, status: 'withdrawn' });
    await storedNotice({ schoolId: s.id, pupilId: p!.id, date: yesterday });
    const d = db(env.DB);
    expect((await unconfirmedBySchool(d, [s.id], today)).get(s.id)).toBe(2);
    expect((await unconfirmedBySchool(d, null, today)).get(s.id)).toBe(2);
    expect((await unconfirmedBySchool(d, [], today)).size).toBe(0);
  });
});

describe('listSchoolMessages (the school’s messages, a page at a time)', () => {
  it('pages newest first by cursor, only this school’s messages, 403 for another school’s staff', async () => {
    const s = await createSchool();
    const teacher = await newStaff(['school_staff'], { schools: [s.id] });
    const ids: string[] = [];
    for (const title of ['一通目', '二通目', '三通目']) {
      const made = await createAs(teacher.token, { title, audience: { type: 'school', schoolId: s.id } });
      expect(made.status).toBe(201);
      ids.push(made.body.id);
    }
    // Distinct creation times (the same millisecond would order by id, which is random).
    for (const [i, id] of ids.entries())
      await env.DB.prepare('UPDATE broadcasts SET created_at = ? WHERE id = ?')
        .bind(Date.now() - 10_000 + i * 1000, id)
        .run();
    const d = db(env.DB);
    const by = (await principalForToken(d, BOOTSTRAP, teacher.token))!;
    const first = await listSchoolMessages(env, d, by, s.id, Date.now(), { limit: 2 });
    expect(first.items.map((i) => i.title)).toEqual(['三通目', '二通目']);
    expect(first.nextCursor).not.toBeNull();
    const second = await listSchoolMessages(env, d, by, s.id, Date.now(), { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((i) => i.title)).toEqual(['一通目']);
    expect(second.nextCursor).toBeNull();
    const otherBy = (await principalForToken(d, BOOTSTRAP, staffB.token))!;
    await expect(listSchoolMessages(env, d, otherBy, s.id, Date.now(), { limit: 2 })).rejects.toMatchObject({
      status: 403,
    });
  });
});
