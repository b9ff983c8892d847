import { describe, expect, it } from 'vitest';
import { api, newStaff } from './helpers/api';
import { navLabels, signIn, textOf } from './helpers/console';
import { fake, newUserId, events, say } from './helpers/line';

/**
 * The console's admin pages besides 職員 (issue 13, Admin): 通報の種類 and 担当課, 臨時閉庁日, the
 * rich menu, and the dashboard card. Every change is checked through the JSON API.
 */

const unique = () => crypto.randomUUID().slice(0, 8);
const alertOf = (html: string) => /<p role="alert">([^<]*)<\/p>/.exec(html)?.[1] ?? null;
const noticeOf = (html: string) => /<p class="notice" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? null;

type Json = Record<string, any>;
async function items(path: string): Promise<Json[]> {
  const res = await api(path);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Json[] }).items;
}
const category = async (code: string) => (await items('/report-categories')).find((c) => c.code === code);
const department = async (id: string) => (await items('/report-departments')).find((d) => d.id === id);
const closure = async (date: string) => (await items('/closure-days')).find((d) => d.date === date);

/** A date no other test of this file uses, far ahead. */
let day = 0;
const freshDate = () => {
  day += 1;
  return `2031-0${1 + Math.floor(day / 28)}-${String(1 + (day % 28)).padStart(2, '0')}`;
};

describe('通報の種類 and 担当課', () => {
  it('admins add a department and a category under it; the API then has them', async () => {
    const b = await signIn();
    const id = `dept-${unique()}`;
    const added = await b.post('/admin/departments', {
      id,
      name: '公園緑地課',
      email: 'parks@example.jp',
      phone: '086-000-1111',
    });
    expect(added.status).toBe(303);
    expect(added.location).toBe('/admin/departments?done=added');
    expect(await department(id)).toEqual({ id, name: '公園緑地課', email: 'parks@example.jp', phone: '086-000-1111' });
    expect(noticeOf((await b.get(added.location!)).html)).toBe('追加しました。');

    const code = `bench-${unique()}`;
    const res = await b.post('/admin/categories', {
      code,
      parentCode: 'park',
      nameJa: 'ベンチの破損',
      nameEn: 'Broken bench',
      departmentId: id,
      emergencyPhone: '',
      sortOrder: '5',
    });
    expect(res.status).toBe(303);
    expect(await category(code)).toEqual({
      code,
      parentCode: 'park',
      nameJa: 'ベンチの破損',
      nameEn: 'Broken bench',
      departmentId: id,
      emergencyPhone: null,
      sortOrder: 5,
      active: true,
    });
    const list = await b.get('/admin/categories');
    const row = /<tr><td>ベンチの破損.*?<\/tr>/.exec(list.html)?.[0] ?? '';
    expect(textOf(row)).toContain('公園緑地課');
    expect(textOf(row)).toContain('使用中');
  });

  it('edits and retires a category, edits a department; the API sees each change', async () => {
    const b = await signIn();
    const code = `sign-${unique()}`;
    expect((await b.post('/admin/categories', { code, nameJa: '標識', nameEn: 'Sign', sortOrder: '' })).status).toBe(
      303,
    );
    const form = await b.get(`/admin/categories/${code}`);
    expect(form.status).toBe(200);
    expect(form.html).toMatch(/<label for="nameJa">名前<\/label>/);
    const edited = await b.post(`/admin/categories/${code}`, {
      nameJa: '道路標識',
      nameEn: 'Road sign',
      departmentId: 'road',
      emergencyPhone: '086-803-1000',
      sortOrder: '7',
    });
    expect(edited.status).toBe(303);
    expect(await category(code)).toMatchObject({
      nameJa: '道路標識',
      departmentId: 'road',
      emergencyPhone: '086-803-1000',
      sortOrder: 7,
      active: true,
    });
    expect((await b.post(`/admin/categories/${code}/retire`)).status).toBe(303);
    expect((await category(code))!.active).toBe(false);
    const retired = /<tr><td>道路標識.*?<\/tr>/.exec((await b.get('/admin/categories')).html)?.[0] ?? '';
    expect(textOf(retired)).toContain('廃止');
    expect(retired).toContain(`/admin/categories/${code}/restore`);
    expect((await b.post(`/admin/categories/${code}/restore`)).status).toBe(303);
    expect((await category(code))!.active).toBe(true);

    const id = `dept-${unique()}`;
    await b.post('/admin/departments', { id, name: '旧名', email: 'old@example.jp', phone: '' });
    const changed = await b.post(`/admin/departments/${id}`, { name: '新名', email: 'new@example.jp', phone: '' });
    expect(changed.status).toBe(303);
    expect(await department(id)).toEqual({ id, name: '新名', email: 'new@example.jp', phone: null });
  });

  it.each<[string, string, Record<string, string>, number, string]>([
    [
      'a code that exists',
      '/admin/categories',
      { code: 'road', nameJa: 'x', nameEn: 'x' },
      409,
      'このコードの種類はすでにあります。',
    ],
    ['a code with capitals', '/admin/categories', { code: 'Bad Code', nameJa: 'x', nameEn: 'x' }, 400, '「コード」'],
    ['no Japanese name', '/admin/categories', { code: `n-${unique()}`, nameJa: '', nameEn: 'x' }, 400, '「名前」'],
    [
      'an unknown department',
      '/admin/categories',
      { code: `u-${unique()}`, nameJa: 'x', nameEn: 'x', departmentId: 'nope' },
      400,
      '「担当課」: その担当課はありません。',
    ],
    [
      'a bad e-mail',
      '/admin/departments',
      { id: `d-${unique()}`, name: 'x', email: 'not-mail' },
      400,
      '「メールアドレス」',
    ],
    [
      'a department id that exists',
      '/admin/departments',
      { id: 'road', name: 'x', email: 'a@example.jp' },
      409,
      'このIDの担当課はすでにあります。',
    ],
  ])(
    '%s: the page again with its status and the reason in role="alert"; nothing added',
    async (_, path, fields, status, reason) => {
      const b = await signIn();
      const before = (await items(path === '/admin/categories' ? '/report-categories' : '/report-departments')).length;
      const res = await b.post(path, fields);
      expect(res.status).toBe(status);
      expect(alertOf(res.html)).toContain(reason);
      expect(res.html).toContain(`value="${fields.nameJa ?? fields.name}"`);
      expect((await items(path === '/admin/categories' ? '/report-categories' : '/report-departments')).length).toBe(
        before,
      );
    },
  );

  it('report managers read the lists (as the API lets them) without any form; their posts answer 403', async () => {
    const s = await newStaff(['report_manager']);
    const b = await signIn(s.token);
    for (const path of ['/admin/categories', '/admin/departments']) {
      const page = await b.get(path);
      expect(page.status, path).toBe(200);
      expect(page.html).not.toContain('<form method="post" action="/admin/categories');
      expect(page.html).not.toContain('<form method="post" action="/admin/departments');
      expect(textOf(page.html)).not.toContain('変更');
    }
    expect(textOf((await b.get('/admin/categories')).html)).toContain('道路');
    expect((await b.get('/admin/categories/road')).status).toBe(403);
    expect((await b.post('/admin/categories/road/retire')).status).toBe(403);
    expect((await b.post('/admin/categories', { code: `rm-${unique()}`, nameJa: 'x', nameEn: 'x' })).status).toBe(403);
    expect((await category('road'))!.active).toBe(true);
    expect(textOf((await b.get('/admin')).html)).toContain('通報の種類と担当課を見る');
  });
});

