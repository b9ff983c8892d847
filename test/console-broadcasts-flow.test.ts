import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jst } from '../src/calendar/jst';
import { newStaff } from './helpers/api';
import { addResidents, cron, getBroadcast, linkGuardians, seedPupils, seedSchool, settle } from './helpers/broadcasts';
import { type Browser, signIn, textOf } from './helpers/console';
import { fake, newUserId } from './helpers/line';
import { linkLine } from './helpers/staff-link';

/**
 * The console's 配信 pages end to end inside workerd (issue 13): compose as one staff member,
 * approve as another, release with a cron tick, see it delivered by the fake LINE platform and
 * its progress on the page; 差し戻し, the two-person rule, cancel, test send; no LINE user ID in any page.
 */

const idOf = (location: string | null) => /\/admin\/broadcasts\/([0-9a-f-]{36})/.exec(location ?? '')?.[1] ?? '';
/** A Thursday morning in JST: the city's window is open. */
const OPEN = jst('2026-12-03T10:00');

function compose(b: Browser, fields: Record<string, string>) {
  return b.post('/admin/broadcasts/new', {
    title: `配信 ${crypto.randomUUID()}`,
    text_0: `お知らせ ${crypto.randomUUID()}`,
    audience: 'ward:北区',
    scheduledAt: '',
    action: 'submit',
    ...fields,
  });
}

/** A page's HTML holds none of these LINE user IDs, in text, attributes or hidden fields. */
function expectNoLineIds(html: string, ids: string[]) {
  for (const id of ids) expect(html).not.toContain(id);
  expect(html).not.toMatch(/U[0-9a-f]{32}/);
}

describe('compose → approve → cron → delivered', () => {
  it('a broadcaster submits, an approver approves from the queue, the cron releases it, the page shows the progress', async () => {
    const residents = await addResidents([{ ward: '北区' }, { ward: '北区' }]);
    const author = await signIn((await newStaff(['broadcaster'])).token);
    const approver = await signIn((await newStaff(['approver'])).token);
    const text = `北区のお知らせ ${crypto.randomUUID()}`;
    const res = await compose(author, { title: '北区の配信', text_0: text });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/\?done=submit$/);
    const id = idOf(res.location);
    const submitted = await author.get(res.location!);
    expect(submitted.html).toMatch(/<p class="notice" role="status">承認を依頼しました。<\/p>/);
    expect(textOf(submitted.html)).toContain('承認待ち');
    expect(submitted.html).not.toContain('承認する');

    const queue = await approver.get('/admin/approvals');
    expect(queue.status).toBe(200);
    const item = new RegExp(`<article[^>]*aria-labelledby="q-${id}"[\\s\\S]*?</article>`).exec(queue.html)?.[0] ?? '';
    expect(item).toContain(`<div class="bubble">${text}</div>`);
    expect(item).toContain('承認する');
    expect(item).toContain(`<label for="reason-${id}">差し戻しの理由</label>`);
    expect(textOf((await approver.get('/admin')).html)).toMatch(/承認待ち \d+ 件/);

    const approved = await approver.post(`/admin/broadcasts/${id}/approve`, { back: 'approvals' });
    expect(approved.status).toBe(303);
    expect(approved.location).toBe('/admin/approvals?done=approved');
    expect((await getBroadcast(id)).status).toBe('scheduled');

    await cron(OPEN);
    await settle(id);
    const sent = await fake.requests({ to: residents[0], path: '/v2/bot/message/multicast' });
    const ours = sent.filter((r) => JSON.stringify(r.body).includes(text));
    expect(ours).toHaveLength(1);
    expect([...ours[0]!.to].sort()).toEqual([...residents].sort());

    const page = await author.get(`/admin/broadcasts/${id}`);
    expect(page.status).toBe(200);
    const words = textOf(page.html);
    expect(words).toContain('配信済み');
    expect(page.html).toContain('<dd data-count="配信済み">2</dd>');
    expect(page.html).toContain('<dd data-count="失敗">0</dd>');
    expect(page.html).toContain('<dd data-count="不明（LINEに届いた可能性あり）">0</dd>');
    expect(page.html).toContain('<dd data-count="送信単位（バッチ）">1</dd>');
    expect(page.html).not.toContain('配信を取り消す');
    expectNoLineIds(page.html, residents);
    expectNoLineIds((await author.get('/admin/broadcasts')).html, residents);
  });
});

