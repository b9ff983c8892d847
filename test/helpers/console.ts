import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { BOOTSTRAP } from './api';

/** The console as a browser sees it: same-origin requests with a cookie jar, no redirects followed. */
export const ORIGIN = 'https://bot.example.jp';

export interface Page {
  status: number;
  headers: Headers;
  html: string;
  /** The Location of a redirect, or null. */
  location: string | null;
}

/** The Set-Cookie lines of an answer (workerd has getSetCookie; the workers types do not name it yet). */
export function setCookies(headers: Headers): string[] {
  return (headers as unknown as { getSetCookie(): string[] }).getSetCookie();
}

/** A browser with its own cookies: sign in, open pages, post forms (with the page's CSRF token). */
export class Browser {
  readonly cookies = new Map<string, string>();

  async request(path: string, init: RequestInit = {}): Promise<Page> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await exports.default.fetch(`${ORIGIN}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of setCookies(res.headers)) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, html: await res.text(), location: res.headers.get('location') };
  }

  get(path: string): Promise<Page> {
    return this.request(path);
  }

  /** Posts a form as a browser would (urlencoded); `_csrf` is added from the session unless given. */
  async post(path: string, fields: Record<string, string | string[]> = {}, { csrf = true } = {}): Promise<Page> {
    const body = new URLSearchParams();
    if (csrf && !('_csrf' in fields)) body.set('_csrf', await this.csrf());
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }

  /** Posts a multipart form (a file upload); `_csrf` is added from the session. */
  async upload(path: string, fields: Record<string, string | File>): Promise<Page> {
    const form = new FormData();
    form.set('_csrf', await this.csrf());
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return this.request(path, { method: 'POST', body: form });
  }

  /** The session cookie the cached CSRF token was read under, and the token. */
  private csrfRead: { session: string; token: string } | null = null;

  /**
   * The CSRF token of this browser's session, read from the dashboard's sign-out form. It is
   * derived from the session id, so it is read once per session: a test posting twenty forms
   * loads the dashboard once, not twenty times. Another session cookie reads it again.
   */
  async csrf(): Promise<string> {
    const session = this.cookies.get('okc_session');
    if (session !== undefined && this.csrfRead?.session === session) return this.csrfRead.token;
    const page = await this.get('/admin');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
    if (!token) throw new Error(`no CSRF token on /admin (status ${page.status})`);
    const now = this.cookies.get('okc_session');
    this.csrfRead = now === undefined ? null : { session: now, token };
    return token;
  }
}

/** A browser signed in with `token` (the bootstrap token when left out). */
export async function signIn(token: string = BOOTSTRAP, address = '203.0.113.7'): Promise<Browser> {
  const b = new Browser();
  const form = await b.get('/admin/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.html)?.[1] ?? '';
  const res = await b.request('/admin/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': address },
    body: new URLSearchParams({ _csrf: csrf, token }).toString(),
  });
  expect(res.status, res.html).toBe(303);
  expect(res.location).toBe('/admin');
  return b;
}

/** The text of a page without its tags, whitespace collapsed: what a reader sees. */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** The labels of the navigation on a page, in order. */
export function navLabels(html: string): string[] {
  const nav = /<nav aria-label="メインメニュー">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...nav.matchAll(/<(?:a|button)[^>]*>([^<]+)<\/(?:a|button)>/g)].map((m) => m[1]!.trim());
}
