import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { listStaffPage } from '../src/admin/staff';
import { db } from '../src/db/client';
import { sessionCount } from '../src/console/session';
import { api, newStaff } from './helpers/api';
import { newCommunity } from './helpers/communities';
import { Browser, navLabels, signIn, textOf } from './helpers/console';
import { createSchool } from './helpers/schools';
import { linkLine } from './helpers/staff-link';

/** The console's 職員 pages (issue 13, Admin): admins only, through the same service functions as the API. */

interface Member {
  id: string;
  name: string;
  roles: string[];
  scopes: { schools?: string[]; communities?: string[] };
  revokedAt: string | null;
  suspendedAt: string | null;
}

async function member(id: string): Promise<Member> {
  const res = await api(`/staff/${id}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function staffCount(): Promise<number> {
  return ((await (await api('/staff')).json()) as { items: unknown[] }).items.length;
}

const alertOf = (html: string) => /<p role="alert">([^<]*)<\/p>/.exec(html)?.[1] ?? null;

/** The token in the page's `.secret`, or null. */
const secretOf = (html: string) => /<code class="secret">([^<]+)<\/code>/.exec(html)?.[1] ?? null;

/** Whether a token opens the API (the console's sign-in takes the same tokens). */
async function tokenWorks(token: string) {
  return (await api('/staff/me', { token })).status === 200;
}

describe('the staff list, for admins', () => {
  it('lists accounts with roles in Japanese, scopes by school and association name, and status in words', async () => {
    const school = await createSchool();
    const community = await newCommunity('unit');
    const s = await newStaff(['school_staff', 'community_leader'], {
      schools: [school.id],
      communities: [community.id],
    });
    const revoked = await newStaff(['broadcaster']);
    await api(`/staff/${revoked.id}`, { method: 'DELETE' });
    const b = await signIn();
    const page = await b.get('/admin/staff');
    expect(page.status).toBe(200);
    expect(navLabels(page.html)).toContain('職員');
    const { name } = await member(s.id);
    const row =
      new RegExp(`<tr><td><a href="/admin/staff/${s.id}">${name}</a></td>.*?</tr>`).exec(page.html)?.[0] ?? '';
    expect(textOf(row)).toContain('学校職員、町内会役員');
    expect(textOf(row)).toContain(`学校: ${school.name}`);
    expect(textOf(row)).toContain(`町内会: ${community.name}`);
    expect(textOf(row)).toContain('有効');
    expect(row).not.toContain(school.id);
    const revokedRow = new RegExp(`<a href="/admin/staff/${revoked.id}">.*?</tr>`).exec(page.html)?.[0] ?? '';
    expect(textOf(revokedRow)).toContain('失効');
  });

  it('offers 職員を追加 with 名前, role checkboxes labelled in Japanese, and schools and associations by name', async () => {
    const school = await createSchool();
    const b = await signIn();
    const { html } = await b.get('/admin/staff');
    expect(html).toContain('<h2 id="add-title">職員を追加</h2>');
    expect(html).toMatch(/<label for="new-name">名前<\/label>/);
    for (const [role, label] of [
      ['admin', '管理者'],
      ['broadcaster', '配信担当'],
      ['approver', '配信の承認'],
      ['report_manager', '通報担当'],
      ['school_staff', '学校職員'],
      ['community_leader', '町内会役員'],
    ]) {
      expect(html).toContain(`id="new-role-${role}" name="roles" value="${role}"`);
      expect(html).toContain(`<label for="new-role-${role}">${label}</label>`);
    }
    expect(html).toMatch(new RegExp(`value="${school.id}"/><label for="new-schools-\\d+">${school.name}</label>`));
    expect(html).toMatch(/<button type="submit">職員を追加<\/button>/);
  });

  it('pages the accounts in D1, newest first (listStaffPage), and audits the read', async () => {
    const a = await newStaff(['broadcaster']);
    // A later millisecond for the second account, so "newest first" has one answer.
    await new Promise((r) => setTimeout(r, 5));
    const b = await newStaff(['broadcaster']);
    const d = db(env.DB);
    const by = { id: 'bootstrap', name: 'bootstrap', roles: ['admin' as const], scopes: {} };
    const first = await listStaffPage(d, by, { offset: 0, limit: 1 }, { via: 'test' });
    expect(first.items.map((r) => r.id)).toEqual([b.id]);
    expect(first.more).toBe(true);
    const second = await listStaffPage(d, by, { offset: 1, limit: 1 });
    expect(second.items.map((r) => r.id)).toEqual([a.id]);
    const total = await staffCount();
    const last = await listStaffPage(d, by, { offset: total - 1, limit: 5 });
    expect(last.items).toHaveLength(1);
    expect(last.more).toBe(false);
    const row = await env.DB.prepare(
      `SELECT detail FROM audit_log WHERE action = 'staff.list' AND detail LIKE '%"via":"test"%'`,
    ).first<{ detail: string }>();
    expect(JSON.parse(row!.detail)).toEqual({ count: 1, offset: 0, via: 'test' });
  });
});

describe('adding a staff member', () => {
  it('shows the token once, in the POST’s own answer; the token signs in to the console; a reload of the list does not show it', async () => {
    const school = await createSchool();
    const b = await signIn();
    const before = await staffCount();
    const res = await b.post('/admin/staff', {
      name: '岡山 花子',
      roles: ['school_staff', 'broadcaster'],
      schools: [school.id],
    });
    expect(res.status).toBe(200);
    expect(res.location).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const token = secretOf(res.html)!;
    expect(token).toMatch(/^okc_/);
    expect(textOf(res.html)).toContain('このトークンは今だけ表示されます。');
    expect(await staffCount()).toBe(before + 1);

    const again = await b.get('/admin/staff');
    expect(again.html).not.toContain(token);
    expect(secretOf(again.html)).toBeNull();

    const staffBrowser = await signIn(token);
    const dashboard = await staffBrowser.get('/admin');
    expect(dashboard.status).toBe(200);
    expect(textOf(dashboard.html)).toContain('岡山 花子 さん');
    const me = (await (await api('/staff/me', { token })).json()) as Member;
    expect(me.roles.sort()).toEqual(['broadcaster', 'school_staff']);
    expect(me.scopes).toEqual({ schools: [school.id] });
  });

  it('a resubmitted form (a reload of the token page) neither makes another account nor shows a token', async () => {
    const b = await signIn();
    const form = await b.get('/admin/staff');
    const once = /name="_once" value="([^"]+)"/.exec(form.html)![1]!;
    const fields = { _once: once, name: `再送 ${crypto.randomUUID().slice(0, 6)}`, roles: 'broadcaster' };
    const before = await staffCount();
    const first = await b.post('/admin/staff', fields);
    expect(first.status).toBe(200);
    const token = secretOf(first.html)!;
    const again = await b.post('/admin/staff', fields);
    expect(again.status).toBe(409);
    expect(secretOf(again.html)).toBeNull();
    expect(alertOf(again.html)).toContain('この操作はすでに行いました');
    expect(await staffCount()).toBe(before + 1);
    expect(await tokenWorks(token)).toBe(true);
    const next = /name="_once" value="([^"]+)"/.exec(again.html)![1]!;
    expect(next).not.toBe(once);
  });

  it.each<[string, Record<string, string | string[]>, string]>([
    ['no role', { name: '名無し' }, '「役割」'],
    ['no name', { name: '', roles: 'broadcaster' }, '「名前」'],
    [
      'school staff without a school',
      { name: '学校の人', roles: 'school_staff' },
      '学校職員には担当校を1つ以上選んでください。',
    ],
    ['an unknown role', { name: '謎', roles: 'root' }, '「役割」'],
  ])('%s: 400, the page again with the reason in role="alert", nothing created', async (_, fields, reason) => {
    const b = await signIn();
    const before = await staffCount();
    const res = await b.post('/admin/staff', fields);
    expect(res.status).toBe(400);
    const alert = /<p role="alert">([^<]*)<\/p>/.exec(res.html)?.[1] ?? '';
    expect(alert).toContain(reason);
    expect(secretOf(res.html)).toBeNull();
    expect(await staffCount()).toBe(before);
    if (fields.name) expect(res.html).toContain(`value="${fields.name}"`);
  });

  it('a school ticked without the 学校職員 role is dropped, not refused', async () => {
    const school = await createSchool();
    const b = await signIn();
    const res = await b.post('/admin/staff', { name: '配信の人', roles: 'broadcaster', schools: school.id });
    expect(res.status).toBe(200);
    const me = (await (await api('/staff/me', { token: secretOf(res.html)! })).json()) as Member;
    expect(me.scopes).toEqual({});
  });
});

describe('one account', () => {
  it('changes name, roles and scopes through the form (303 back with a notice), as the API then reports', async () => {
    const community = await newCommunity('unit');
    const s = await newStaff(['broadcaster']);
    const b = await signIn();
    const page = await b.get(`/admin/staff/${s.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="edit-role-broadcaster" name="roles" value="broadcaster" checked=""');
    const res = await b.post(`/admin/staff/${s.id}`, {
      name: '新しい名前',
      roles: ['community_leader', 'approver'],
      communities: community.id,
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/staff/${s.id}?done=updated`);
    const after = await member(s.id);
    expect(after.name).toBe('新しい名前');
    expect(after.roles.sort()).toEqual(['approver', 'community_leader']);
    expect(after.scopes).toEqual({ communities: [community.id] });
    const shown = await b.get(res.location!);
    expect(shown.html).toMatch(/<p class="notice" role="status">変更しました。<\/p>/);
    expect(textOf(shown.html)).toContain(`町内会: ${community.name}`);
  });

  it('a refused change (a leader without an association) shows the account again with 400 and changes nothing', async () => {
    const s = await newStaff(['broadcaster']);
    const b = await signIn();
    const res = await b.post(`/admin/staff/${s.id}`, { name: 'x', roles: 'community_leader' });
    expect(res.status).toBe(400);
    expect(res.html).toContain('<p role="alert">町内会役員には担当町内会を1つ以上選んでください。</p>');
    expect((await member(s.id)).roles).toEqual(['broadcaster']);
  });

  it('suspends and lifts the suspension', async () => {
    const s = await newStaff(['community_leader'], { communities: [(await newCommunity('unit')).id] });
    const b = await signIn();
    const res = await b.post(`/admin/staff/${s.id}/suspend`);
    expect(res.status).toBe(303);
    expect((await member(s.id)).suspendedAt).not.toBeNull();
    expect(textOf((await b.get(res.location!)).html)).toContain('利用停止中');
    expect((await b.post(`/admin/staff/${s.id}/unsuspend`)).status).toBe(303);
    expect((await member(s.id)).suspendedAt).toBeNull();
  });

  it('a new token is shown once; the old one stops at once', async () => {
    const s = await newStaff(['report_manager']);
    const b = await signIn();
    const res = await b.post(`/admin/staff/${s.id}/token`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const token = secretOf(res.html)!;
    expect(token).toMatch(/^okc_/);
    expect(textOf(res.html)).toContain('以前のトークンはもう使えません。');
    expect(await tokenWorks(s.token)).toBe(false);
    expect(await tokenWorks(token)).toBe(true);
    expect(secretOf((await b.get(`/admin/staff/${s.id}`)).html)).toBeNull();
  });

  it('a resubmitted rotation does not replace the token it just showed', async () => {
    const s = await newStaff(['report_manager']);
    const b = await signIn();
    const page = await b.get(`/admin/staff/${s.id}`);
    const once = /name="_once" value="([^"]+)"/.exec(page.html)![1]!;
    const first = await b.post(`/admin/staff/${s.id}/token`, { _once: once });
    const token = secretOf(first.html)!;
    const again = await b.post(`/admin/staff/${s.id}/token`, { _once: once });
    expect(again.status).toBe(409);
    expect(secretOf(again.html)).toBeNull();
    expect(await tokenWorks(token)).toBe(true);
  });

  it('revoking through the page signs that staff member’s console sessions out', async () => {
    const s = await newStaff(['broadcaster']);
    const theirs = await signIn(s.token);
    expect((await theirs.get('/admin')).status).toBe(200);
    const b = await signIn();
    expect(textOf((await b.get(`/admin/staff/${s.id}`)).html)).toContain('ログイン中 1件');
    const res = await b.post(`/admin/staff/${s.id}/revoke`);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/staff/${s.id}?done=revoked`);
    const gone = await theirs.get('/admin');
    expect(gone.status).toBe(303);
    expect(gone.location).toBe('/admin/login');
    expect(await sessionCount(db(env.DB), s.id)).toBe(0);
    expect((await member(s.id)).revokedAt).not.toBeNull();
    const after = await b.get(res.location!);
    expect(textOf(after.html)).toContain('失効したアカウントは変更できません。');
    expect(after.html).not.toContain('/token"');
  });

  it('an unknown account is a 404 page; the bootstrap token is not an account', async () => {
    const b = await signIn();
    expect((await b.get('/admin/staff/no-such-id')).status).toBe(404);
    expect((await b.post('/admin/staff/no-such-id/revoke')).status).toBe(404);
    expect((await b.get('/admin/staff/bootstrap')).status).toBe(400);
    expect((await b.post('/admin/staff/bootstrap/revoke')).status).toBe(400);
  });

  it('never shows a linked LINE user ID, only the handle', async () => {
    const s = await newStaff(['broadcaster']);
    const { userId, handle } = await linkLine(s.token);
    const b = await signIn();
    for (const path of ['/admin/staff', `/admin/staff/${s.id}`]) {
      const { html } = await b.get(path);
      expect(html, path).not.toContain(userId);
    }
    expect(textOf((await b.get(`/admin/staff/${s.id}`)).html)).toContain(`連携しているLINE ${handle}`);
  });
});