describe('approval rules', () => {
  it('the two-person rule holds: an approver who wrote it sees no buttons and cannot approve by posting', async () => {
    const both = await signIn((await newStaff(['broadcaster', 'approver'])).token);
    const id = idOf((await compose(both, {})).location);
    const queue = await both.get('/admin/approvals');
    const item = new RegExp(`<article[^>]*aria-labelledby="q-${id}"[\\s\\S]*?</article>`).exec(queue.html)?.[0] ?? '';
    expect(item).not.toBe('');
    expect(item).not.toContain('承認する');
    expect(item).toContain('別の職員が承認します');
    const refused = await both.post(`/admin/broadcasts/${id}/approve`, {});
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Two-person rule');
    const returned = await both.post(`/admin/broadcasts/${id}/return`, { reason: '自分で' });
    expect(returned.status).toBe(403);
    expect((await getBroadcast(id)).status).toBe('pending_approval');
  });

  it('a broadcaster cannot approve (403 page), and a POST without CSRF approves nothing', async () => {
    const author = await signIn((await newStaff(['broadcaster'])).token);
    const other = await signIn((await newStaff(['broadcaster'])).token);
    const approver = await signIn((await newStaff(['approver'])).token);
    const id = idOf((await compose(author, {})).location);
    expect((await other.post(`/admin/broadcasts/${id}/approve`, {})).status).toBe(403);
    expect((await approver.post(`/admin/broadcasts/${id}/approve`, {}, { csrf: false })).status).toBe(403);
    expect((await approver.post(`/admin/broadcasts/${id}/cancel`, {}, { csrf: false })).status).toBe(403);
    expect((await getBroadcast(id)).status).toBe('pending_approval');
  });

  it('差し戻す: back to the author as a draft with the reason on its page; the reason is required', async () => {
    const author = await signIn((await newStaff(['broadcaster'])).token);
    const approverStaff = await newStaff(['approver']);
    const approver = await signIn(approverStaff.token);
    const id = idOf((await compose(author, {})).location);
    const empty = await approver.post(`/admin/broadcasts/${id}/return`, { reason: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('差し戻しの理由を書いてください');
    const res = await approver.post(`/admin/broadcasts/${id}/return`, {
      reason: '日付を入れてください',
      back: 'detail',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/broadcasts/${id}?done=returned`);
    expect((await getBroadcast(id)).status).toBe('draft');
    const page = await author.get(`/admin/broadcasts/${id}`);
    expect(textOf(page.html)).toContain('差し戻されました');
    expect(page.html).toContain('<p class="reason">日付を入れてください</p>');
    const approverName = await env.DB.prepare('SELECT name FROM staff WHERE id = ?')
      .bind(approverStaff.id)
      .first<{ name: string }>();
    expect(textOf(page.html)).toContain(`${approverName!.name}（`);
    expect(page.html).toContain(`href="/admin/broadcasts/${id}/edit"`);
    const audit = await env.DB.prepare(
      `SELECT detail FROM audit_log WHERE action = 'broadcast.return' AND target_id = ?`,
    )
      .bind(id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit!.detail)).toEqual({ reason: '日付を入れてください' });
    // Submitted again from its page: back in the queue.
    expect((await author.post(`/admin/broadcasts/${id}/submit`, {})).location).toBe(
      `/admin/broadcasts/${id}?done=submit`,
    );
    expect((await getBroadcast(id)).status).toBe('pending_approval');
  });

  it('school staff approve another colleague’s message for a school that requires approval, not a city one', async () => {
    const school = await seedSchool({ requireApproval: true });
    const writer = await signIn((await newStaff(['school_staff'], { schools: [school.id] })).token);
    const colleague = await signIn((await newStaff(['school_staff'], { schools: [school.id] })).token);
    const res = await compose(writer, { audience: `school:${school.id}` });
    const id = idOf(res.location);
    expect((await getBroadcast(id)).status).toBe('pending_approval');
    const queue = await colleague.get('/admin/approvals');
    expect(queue.html).toContain(`action="/admin/broadcasts/${id}/approve"`);
    // A city broadcast is not theirs to see, let alone approve.
    const city = idOf((await compose(await signIn((await newStaff(['broadcaster'])).token), {})).location);
    expect(queue.html).not.toContain(city);
    expect((await colleague.post(`/admin/broadcasts/${city}/approve`, {})).status).toBe(404);
    expect((await colleague.post(`/admin/broadcasts/${id}/approve`, {})).status).toBe(303);
    expect((await getBroadcast(id)).status).toBe('scheduled');
  });

  it('a city approver sees a school’s message waiting for its own staff, without buttons, and cannot approve it', async () => {
    const school = await seedSchool({ requireApproval: true });
    const writer = await signIn((await newStaff(['school_staff'], { schools: [school.id] })).token);
    const id = idOf((await compose(writer, { audience: `school:${school.id}` })).location);
    const approver = await signIn((await newStaff(['approver'])).token);
    const queue = await approver.get('/admin/approvals');
    const item = new RegExp(`<article[^>]*aria-labelledby="q-${id}"[\\s\\S]*?</article>`).exec(queue.html)?.[0] ?? '';
    expect(item).toContain(school.name);
    expect(item).not.toContain('承認する');
    expect(item).toContain('その学校の職員が承認します');
    expect((await approver.post(`/admin/broadcasts/${id}/approve`, {})).status).toBe(403);
    expect((await getBroadcast(id)).status).toBe('pending_approval');
  });
});

describe('cancel', () => {
  it('配信を取り消す while it can be cancelled; afterwards no button', async () => {
    const author = await signIn((await newStaff(['broadcaster'])).token);
    const approver = await signIn((await newStaff(['approver'])).token);
    const id = idOf((await compose(author, { scheduledAt: '2027-01-20T09:00' })).location);
    await approver.post(`/admin/broadcasts/${id}/approve`, {});
    const page = await approver.get(`/admin/broadcasts/${id}`);
    expect(textOf(page.html)).toContain('配信予定');
    expect(textOf(page.html)).toContain('2027年1月20日(水) 09:00 ごろ');
    expect(page.html).toContain('配信を取り消す');
    const res = await approver.post(`/admin/broadcasts/${id}/cancel`, {});
    expect(res.status).toBe(303);
    expect((await getBroadcast(id)).status).toBe('cancelled');
    const after = await approver.get(res.location!);
    expect(after.html).toMatch(/<p class="notice" role="status">配信を取り消しました。<\/p>/);
    expect(after.html).not.toContain('配信を取り消す');
    expect((await approver.post(`/admin/broadcasts/${id}/cancel`, {})).status).toBe(409);
  });
});

describe('test send', () => {
  it('テスト送信 from the composer saves a draft and reaches only the sender’s linked LINE account', async () => {
    const s = await newStaff(['broadcaster']);
    const b = await signIn(s.token);
    const text = `テスト ${crypto.randomUUID()}`;
    const unlinked = await compose(b, { text_0: text, action: 'test' });
    expect(unlinked.status).toBe(303);
    expect(unlinked.location).toMatch(/\/edit\?failed=nolink$/);
    expect((await b.get(unlinked.location!)).html).toContain('連携されていません');

    const mine = await linkLine(s.token);
    const id = idOf(unlinked.location);
    const res = await b.post(`/admin/broadcasts/${id}/test`, {});
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/broadcasts/${id}?done=test`);
    const sent = await fake.requests({ to: mine.userId, path: '/v2/bot/message/multicast' });
    const ours = sent.filter((r) => JSON.stringify(r.body).includes(text));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.to).toEqual([mine.userId]);
    expect((await getBroadcast(id)).status).toBe('draft');
    const page = await b.get(res.location!);
    expect(page.html).toContain('テスト送信しました');
    expectNoLineIds(page.html, [mine.userId]);
    expectNoLineIds((await b.get(`/admin/broadcasts/${id}/edit`)).html, [mine.userId]);

    // Again from the composer, now linked: saved as a draft, sent, back in the editor.
    const again = await compose(b, { text_0: `${text} 2`, action: 'test' });
    expect(again.location).toMatch(/\/edit\?done=test$/);
    expect(await fake.requests({ to: newUserId() })).toHaveLength(0);
  });
});

describe('no LINE user ID in any 配信 page', () => {
  it('residents with known IDs never appear in the list, queue, composer or a school message’s page', async () => {
    const school = await seedSchool();
    const guardians = await addResidents([{}, {}]);
    const [pupil] = await seedPupils(school.id, [{ grade: 1, class: '1' }]);
    await linkGuardians(pupil!, guardians);
    const staff = await newStaff(['school_staff'], { schools: [school.id] });
    const b = await signIn(staff.token);
    const res = await compose(b, { audience: `school:${school.id}`, text_0: '学校からのお知らせ', requestAck: 'on' });
    const id = idOf(res.location);
    expect((await getBroadcast(id)).status).toBe('scheduled');
    await cron(OPEN);
    await settle(id);
    const page = await b.get(`/admin/broadcasts/${id}`);
    // The school's name line and the 「確認しました」 button, as guardians get them.
    expect(page.html).toContain(`<div class="bubble">【${school.name}】\n学校からのお知らせ</div>`);
    expect(page.html).toContain('<span class="bubble-button">確認しました</span>');
    for (const path of [`/admin/broadcasts/${id}`, '/admin/broadcasts', '/admin/approvals', '/admin/broadcasts/new'])
      expectNoLineIds((await b.get(path)).html, guardians);
    const admin = await signIn();
    expectNoLineIds((await admin.get(`/admin/broadcasts/${id}`)).html, guardians);
  });
});
