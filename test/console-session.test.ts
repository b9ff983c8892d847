import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { db } from '../src/db/client';
import { sessionFor, sessionCount, createSession } from '../src/console/session';
import { api, BOOTSTRAP, newStaff } from './helpers/api';
import { newCommunity } from './helpers/communities';
import { Browser, navLabels, setCookies, signIn, textOf } from './helpers/console';
import { createSchool } from './helpers/schools';

/** The console's door (issue 13): sign-in, sessions, CSRF, headers, the navigation by role. */

async function tryLogin(b: Browser, token: string, address: string) {
  const form = await b.get('/admin/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.html)?.[1] ?? '';
  return b.request('/admin/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': address },
    body: new URLSearchParams({ _csrf: csrf, token }).toString(),
  });
}

describe('sign-in', () => {
  it('shows a form with a トークン field and a ログイン button', async () => {
    const page = await new Browser().get('/admin/login');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<label for="token">トークン<\/label>/);
    expect(page.html).toMatch(/<input type="password" id="token" name="token"/);
    expect(page.html).toMatch(/<button type="submit">ログイン<\/button>/);
    expect(page.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
  });

  it('the bootstrap token and a staff token each open a session: HttpOnly, SameSite=Strict, Secure off localhost', async () => {
    const b = new Browser();
    const res = await tryLogin(b, BOOTSTRAP, '198.51.100.1');
    expect(res.status).toBe(303);
    const cookie = setCookies(res.headers).find((l) => l.startsWith('okc_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/Path=\/admin/);
    const s = await newStaff(['report_manager']);
    const staffBrowser = await signIn(s.token);
    expect((await staffBrowser.get('/admin')).status).toBe(200);
  });

  it('on localhost the cookie is not Secure (plain HTTP in npm start)', async () => {
    const { exports } = await import('cloudflare:workers');
    const form = await exports.default.fetch('http://localhost:8787/admin/login');
    const login = setCookies(form.headers).find((l) => l.startsWith('okc_login='))!;
    expect(login).not.toMatch(/Secure/i);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const res = await exports.default.fetch('http://localhost:8787/admin/login', {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `okc_login=${login.split(';')[0]!.split('=')[1]}`,
      },
      body: new URLSearchParams({ _csrf: csrf, token: BOOTSTRAP }).toString(),
    });
    expect(res.status).toBe(303);
    expect(setCookies(res.headers).find((l) => l.startsWith('okc_session='))).not.toMatch(/Secure/i);
  });

  it('a wrong token: one generic message in role="alert", 401', async () => {
    const res = await tryLogin(new Browser(), 'okc_wrong', '198.51.100.2');
    expect(res.status).toBe(401);
    expect(res.html).toMatch(/<p role="alert">トークンが正しくないか、使えなくなっています。<\/p>/);
  });

  it('after 10 failures from one address further failures answer 429 with Retry-After; a correct token still signs in', async () => {
    const b = new Browser();
    for (let i = 0; i < 10; i++) expect((await tryLogin(b, `okc_wrong${i}`, '198.51.100.3')).status).toBe(401);
    const refused = await tryLogin(b, 'okc_wrong', '198.51.100.3');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await tryLogin(new Browser(), 'okc_wrong', '198.51.100.4')).status).toBe(401);
    expect((await tryLogin(b, BOOTSTRAP, '198.51.100.3')).status).toBe(303);
  });

  it('a sign-in post without the form token is refused and signs nobody in', async () => {
    const b = new Browser();
    const res = await b.request('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: BOOTSTRAP }).toString(),
    });
    expect(res.status).toBe(403);
    expect(b.cookies.has('okc_session')).toBe(false);
  });
});

