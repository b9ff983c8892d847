import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jpegWithGps } from './helpers/images';
import { fake } from './helpers/line';
import { api, newStaff } from './helpers/api';
import { signIn, textOf, type Browser } from './helpers/console';
import { resident, storedReport } from './helpers/reports';

/** The console's 通報 detail (issue 13): what it shows, its photo route, and what its forms change. */

const pushesTo = async (userId: string) => await fake.requests({ to: userId, path: '/v2/bot/message/push' });

async function reportRow(id: string) {
  return (await env.DB.prepare('SELECT * FROM reports WHERE id = ?').bind(id).first<Record<string, any>>())!;
}

async function auditRows(action: string, targetId: string) {
  return (
    await env.DB.prepare('SELECT staff_id, detail FROM audit_log WHERE action = ? AND target_id = ? ORDER BY id')
      .bind(action, targetId)
      .all<{ staff_id: string; detail: string | null }>()
  ).results;
}

async function manager(): Promise<Browser> {
  return signIn((await newStaff(['report_manager'])).token);
}

describe('the detail', () => {
  it('shows the report, its location with a map link, photos through the console, the reporter as a handle only', async () => {
    const reporter = await resident();
    const supporter = await resident();
    const r = await storedReport(reporter, { photos: [jpegWithGps()], address: '岡山市北区大供一丁目1-1' });
    await env.DB.prepare('INSERT INTO report_supporters (report_id, line_user_id, created_at) VALUES (?, ?, ?)')
      .bind(r.id, supporter, Date.now())
      .run();
    const row = await reportRow(r.id);
    const b = await manager();
    const page = await b.get(`/admin/reports/${r.id}`);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain(`通報 ${r.number}`);
    expect(text).toContain('岡山市北区大供一丁目1-1');
    expect(text).toContain('賛同者 1人');
    expect(page.html).toContain(`https://www.openstreetmap.org/?mlat=${row.lat}&amp;mlon=${row.lng}`);
    expect(page.html).toContain(`<img class="photo" src="/admin/reports/${r.id}/photos/${r.photoIds[0]}"`);
    expect(page.html).toMatch(/<code>res_[0-9a-f]{24}<\/code>/);
    expect(page.html).not.toContain(reporter);
    expect(page.html).not.toContain(supporter);
    // The same receipt number a resident quotes on the phone opens it too.
    expect((await b.get(`/admin/reports/${r.number}`)).status).toBe(200);
    expect((await b.get(`/admin/reports/${crypto.randomUUID()}`)).status).toBe(404);
    // Reading it is audited like the API's read, marked as the console's.
    const reads = await auditRows('report.read', r.id);
    expect(JSON.parse(reads.at(-1)!.detail!)).toMatchObject({
      via: 'console',
      resident: expect.stringMatching(/^res_/),
    });
  });

  it('the contract: a 状態 select with Japanese names, the two textareas, a 更新 button', async () => {
    const r = await storedReport(await resident());
    const page = await (await manager()).get(`/admin/reports/${r.id}`);
    expect(page.html).toMatch(/<label for="status">状態<\/label><select id="status" name="status">/);
    for (const name of ['受付済', '受理', '対応中', '対応完了', '市の管理外', '重複', '対応不可'])
      expect(page.html).toContain(`>${name}</option>`);
    expect(page.html).toMatch(/<option value="received" selected="">受付済<\/option>/);
    expect(page.html).toMatch(/<label for="publicNote">住民へのお知らせ（公開）<\/label>/);
    expect(page.html).toMatch(/<label for="internalNote">内部メモ<\/label>/);
    expect(page.html).toMatch(/<button type="submit">更新<\/button>/);
  });

  it('a report read after its reporter was anonymised shows 「住民」', async () => {
    const r = await storedReport('');
    const page = await (await manager()).get(`/admin/reports/${r.id}`);
    expect(textOf(page.html)).toContain('通報者 住民');
  });

  it('a photo is served from R2 with its type, not cached, and audited', async () => {
    const r = await storedReport(await resident(), { photos: [jpegWithGps()] });
    const photo = await env.DB.prepare('SELECT r2_key, content_type FROM report_photos WHERE id = ?')
      .bind(r.photoIds[0])
      .first<{ r2_key: string; content_type: string }>();
    const stored = new Uint8Array(await (await env.PHOTOS.get(photo!.r2_key))!.arrayBuffer());
    const s = await newStaff(['report_manager']);
    const b = await signIn(s.token);
    const res = await exports.default.fetch(`https://bot.example.jp/admin/reports/${r.id}/photos/${r.photoIds[0]}`, {
      headers: { cookie: `okc_session=${b.cookies.get('okc_session')}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(photo!.content_type);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const got = await res.arrayBuffer();
    expect(new Uint8Array(got)).toEqual(stored);
    const rows = await auditRows('report.photo.read', r.photoIds[0]!);
    expect(rows.at(-1)!.staff_id).toBe(s.id);
    expect(JSON.parse(rows.at(-1)!.detail!)).toEqual({ reportId: r.id, via: 'console' });
    // A photo of another report under this one's URL is not found.
    const other = await storedReport(await resident());
    expect((await b.get(`/admin/reports/${other.id}/photos/${r.photoIds[0]}`)).status).toBe(404);
  });
});

describe('changing a report', () => {
  it('更新 pushes the public note to the reporter as the API does, redirects with a notice, and shows in the history', async () => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    const b = await manager();
    const res = await b.post(`/admin/reports/${r.id}/status`, {
      status: 'in_progress',
      publicNote: '来週補修します。',
      internalNote: '業者手配済み',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/reports/${r.id}?done=status&notified=1`);
    const pushes = await pushesTo(reporter);
    expect(pushes).toHaveLength(1);
    const pushed = (pushes[0]!.body as any).messages[0].text as string;
    expect(pushed).toContain(r.number);
    expect(pushed).toContain('来週補修します。');
    expect(pushed).not.toContain('業者手配済み');
    const page = await b.get(res.location!);
    expect(page.html).toMatch(/<p class="notice" role="status">更新しました。 住民1人にお知らせを送りました。<\/p>/);
    const history = textOf(
      /<section class="table-wrap" aria-label="対応の履歴"[\s\S]*?<\/section>/.exec(page.html)![0],
    );
    expect(history).toContain('受付済 → 対応中');
    expect(history).toContain('来週補修します。');
    expect(history).toContain('業者手配済み');
    expect(page.html).not.toContain(reporter);
    // The API reads the same change.
    const detail = (await (await api(`/reports/${r.id}`)).json()) as any;
    expect(detail.status).toBe('in_progress');
    expect(detail.history.at(-1)).toMatchObject({ to: 'in_progress', publicNote: '来週補修します。' });
  });

  it('closing without a note still tells the reporter; the select then offers only allowed moves', async () => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    const b = await manager();
    expect((await b.post(`/admin/reports/${r.id}/status`, { status: 'resolved' })).location).toContain('notified=1');
    expect(((await pushesTo(reporter))[0]!.body as any).messages[0].text).toContain('対応完了');
    const page = await b.get(`/admin/reports/${r.id}`);
    const select = /<select id="status"[\s\S]*?<\/select>/.exec(page.html)![0];
    const options = [...select.matchAll(/<option value="([a-z_]+)"/g)].map((x) => x[1]);
    expect(options.slice(0, 3)).toEqual(['accepted', 'in_progress', 'resolved']);
    expect(options).not.toContain('rejected');
  });

  it('nothing to change, a move not allowed, or a bad duplicate: the page again with the message in role="alert"', async () => {
    const r = await storedReport(await resident());
    const b = await manager();
    let res = await b.post(`/admin/reports/${r.id}/status`, { status: 'received', publicNote: '', internalNote: '' });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/<p role="alert" id="err-status">変更する内容がありません/);
    res = await b.post(`/admin/reports/${r.id}/status`, { status: 'duplicate', internalNote: '重複？' });
    expect(res.status).toBe(400);
    expect(res.html).toContain('重複の場合は、元の通報の受付番号を入力してください。');
    // What was typed is kept.
    expect(res.html).toMatch(/<textarea id="internalNote"[^>]*>重複？<\/textarea>/);
    res = await b.post(`/admin/reports/${r.id}/status`, { status: 'duplicate', duplicateOf: 'R-1999-000001' });
    expect(res.status).toBe(400);
    await b.post(`/admin/reports/${r.id}/status`, { status: 'rejected' });
    res = await b.post(`/admin/reports/${r.id}/status`, { status: 'resolved' });
    expect(res.status).toBe(409);
    expect(res.html).toContain('この状態には変更できません。');
    expect((await reportRow(r.id)).status).toBe('rejected');
  });

  it('marks a duplicate by the original’s receipt number', async () => {
    const original = await storedReport(await resident());
    const r = await storedReport(await resident());
    const b = await manager();
    const res = await b.post(`/admin/reports/${r.id}/status`, { status: 'duplicate', duplicateOf: original.number });
    expect(res.status).toBe(303);
    expect((await reportRow(r.id)).duplicate_of).toBe(original.id);
  });

  it('changes the department', async () => {
    const r = await storedReport(await resident());
    const b = await manager();
    const res = await b.post(`/admin/reports/${r.id}/department`, { department: 'park' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/reports/${r.id}?done=department`);
    expect((await reportRow(r.id)).department_id).toBe('park');
    expect((await b.post(`/admin/reports/${r.id}/department`, { department: 'nope' })).status).toBe(400);
  });

  it('sends the department e-mail again, audited', async () => {
    const r = await storedReport(await resident());
    const s = await newStaff(['report_manager']);
    const b = await signIn(s.token);
    const res = await b.post(`/admin/reports/${r.id}/mail`);
    expect(res.status).toBe(303);
    expect(res.location).toMatch(new RegExp(`^/admin/reports/${r.id}\\?done=mail-(sent|pending|failed)$`));
    expect((await b.get(res.location!)).html).toMatch(/<p class="notice" role="status">(担当課へ)?メール/);
    const rows = await auditRows('report.mail.resend', r.id);
    expect(rows.map((x) => [x.staff_id, JSON.parse(x.detail!)])).toEqual([[s.id, { via: 'console' }]]);
    expect((await b.post(`/admin/reports/${crypto.randomUUID()}/mail`)).status).toBe(404);
  });

  it('hides and unhides the report and a photo, each with a reason; without one nothing changes', async () => {
    const r = await storedReport(await resident(), { photos: [jpegWithGps()] });
    const b = await manager();
    let res = await b.post(`/admin/reports/${r.id}/hide`, { reason: '  ' });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/<p role="alert" id="err-hide">理由を入力してください/);
    expect((await reportRow(r.id)).hidden_at).toBeNull();
    res = await b.post(`/admin/reports/${r.id}/hide`, { reason: '個人名が書かれている' });
    expect(res.status).toBe(303);
    expect((await reportRow(r.id)).hidden_reason).toBe('個人名が書かれている');
    expect(JSON.parse((await auditRows('report.hide', r.id)).at(-1)!.detail!)).toEqual({
      reason: '個人名が書かれている',
    });
    let page = await b.get(res.location!);
    expect(page.html).toContain('通報を非公開にしました。');
    expect(page.html).toContain(`action="/admin/reports/${r.id}/unhide"`);
    res = await b.post(`/admin/reports/${r.id}/unhide`, { reason: '確認の結果問題なし' });
    expect(res.status).toBe(303);
    expect((await reportRow(r.id)).hidden_at).toBeNull();

    const photo = r.photoIds[0]!;
    const photoRow = () =>
      env.DB.prepare('SELECT hidden_at, hidden_reason FROM report_photos WHERE id = ?').bind(photo).first();
    res = await b.post(`/admin/reports/${r.id}/photos/${photo}/hide`, { reason: '' });
    expect(res.status).toBe(400);
    expect(res.html).toContain(`id="err-photo-${photo}"`);
    expect((await photoRow())!.hidden_at).toBeNull();
    res = await b.post(`/admin/reports/${r.id}/photos/${photo}/hide`, { reason: '人の顔が写っている' });
    expect(res.status).toBe(303);
    expect((await photoRow())!.hidden_reason).toBe('人の顔が写っている');
    page = await b.get(`/admin/reports/${r.id}`);
    expect(textOf(page.html)).toContain('非公開 理由: 人の顔が写っている');
    res = await b.post(`/admin/reports/${r.id}/photos/${photo}/unhide`, { reason: 'ぼかし済みと確認' });
    expect(res.status).toBe(303);
    expect((await photoRow())!.hidden_at).toBeNull();
    expect(await auditRows('report.photo.unhide', photo)).toHaveLength(1);
  });

  it('a POST without the CSRF token changes nothing and pushes nothing', async () => {
    const reporter = await resident();
    const r = await storedReport(reporter, { photos: [jpegWithGps()] });
    const b = await manager();
    const forms: [string, Record<string, string>][] = [
      [`/admin/reports/${r.id}/status`, { status: 'resolved', publicNote: '完了' }],
      [`/admin/reports/${r.id}/department`, { department: 'park' }],
      [`/admin/reports/${r.id}/hide`, { reason: 'x' }],
      [`/admin/reports/${r.id}/photos/${r.photoIds[0]}/hide`, { reason: 'x' }],
    ];
    for (const [path, fields] of forms) {
      const res = await b.post(path, fields, { csrf: false });
      expect(res.status, path).toBe(403);
    }
    const row = await reportRow(r.id);
    expect([row.status, row.department_id, row.hidden_at]).toEqual(['received', 'road', null]);
    expect(await pushesTo(reporter)).toHaveLength(0);
  });
});