describe('for anyone but an admin', () => {
  it.each([['broadcaster'], ['approver'], ['report_manager'], ['school_staff'], ['community_leader']])(
    '%s: no 職員 in the navigation, 403 pages, and posts change nothing',
    async (role) => {
      const scopes: Record<string, string[]> =
        role === 'school_staff'
          ? { schools: [(await createSchool()).id] }
          : role === 'community_leader'
            ? { communities: [(await newCommunity('unit')).id] }
            : {};
      const me = await newStaff([role], scopes);
      const other = await newStaff(['broadcaster']);
      const b = await signIn(me.token);
      expect(navLabels((await b.get('/admin')).html)).not.toContain('職員');
      for (const path of ['/admin/staff', `/admin/staff/${other.id}`]) {
        const page = await b.get(path);
        expect(page.status, path).toBe(403);
        expect(page.html).toMatch(/<p role="alert">このページを開く権限がありません。<\/p>/);
      }
      const before = await staffCount();
      expect((await b.post('/admin/staff', { name: 'x', roles: 'admin' })).status).toBe(403);
      expect((await b.post(`/admin/staff/${other.id}/revoke`)).status).toBe(403);
      expect((await b.post(`/admin/staff/${other.id}`, { name: 'x', roles: 'admin' })).status).toBe(403);
      expect(await staffCount()).toBe(before);
      expect((await member(other.id)).revokedAt).toBeNull();
      expect((await member(other.id)).roles).toEqual(['broadcaster']);
    },
  );
});