describe('sessions', () => {
  it('without a session every console URL redirects (303) to /admin/login', async () => {
    for (const path of ['/admin', '/admin/reports', '/admin/staff', '/admin/nothing-here']) {
      const res = await new Browser().get(path);
      expect(res.status, path).toBe(303);
      expect(res.location).toBe('/admin/login');
    }
  });

  it('sign-out (a POST form) deletes the session on the server', async () => {
    const b = await signIn();
    const id = b.cookies.get('okc_session')!;
    const out = await b.post('/admin/logout');
    expect(out.status).toBe(303);
    expect(out.location).toBe('/admin/login');
    const limits = { idleMinutes: 480, maxHours: 24 };
    expect(await sessionFor(db(env.DB), id, limits)).toBeNull();
    const again = new Browser();
    again.cookies.set('okc_session', id);
    expect((await again.get('/admin')).status).toBe(303);
  });

  it('a staff member may hold several sessions; revoking them ends all at once', async () => {
    const s = await newStaff(['broadcaster']);
    const one = await signIn(s.token);
    const two = await signIn(s.token);
    expect((await two.get('/admin')).status).toBe(200);
    expect(await sessionCount(db(env.DB), s.id)).toBe(2);
    expect((await api(`/staff/${s.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    expect((await one.get('/admin')).status).toBe(303);
    expect((await two.get('/admin')).status).toBe(303);
    expect(await sessionCount(db(env.DB), s.id)).toBe(0);
  });

  it('expires after the idle time and after the maximum age', async () => {
    const d = db(env.DB);
    const limits = { idleMinutes: 480, maxHours: 24 };
    const s = await newStaff(['broadcaster']);
    const principal = { id: s.id, name: 'x', roles: ['broadcaster' as const], scopes: {} };
    const t0 = Date.parse('2026-12-02T00:00:00Z');
    const idle = await createSession(d, principal, limits, t0);
    expect(await sessionFor(d, idle.id, limits, t0 + 479 * 60_000)).not.toBeNull();
    expect(await sessionFor(d, idle.id, limits, t0 + 479 * 60_000 + 480 * 60_000)).toBeNull();
    const old = await createSession(d, principal, limits, t0);
    let now = t0;
    for (; now < t0 + 23 * 3_600_000; now += 7 * 3_600_000)
      expect(await sessionFor(d, old.id, limits, now)).not.toBeNull();
    expect(await sessionFor(d, old.id, limits, t0 + 24 * 3_600_000)).toBeNull();
  });
});

describe('CSRF', () => {
  it('a POST without the token, or with another session’s, is 403 and changes nothing', async () => {
    const a = await signIn();
    const b = await signIn();
    const idA = a.cookies.get('okc_session')!;
    expect((await a.post('/admin/logout', {}, { csrf: false })).status).toBe(403);
    expect((await a.post('/admin/logout', { _csrf: await b.csrf() })).status).toBe(403);
    expect(await sessionFor(db(env.DB), idA, { idleMinutes: 480, maxHours: 24 })).not.toBeNull();
  });
});

describe('every /admin answer', () => {
  it('carries CSP with frame-ancestors none, nosniff, no-referrer — error pages too', async () => {
    const b = await signIn();
    const answers = [
      await new Browser().get('/admin/login'),
      await new Browser().get('/admin'),
      await b.get('/admin'),
      await b.get('/admin/no-such-page'),
      await b.post('/admin/logout', {}, { csrf: false }),
    ];
    for (const res of answers) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]+'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(answers[3]!.status).toBe(404);
    expect(answers[3]!.html).toContain('ページが見つかりません');
  });
});

describe('the navigation', () => {
  it('shows an entry only for pages the user may use, in the issue’s order, and ログアウト', async () => {
    expect(navLabels((await (await signIn()).get('/admin')).html)).toEqual([
      '通報',
      '配信',
      '承認待ち',
      '学校',
      '町内会',
      '職員',
      '監査ログ',
      'ログアウト',
    ]);
    const school = await createSchool();
    const unit = await newCommunity('unit');
    const cases: [string[], string[], Record<string, string[]>?][] = [
      [['report_manager'], ['通報', 'ログアウト']],
      [['broadcaster'], ['配信', 'ログアウト']],
      [['approver'], ['配信', '承認待ち', 'ログアウト']],
      [['school_staff'], ['配信', '承認待ち', '学校', 'ログアウト'], { schools: [school.id] }],
      [['community_leader'], ['配信', '町内会', 'ログアウト'], { communities: [unit.id] }],
    ];
    for (const [roles, labels, scopes] of cases) {
      const s = await newStaff(roles, scopes);
      expect(navLabels((await (await signIn(s.token)).get('/admin')).html), roles.join()).toEqual(labels);
    }
  });

  it('the dashboard greets the staff member by name, in Japanese', async () => {
    const page = await (await signIn()).get('/admin');
    expect(textOf(page.html)).toContain('ダッシュボード');
    expect(page.html).toContain('lang="ja"');
  });
});

describe('the audit log page', () => {
  it('lists the log newest first with JST dates, filters by action, and its reading is audited', async () => {
    const s = await newStaff(['broadcaster']);
    const b = await signIn();
    const page = await b.get('/admin/audit?action=staff.create');
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain('staff.create');
    expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日\([日月火水木金土]\) \d{2}:\d{2}/);
    expect(page.html).toContain(s.id);
    expect(text).not.toContain('audit.list');
    const log = await (await api('/audit?action=audit.list&limit=5')).json<{ items: { detail: { via?: string } }[] }>();
    expect(log.items.some((e) => e.detail.via === 'console')).toBe(true);
  });

  it('exports CSV with the same filters', async () => {
    const b = await signIn();
    const csv = await b.get('/admin/audit.csv?action=staff.');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.html).toContain('staff.create');
    expect(csv.html).not.toContain('audit.list');
  });

  it('is for admins: other staff get 403 with a page, not a redirect', async () => {
    const r = await newStaff(['report_manager']);
    const b = await signIn(r.token);
    for (const path of ['/admin/audit', '/admin/audit.csv']) {
      const res = await b.get(path);
      expect(res.status, path).toBe(403);
      expect(res.html).toContain('権限がありません');
    }
  });
});