describe('臨時閉庁日', () => {
  it('admins add a day with a reason and remove it; the API sees both', async () => {
    const b = await signIn();
    const date = freshDate();
    const res = await b.post('/admin/closures', { date, reason: '庁舎の停電' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/closures?done=added');
    expect(await closure(date)).toMatchObject({ date, reason: '庁舎の停電', createdBy: 'bootstrap' });
    const page = await b.get(res.location!);
    expect(noticeOf(page.html)).toBe('閉庁日を追加しました。');
    const [y, m, d] = date.split('-').map(Number);
    expect(textOf(page.html)).toMatch(new RegExp(`${y}年${m}月${d}日\\(.\\) 庁舎の停電`));
    const removed = await b.post(`/admin/closures/${date}/delete`);
    expect(removed.status).toBe(303);
    expect(await closure(date)).toBeUndefined();
    expect((await b.post(`/admin/closures/${date}/delete`)).status).toBe(404);
  });

  it.each<[string, Record<string, string>, number, string]>([
    ['not a date', { date: '2031-02-30', reason: 'x' }, 400, '「日付」'],
    ['no reason', { date: '2031-12-01', reason: '' }, 400, '「理由」'],
  ])('%s: 400 with the reason', async (_, fields, status, reason) => {
    const b = await signIn();
    const res = await b.post('/admin/closures', fields);
    expect(res.status).toBe(status);
    expect(alertOf(res.html)).toContain(reason);
    expect(await closure(fields.date!)).toBeUndefined();
  });

  it('a day already closed: 409 in words', async () => {
    const b = await signIn();
    const date = freshDate();
    await b.post('/admin/closures', { date, reason: '一回目' });
    const again = await b.post('/admin/closures', { date, reason: '二回目' });
    expect(again.status).toBe(409);
    expect(alertOf(again.html)).toContain('すでに臨時閉庁日です');
    expect((await closure(date))!.reason).toBe('一回目');
  });

  it('past days are shown on request only', async () => {
    const b = await signIn();
    const res = await api('/closure-days', { method: 'POST', body: { date: '2020-01-06', reason: '昔の閉庁日' } });
    expect(res.status).toBe(201);
    expect(textOf((await b.get('/admin/closures')).html)).not.toContain('昔の閉庁日');
    expect(textOf((await b.get('/admin/closures?past=1')).html)).toContain('昔の閉庁日');
  });
});

async function richMenuCalls() {
  return (await fake.requests({ path: '/v2/bot/' })).filter((r) => r.path.includes('richmenu'));
}

describe('リッチメニュー', () => {
  it('shows the menu’s tiles and image; publishing reaches the fake LINE and shows what is published', async () => {
    const b = await signIn();
    const page = await b.get('/admin/richmenu');
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toContain('通報');
    expect(page.html).toContain('src="/admin/richmenu/image.png"');
    const image = await b.get('/admin/richmenu/image.png');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');

    const before = (await richMenuCalls()).length;
    const res = await b.post('/admin/richmenu/publish');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/richmenu?done=published');
    const calls = (await richMenuCalls()).slice(before);
    const id = calls.find((r) => r.method === 'POST' && r.path === '/v2/bot/richmenu')!.id;
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v2/bot/richmenu',
      `POST /v2/bot/richmenu/${id}/content`,
      `POST /v2/bot/user/all/richmenu/${id}`,
    ]);
    const after = await b.get(res.location!);
    expect(noticeOf(after.html)).toContain('公開しました');
    expect(after.html).toContain(`<code>${id}</code>`);
    const audit = (await (await api('/audit?action=richmenu.publish')).json()) as { items: Json[] };
    expect(audit.items[0]).toMatchObject({ action: 'richmenu.publish', targetId: id });
  });

  it('a post without the CSRF token reaches nothing', async () => {
    const b = await signIn();
    const before = (await richMenuCalls()).length;
    expect((await b.post('/admin/richmenu/publish', {}, { csrf: false })).status).toBe(403);
    expect((await richMenuCalls()).length).toBe(before);
  });
});

