import { createMiddleware } from 'hono/factory';
import { Hono } from 'hono';
import { hasRole } from '../admin/auth';
import type { StaffRole } from '../db/schema';
import { jstLongText } from '../calendar/jst';
import type { ConsoleContext, ConsoleEnv } from './env';
import { onConsoleError } from './errors';
import { errorPage } from './layout';

export type { ConsoleContext, ConsoleEnv } from './env';
export { CsrfField, Layout, NAV, errorPage } from './layout';

/**
 * The staff console's kit: what every page of /admin uses. Pages are server-rendered with
 * hono/jsx and work without script; they call the same service functions as the JSON API,
 * so a role or scope check is never written twice.
 */

/** A router of console pages (one per capability); its thrown problems become HTML error pages. */
export function consoleRouter() {
  const router = new Hono<ConsoleEnv>();
  router.onError(onConsoleError);
  return router;
}

/** Whether the signed-in staff member may use a page that needs one of `roles` (the API's rule). */
export const may = (c: ConsoleContext, roles: readonly StaffRole[]) => hasRole(c.var.staff, roles);

/**
 * A page that needs one of `roles`: anyone else gets 403 with a page (not a redirect), the
 * same rule as `requireRole` in the API.
 */
export function guard(...roles: StaffRole[]) {
  return createMiddleware<ConsoleEnv>(async (c, next) => {
    if (!may(c, roles)) return c.html(errorPage(c, 403, 'このページを開く権限がありません。'), 403);
    await next();
  });
}

/** A time as staff read it: `2026年12月2日(水) 09:00` (JST), or 「—」 when there is none. */
export const when = (ms: number | null | undefined) => (ms == null ? '—' : jstLongText(ms));

/** A string field of a parsed form body (`c.req.parseBody()`), trimmed; '' when missing or a file. */
export function field(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  return typeof v === 'string' ? v.trim() : '';
}