describe('CSRF', () => {
  it('a post without the session’s token changes nothing', async () => {
    const s = await newStaff(['broadcaster']);
    const b = await signIn();
    const before = await staffCount();
    const fields = { name: 'csrf', roles: 'admin' };
    expect((await b.post('/admin/staff', fields, { csrf: false })).status).toBe(403);
    expect((await b.post(`/admin/staff/${s.id}`, fields, { csrf: false })).status).toBe(403);
    expect((await b.post(`/admin/staff/${s.id}/suspend`, {}, { csrf: false })).status).toBe(403);
    expect((await b.post(`/admin/staff/${s.id}/token`, {}, { csrf: false })).status).toBe(403);
    expect((await b.post(`/admin/staff/${s.id}/revoke`, {}, { csrf: false })).status).toBe(403);
    const other = await signIn();
    expect((await b.post(`/admin/staff/${s.id}/revoke`, { _csrf: await other.csrf() })).status).toBe(403);
    expect(await staffCount()).toBe(before);
    const after = await member(s.id);
    expect(after).toMatchObject({ roles: ['broadcaster'], revokedAt: null, suspendedAt: null });
    expect(await tokenWorks(s.token)).toBe(true);
  });

  it('a signed-out browser is sent to the sign-in form', async () => {
    const res = await new Browser().get('/admin/staff');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/login');
  });
});
