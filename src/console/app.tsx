import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { principalForToken } from '../admin/auth';
import { config } from '../config';
import { db } from '../db/client';
import { CONSOLE_CSS } from './assets/console-css';
import type { ConsoleContext, ConsoleEnv } from './env';
import { onConsoleError } from './errors';
import { secureHeaders } from './headers';
import { errorPage, Layout } from './layout';
import { field } from './kit';
import { createSession, endSession, loginThrottle, randomToken, recordLoginFailure, sessionFor } from './session';
import { adminCard, adminPages } from './admin/routes';
import { broadcastsCard, broadcastsPages } from './broadcasts/routes';
import { BROADCASTS_CSS } from './broadcasts/styles';
import { communitiesCard, communitiesPages } from './communities/routes';
import { COMMUNITIES_CSS } from './communities/styles';
import { reportsCard, reportsPages } from './reports/routes';
import { REPORTS_CSS } from './reports/styles';
import { schoolsCard, schoolsPages } from './schools/routes';
import { SCHOOLS_CSS } from './schools/styles';
import { staffCard, staffPages } from './staff/routes';
import { STAFF_CSS } from './staff/styles';

/**
 * The staff console, mounted at /admin in src/app.ts: a door beside the JSON API, for people.
 * Sign-in turns any staff token into a session cookie; every later page reads the session (and
 * the account behind it) from D1, and every POST carries the session's CSRF token.
 */
export const consoleApp = new Hono<ConsoleEnv>();
consoleApp.onError(onConsoleError);

const SESSION_COOKIE = 'okc_session';
const LOGIN_COOKIE = 'okc_login';

/** Secure cookies everywhere but a developer's own machine, where the worker speaks plain HTTP. */
const secureCookie = (c: ConsoleContext) => !['localhost', '127.0.0.1'].includes(new URL(c.req.url).hostname);

/** Every /admin answer gets its nonce and the security headers, error pages included. */
consoleApp.use('*', async (c, next) => {
  c.set('nonce', randomToken().slice(0, 22));
  await next();
  c.res = secureHeaders(c, c.res);
});

/** One stylesheet: the frame's rules, then each capability's own. */
const STYLESHEET = [CONSOLE_CSS, REPORTS_CSS, BROADCASTS_CSS, SCHOOLS_CSS, COMMUNITIES_CSS, STAFF_CSS].join('\n');

consoleApp.get('/assets/console.css', (c) =>
  c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }),
);

const limits = (c: ConsoleContext) => config(c.env).adminSession;

const LoginPage = ({ c, token, error }: { c: ConsoleContext; token: string; error?: string }) => (
  <Layout c={c} title="ログイン">
    <div class="card">
      <p>職員用トークンでログインしてください。</p>
      {error ? <p role="alert">{error}</p> : null}
      <form method="post" action="/admin/login">
        <input type="hidden" name="_csrf" value={token} />
        <label for="token">トークン</label>
        <input type="password" id="token" name="token" autocomplete="off" required />
        <div class="actions">
          <button type="submit">ログイン</button>
        </div>
      </form>
    </div>
  </Layout>
);

/** The sign-in form carries a token bound to a cookie of its own (there is no session yet to bind it to). */
function loginForm(c: ConsoleContext, status: 200 | 401 | 403 | 429, error?: string) {
  const token = randomToken();
  setCookie(c, LOGIN_COOKIE, token, {
    path: '/admin/login',
    httpOnly: true,
    sameSite: 'Strict',
    secure: secureCookie(c),
    maxAge: 3600,
  });
  return c.html(<LoginPage c={c} token={token} error={error} />, status);
}

consoleApp.get('/login', (c) => loginForm(c, 200));

consoleApp.post('/login', async (c) => {
  const body = await c.req.parseBody();
  const expected = getCookie(c, LOGIN_COOKIE);
  if (!expected || field(body, '_csrf') !== expected)
    return loginForm(c, 403, 'フォームの有効期限が切れました。もう一度ログインしてください。');
  const bootstrap = c.env.ADMIN_BOOTSTRAP_TOKEN;
  if (!bootstrap) return c.html(errorPage(c, 503, 'ADMIN_BOOTSTRAP_TOKEN が設定されていません。'), 503);
  const d = db(c.env.DB);
  const token = field(body, 'token');
  // A correct token signs in even while its address is throttled: the limit slows guessing, not staff.
  const principal = token && token.length <= 600 ? await principalForToken(d, bootstrap, token) : null;
  if (principal) {
    const session = await createSession(d, principal, limits(c));
    deleteCookie(c, LOGIN_COOKIE, { path: '/admin/login' });
    setCookie(c, SESSION_COOKIE, session.id, {
      path: '/admin',
      httpOnly: true,
      sameSite: 'Strict',
      secure: secureCookie(c),
      maxAge: limits(c).maxHours * 3600,
    });
    return c.redirect('/admin', 303);
  }
  const address = c.req.header('cf-connecting-ip') ?? 'local';
  const throttle = await loginThrottle(d, address);
  if (!throttle.allowed) {
    c.header('retry-after', String(Math.ceil(throttle.retryAfterMs / 1000)));
    return loginForm(c, 429, 'ログインの失敗が続いたため、しばらく受け付けません。時間をおいてお試しください。');
  }
  await recordLoginFailure(d, address);
  return loginForm(c, 401, 'トークンが正しくないか、使えなくなっています。');
});

// Everything below needs a session: without one, a page sends the browser to the sign-in form.
consoleApp.use('*', async (c, next) => {
  const d = db(c.env.DB);
  const session = await sessionFor(d, getCookie(c, SESSION_COOKIE) ?? '', limits(c));
  if (!session) return c.redirect('/admin/login', 303);
  c.set('db', d);
  c.set('staff', session.staff);
  c.set('session', session);
  // CSRF first: a POST without this session's token changes nothing, whatever it asks for.
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const type = c.req.header('content-type') ?? '';
    // parseBody caches the parsed form, so the page's handler reads the same body again for free.
    const form = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)
      ? await c.req.parseBody()
      : {};
    const sent = form._csrf;
    if (typeof sent !== 'string' || sent !== session.csrf)
      return c.html(errorPage(c, 403, 'フォームの確認に失敗しました。ページを開き直してください。'), 403);
  }
  await next();
});

consoleApp.post('/logout', async (c) => {
  await endSession(c.var.db, c.var.session.id);
  deleteCookie(c, SESSION_COOKIE, { path: '/admin', secure: secureCookie(c) });
  return c.redirect('/admin/login', 303);
});

// Each capability's pages add their card here as they are built.
const CARDS = [reportsCard, broadcastsCard, schoolsCard, communitiesCard, staffCard, adminCard];

consoleApp.get('/', async (c) => {
  const cards = (await Promise.all(CARDS.map((card) => card(c)))).filter((x) => x != null && x !== false);
  return c.html(
    <Layout c={c} title="ダッシュボード">
      <p>{c.var.staff.name} さん、対応が必要なものです。</p>
      {cards.length > 0 ? <div class="cards">{cards}</div> : <p class="muted">対応が必要なものはありません。</p>}
    </Layout>,
  );
});

consoleApp.route('/', reportsPages);
consoleApp.route('/', broadcastsPages);
consoleApp.route('/', schoolsPages);
consoleApp.route('/', communitiesPages);
consoleApp.route('/', staffPages);
consoleApp.route('/', adminPages);

consoleApp.all('*', (c) => c.html(errorPage(c, 404, 'お探しのページはありません。'), 404));
