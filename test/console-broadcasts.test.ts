import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { principalForStaffId } from '../src/admin/auth';
import { countBroadcasts, lastReturn } from '../src/broadcasts/queue';
import { listBroadcasts, returnBroadcast } from '../src/broadcasts/service';
import { db } from '../src/db/client';
import { lineLength } from '../src/line/limits';
import { api, newStaff } from './helpers/api';
import { createAs, seedCommunity, seedSchool } from './helpers/broadcasts';
import { type Browser, navLabels, signIn, textOf } from './helpers/console';

/** The console's 配信 pages (issue 13) for each role: what each may open, the composer's rules, CSRF. */

const idOf = (location: string | null) => /\/admin\/broadcasts\/([0-9a-f-]{36})/.exec(location ?? '')?.[1] ?? '';

async function statusOf(id: string): Promise<string> {
  const res = await api(`/broadcasts/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { status: string }).status;
}

async function countTitled(title: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM broadcasts WHERE title = ?').bind(title).first<{
    n: number;
  }>();
  return row?.n ?? 0;
}

function compose(b: Browser, fields: Record<string, string>) {
  return b.post('/admin/broadcasts/new', {
    title: `配信 ${crypto.randomUUID()}`,
    text_0: 'お知らせです',
    audience: 'ward:北区',
    scheduledAt: '',
    action: 'draft',
    ...fields,
  });
}

const PAGES = ['/admin/broadcasts', '/admin/broadcasts/new', '/admin/approvals'];

describe('who may open which page', () => {
  it('a broadcaster: the list and the composer, not the queue; 配信 in the nav, not 承認待ち', async () => {
    const b = await signIn((await newStaff(['broadcaster'])).token);
    expect((await b.get('/admin/broadcasts')).status).toBe(200);
    const composer = await b.get('/admin/broadcasts/new');
    expect(composer.status).toBe(200);
    const queue = await b.get('/admin/approvals');
    expect(queue.status).toBe(403);
    expect(queue.html).toContain('role="alert"');
    const nav = navLabels(composer.html);
    expect(nav).toContain('配信');
    expect(nav).not.toContain('承認待ち');
  });

  it('an approver: the list and the queue, not the composer (the API lets approvers approve, not write)', async () => {
    const b = await signIn((await newStaff(['approver'])).token);
    const list = await b.get('/admin/broadcasts');
    expect(list.status).toBe(200);
    expect(list.html).not.toContain('href="/admin/broadcasts/new"');
    expect((await b.get('/admin/approvals')).status).toBe(200);
    expect((await b.get('/admin/broadcasts/new')).status).toBe(403);
    expect(navLabels(list.html)).toEqual(expect.arrayContaining(['配信', '承認待ち']));
  });

  it('school staff: only their school as an audience, only their school’s broadcasts in the list', async () => {
    const mine = await seedSchool();
    const other = await seedSchool();
    const s = await newStaff(['school_staff'], { schools: [mine.id] });
    const otherStaff = await newStaff(['school_staff'], { schools: [other.id] });
    const theirs = await createAs(otherStaff.token, {
      title: `他校 ${crypto.randomUUID()}`,
      audience: { type: 'school', schoolId: other.id },
      draft: true,
    });
    expect(theirs.status).toBe(201);
    const b = await signIn(s.token);
    const composer = await b.get('/admin/broadcasts/new');
    expect(composer.status).toBe(200);
    expect(composer.html).toContain(`value="school:${mine.id}"`);
    expect(composer.html).not.toContain(`school:${other.id}`);
    expect(composer.html).not.toContain('value="all"');
    expect(composer.html).not.toContain('value="ward:');
    expect((await b.get('/admin/approvals')).status).toBe(200);
    const list = await b.get('/admin/broadcasts');
    expect(list.status).toBe(200);
    expect(list.html).not.toContain(theirs.body.id);
    // Another school's broadcast: the API answers 404, and so does its page.
    expect((await b.get(`/admin/broadcasts/${theirs.body.id}`)).status).toBe(404);
    expect(navLabels(list.html)).toEqual(expect.arrayContaining(['配信', '承認待ち']));
  });

  it('a community leader: their association as the audience; no queue', async () => {
    const unit = await seedCommunity('unit');
    const b = await signIn((await newStaff(['community_leader'], { communities: [unit.id] })).token);
    const composer = await b.get('/admin/broadcasts/new');
    expect(composer.status).toBe(200);
    expect(composer.html).toContain(`value="community:${unit.id}"`);
    expect(composer.html).not.toContain('value="all"');
    expect((await b.get('/admin/broadcasts')).status).toBe(200);
    expect((await b.get('/admin/approvals')).status).toBe(403);
    // A leader's own post needs no approval: 承認依頼 schedules it.
    const res = await compose(b, { audience: `community:${unit.id}`, action: 'submit' });
    expect(res.status).toBe(303);
    expect(await statusOf(idOf(res.location))).toBe('scheduled');
  });

  it('an admin: every page, and the 緊急 box', async () => {
    const b = await signIn();
    for (const p of PAGES) expect((await b.get(p)).status, p).toBe(200);
    const composer = await b.get('/admin/broadcasts/new');
    expect(composer.html).toMatch(/<input type="checkbox" id="urgent" name="urgent"/);
    expect(composer.html).toContain('<label for="urgent">緊急</label>');
  });

  it('report_manager: 403 pages for all of them and no nav entry', async () => {
    const b = await signIn((await newStaff(['report_manager'])).token);
    for (const p of PAGES) {
      const page = await b.get(p);
      expect(page.status, p).toBe(403);
      expect(page.html).toContain('権限がありません');
    }
    const home = await b.get('/admin');
    expect(navLabels(home.html)).not.toContain('配信');
    expect(navLabels(home.html)).not.toContain('承認待ち');
    expect(home.html).not.toContain('id="card-broadcasts"');
  });
});

describe('the composer', () => {
  it('has the contract’s labels and buttons, and the next release from the hours rule', async () => {
    const b = await signIn((await newStaff(['broadcaster'])).token);
    const page = await b.get('/admin/broadcasts/new');
    for (const label of ['タイトル', '本文', '配信対象', '配信日時'])
      expect(page.html).toMatch(new RegExp(`<label for="[^"]+">${label}</label>`));
    expect(page.html).toMatch(/<input type="datetime-local" id="scheduledAt" name="scheduledAt"/);
    expect(page.html).toMatch(/<select id="audience" name="audience"/);
    for (const button of ['承認依頼', '下書き保存', 'テスト送信', '本文を追加'])
      expect(textOf(page.html)).toContain(button);
    expect(textOf(page.html)).toMatch(/承認されると \d{4}年\d{1,2}月\d{1,2}日\(.\) \d{2}:\d{2} ごろ配信されます/);
    expect(page.html).toContain('<script src="/admin/broadcasts/composer.js" defer="" nonce="');
  });

  it('the 緊急 box is absent for non-admins, and posting it anyway is refused and saves nothing', async () => {
    const b = await signIn((await newStaff(['broadcaster'])).token);
    expect((await b.get('/admin/broadcasts/new')).html).not.toContain('id="urgent"');
    const title = `緊急 ${crypto.randomUUID()}`;
    const res = await compose(b, { title, urgent: 'on', action: 'submit' });
    expect(res.status).toBe(403);
    expect(await countTitled(title)).toBe(0);
  });

  it('an admin’s 緊急 broadcast is saved as urgent', async () => {
    const res = await compose(await signIn(), { urgent: 'on', action: 'draft' });
    expect(res.status).toBe(303);
    const b = (await (await api(`/broadcasts/${idOf(res.location)}`)).json()) as { urgent: boolean };
    expect(b.urgent).toBe(true);
  });

  it('counts characters as LINE does (UTF-16 code units; the browser’s CRLF is one line break)', async () => {
    const b = await signIn((await newStaff(['broadcaster'])).token);
    const typed = '🍎👨‍👩‍👧 a\r\nb';
    const page = await compose(b, { text_0: typed, action: 'preview' });
    expect(page.status).toBe(200);
    const asLine = lineLength('text', typed.replace(/\r\n/g, '\n'));
    expect(asLine).toBe(14);
    expect(page.html).toContain(`<p class="count" id="text_0-count">${asLine} / 5,000 文字</p>`);
    // The preview is drawn as chat bubbles with the text as typed.
    expect(page.html).toContain('<div class="bubble">🍎👨‍👩‍👧 a\nb</div>');
  });

  it('the script is served with LINE’s counting rule and limit from src/line/limits.ts', async () => {
    const b = await signIn((await newStaff(['broadcaster'])).token);
    const js = await b.get('/admin/broadcasts/composer.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.html).toContain('"limit":5000');
    expect(js.html).toContain('"unit":"utf16"');
    expect(js.html).toContain('"max":5');
  });

  it('本文を追加 posts back with one more 本文 and keeps what was typed; at most five', async () => {
    const b = await signIn((await newStaff(['broadcaster'])).token);
    const one = await compose(b, { title: '追加の確認', text_0: '一通目', action: 'add' });
    expect(one.status).toBe(200);
    expect(one.html).toContain('<label for="text_1">本文（2通目）</label>');
    expect(one.html).toContain('value="追加の確認"');
    expect(one.html).toContain('一通目</textarea>');
    const five = await compose(b, {
      text_1: '2',
      text_2: '3',
      text_3: '4',
      action: 'add',
    });
    expect(five.html).toContain('id="text_4"');
    expect(five.html).not.toContain('value="add"');
  });

  it('bad input: 400 with the API’s message in role="alert", the fields kept, nothing saved', async () => {
    const b = await signIn((await newStaff(['broadcaster'])).token);
    const title = `長すぎ ${crypto.randomUUID()}`;
    const long = 'あ'.repeat(5001);
    const res = await compose(b, { title, text_0: long, audience: 'interest:防災', action: 'submit' });
    expect(res.status).toBe(400);
    const api400 = await api('/broadcasts', {
      method: 'POST',
      body: { title, messages: [{ type: 'text', text: long }], audience: { type: 'all' } },
    });
    const { detail } = (await api400.json()) as { detail: string };
    expect(detail).toContain('messages.0.text');
    const alert = /<p role="alert">([^<]*)<\/p>/.exec(res.html)?.[1] ?? '';
    expect(alert).toContain(detail);
    expect(res.html).toContain(`value="${title}"`);
    expect(res.html).toContain(`${long}</textarea>`);
    expect(res.html).toMatch(/<option value="interest:防災" selected=""/);
    expect(await countTitled(title)).toBe(0);
    const noAudience = await compose(b, { audience: '', action: 'draft' });
    expect(noAudience.status).toBe(400);
    expect(noAudience.html).toContain('配信対象を選んでください');
    const badTime = await compose(b, { scheduledAt: 'tomorrow', action: 'draft' });
    expect(badTime.status).toBe(400);
  });

  it('a POST without the CSRF token changes nothing', async () => {
    const b = await signIn((await newStaff(['broadcaster'])).token);
    const title = `CSRF ${crypto.randomUUID()}`;
    const res = await b.post(
      '/admin/broadcasts/new',
      { title, text_0: 'x', audience: 'all', action: 'submit' },
      { csrf: false },
    );
    expect(res.status).toBe(403);
    expect(await countTitled(title)).toBe(0);
  });

  it('下書き保存: 303 to the broadcast’s page, a draft; the dashboard counts my drafts; the draft can be edited', async () => {
    const s = await newStaff(['broadcaster']);
    const b = await signIn(s.token);
    const res = await compose(b, { title: '下書きの確認', scheduledAt: '2026-12-24T10:00', action: 'draft' });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/admin\/broadcasts\/[0-9a-f-]{36}\?done=draft$/);
    const id = idOf(res.location);
    expect(await statusOf(id)).toBe('draft');
    const page = await b.get(res.location!);
    expect(page.html).toMatch(/<p class="notice" role="status">下書きを保存しました。<\/p>/);
    expect(textOf(page.html)).toContain('下書き');
    expect(textOf(page.html)).toContain('2026年12月24日(木) 10:00');
    expect(textOf((await b.get('/admin')).html)).toContain('自分の下書き 1 件');

    const edit = await b.get(`/admin/broadcasts/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.html).toContain('value="2026-12-24T10:00"');
    const submitted = await b.post(`/admin/broadcasts/${id}/edit`, {
      title: '下書きの確認（直し）',
      text_0: '直した本文',
      audience: 'ward:北区',
      scheduledAt: '',
      action: 'submit',
    });
    expect(submitted.status).toBe(303);
    expect(submitted.location).toBe(`/admin/broadcasts/${id}?done=submit`);
    const after = (await (await api(`/broadcasts/${id}`)).json()) as {
      status: string;
      title: string;
      scheduledAt: string | null;
      messages: { text: string }[];
    };
    expect(after).toMatchObject({ status: 'pending_approval', title: '下書きの確認（直し）', scheduledAt: null });
    expect(after.messages[0]!.text).toBe('直した本文');
    // No longer a draft: no editor.
    expect((await b.get(`/admin/broadcasts/${id}/edit`)).status).toBe(409);
  });

  it('the list pages on (20 a page), newest first, and filters by status', async () => {
    const school = await seedSchool();
    const s = await newStaff(['school_staff'], { schools: [school.id] });
    const titles: string[] = [];
    for (let i = 0; i < 21; i++) {
      const title = `一覧 ${String(i).padStart(2, '0')}`;
      titles.push(title);
      const r = await createAs(s.token, { title, audience: { type: 'school', schoolId: school.id }, draft: true });
      expect(r.status).toBe(201);
      // One second apart, so the order does not rest on two inserts' milliseconds.
      await env.DB.prepare('UPDATE broadcasts SET created_at = ? WHERE id = ?')
        .bind(Date.now() - (100 - i) * 1000, r.body.id)
        .run();
    }
    const b = await signIn(s.token);
    const first = await b.get('/admin/broadcasts?status=draft');
    expect(first.status).toBe(200);
    const shown = (html: string) => titles.filter((t) => html.includes(`>${t}</a>`));
    expect(shown(first.html)).toHaveLength(20);
    expect(first.html).toContain('>一覧 20</a>');
    expect(first.html).not.toContain('>一覧 00</a>');
    expect(textOf(first.html)).toContain('下書き');
    const next = /<a href="([^"]+)">次へ →<\/a>/.exec(first.html)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toMatch(/status=draft/);
    const second = await b.get(next!);
    expect(shown(second.html)).toEqual(['一覧 00']);
    expect(second.html).not.toContain('次へ →');
    const sent = await b.get('/admin/broadcasts?status=sent');
    expect(shown(sent.html)).toHaveLength(0);
  });
});

describe('what the pages added to the broadcasts service', () => {
  const principal = async (id: string) => (await principalForStaffId(db(env.DB), id))!;

  it('listBroadcasts pages on with `before`; countBroadcasts counts what the caller may see', async () => {
    const school = await seedSchool();
    const s = await newStaff(['school_staff'], { schools: [school.id] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await createAs(s.token, { audience: { type: 'school', schoolId: school.id }, draft: true });
      ids.push(r.body.id);
      await env.DB.prepare('UPDATE broadcasts SET created_at = ? WHERE id = ?')
        .bind(1_000_000 + i, r.body.id)
        .run();
    }
    const by = await principal(s.id);
    const d = db(env.DB);
    const first = await listBroadcasts(env, d, by, Date.now(), { status: 'draft', limit: 2 });
    expect(first.map((b) => b.id)).toEqual([ids[2], ids[1]]);
    const rest = await listBroadcasts(env, d, by, Date.now(), { status: 'draft', limit: 2, before: first[1] });
    expect(rest.map((b) => b.id)).toEqual([ids[0]]);
    expect(await countBroadcasts(d, by, { status: 'draft' })).toBe(3);
    expect(await countBroadcasts(d, by, { status: 'draft', createdBy: 'someone-else' })).toBe(0);
    const other = await principal((await newStaff(['school_staff'], { schools: [(await seedSchool()).id] })).id);
    expect(await countBroadcasts(d, other, { status: 'draft' })).toBe(0);
  });

  it('returnBroadcast: only a pending broadcast, not by its author, with a reason; audited', async () => {
    const author = await newStaff(['broadcaster', 'approver']);
    const approver = await newStaff(['approver']);
    const d = db(env.DB);
    const draft = await createAs(author.token, { draft: true, audience: { type: 'all' } });
    await expect(returnBroadcast(d, await principal(approver.id), draft.body.id, '理由')).rejects.toMatchObject({
      status: 409,
    });
    const pending = await createAs(author.token, { audience: { type: 'all' } });
    await expect(returnBroadcast(d, await principal(author.id), pending.body.id, '理由')).rejects.toMatchObject({
      status: 403,
    });
    await expect(returnBroadcast(d, await principal(approver.id), pending.body.id, ' ')).rejects.toMatchObject({
      status: 400,
    });
    const before = Date.now() - 1000;
    expect(await returnBroadcast(d, await principal(approver.id), pending.body.id, ' 直してください ')).toEqual({
      id: pending.body.id,
      status: 'draft',
    });
    expect(await lastReturn(d, pending.body.id, before)).toMatchObject({
      staffId: approver.id,
      reason: '直してください',
    });
    expect(await lastReturn(d, pending.body.id, Date.now() + 60_000)).toBeNull();
  });
});