describe('for anyone but an admin', () => {
  it.each([['broadcaster'], ['approver'], ['report_manager']])(
    '%s: 403 pages, no 職員 entry, posts change nothing',
    async (role) => {
      const s = await newStaff([role]);
      const b = await signIn(s.token);
      const dash = await b.get('/admin');
      expect(navLabels(dash.html)).not.toContain('職員');
      expect(dash.html).not.toContain('/admin/richmenu');
      expect(dash.html).not.toContain('/admin/closures');
      for (const path of [
        '/admin/closures',
        '/admin/richmenu',
        '/admin/richmenu/image.png',
        '/admin/departments/road',
        '/admin/categories/road',
      ]) {
        const page = await b.get(path);
        expect(page.status, path).toBe(403);
        expect(page.html).toContain('このページを開く権限がありません。');
      }
      if (role !== 'report_manager')
        for (const path of ['/admin/categories', '/admin/departments'])
          expect((await b.get(path)).status, path).toBe(403);
      const date = freshDate();
      const calls = (await richMenuCalls()).length;
      expect((await b.post('/admin/closures', { date, reason: 'x' })).status).toBe(403);
      expect((await b.post('/admin/richmenu/publish')).status).toBe(403);
      expect((await b.post('/admin/departments/road', { name: 'x', email: 'x@example.jp' })).status).toBe(403);
      expect(await closure(date)).toBeUndefined();
      expect((await richMenuCalls()).length).toBe(calls);
      expect((await department('road'))!.name).toBe('道路港湾管理課');
    },
  );
});

describe('CSRF and privacy', () => {
  it('posts without the session’s token change nothing', async () => {
    const b = await signIn();
    const date = freshDate();
    const code = `c-${unique()}`;
    expect((await b.post('/admin/closures', { date, reason: 'x' }, { csrf: false })).status).toBe(403);
    expect((await b.post('/admin/categories', { code, nameJa: 'x', nameEn: 'x' }, { csrf: false })).status).toBe(403);
    expect((await b.post('/admin/categories/road/retire', {}, { csrf: false })).status).toBe(403);
    expect(
      (await b.post('/admin/departments/road', { name: 'x', email: 'x@example.jp' }, { csrf: false })).status,
    ).toBe(403);
    expect(await closure(date)).toBeUndefined();
    expect(await category(code)).toBeUndefined();
    expect((await category('road'))!.active).toBe(true);
    expect((await department('road'))!.name).toBe('道路港湾管理課');
  });

  it('the admin dashboard has a card linking to each page, beside the audit card; no page shows a LINE user ID', async () => {
    const userId = newUserId();
    await say(userId, events.follow(userId));
    const b = await signIn();
    const dash = await b.get('/admin');
    for (const href of [
      '/admin/categories',
      '/admin/departments',
      '/admin/closures',
      '/admin/richmenu',
      '/admin/audit',
      '/admin/staff',
    ])
      expect(dash.html, href).toContain(`href="${href}"`);
    for (const path of [
      '/admin',
      '/admin/categories',
      '/admin/departments',
      '/admin/closures?past=1',
      '/admin/richmenu',
      '/admin/audit',
    ])
      expect((await b.get(path)).html, path).not.toContain(userId);
  });
});
