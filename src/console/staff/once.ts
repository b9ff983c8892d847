import { getCookie, setCookie } from 'hono/cookie';
import type { ConsoleContext } from '../kit';
import { field } from '../kit';
import { randomToken } from '../session';

/**
 * A form whose answer shows a new token (add a staff member, rotate a token) must not run twice
 * when the browser resubmits it (a reload of the answer): the second run would make another
 * account, or replace the token just shown. The form carries a random mark; the answer leaves it
 * in a cookie; a post whose mark equals the cookie is that resubmission. Nothing is stored here.
 */
const COOKIE = 'okc_once';

/** A new mark for one rendered form. */
export const newOnce = () => randomToken().slice(0, 22);

/** Whether this post repeats the one whose answer this browser already has. */
export function resubmitted(c: ConsoleContext, body: Record<string, unknown>): boolean {
  const once = field(body, '_once');
  return once !== '' && getCookie(c, COOKIE) === once;
}

/** Remembers the post's mark in the browser, with the answer that shows the token. */
export function markDone(c: ConsoleContext, body: Record<string, unknown>): void {
  const once = field(body, '_once');
  if (!once) return;
  const local = ['localhost', '127.0.0.1'].includes(new URL(c.req.url).hostname);
  setCookie(c, COOKIE, once, {
    path: '/admin/staff',
    httpOnly: true,
    sameSite: 'Strict',
    secure: !local,
    maxAge: 3600,
  });
}
