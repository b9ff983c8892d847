import { createMiddleware } from 'hono/factory';
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { hasRole } from '../admin/auth';
import type { StaffRole } from '../db/schema';
import { jstLongText } from '../calendar/jst';
import type { ConsoleContext, ConsoleEnv } from './env';
import { onConsoleError } from './errors';
import { errorPage } from './layout';

export type { ConsoleContext, ConsoleEnv } from './env';
export { Layout, NAV, errorPage } from './layout';

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

/** The hidden field every form carries: the session's CSRF token, checked before anything else. */
export const CsrfField: FC<{ c: ConsoleContext }> = ({ c }) => (
  <input type="hidden" name="_csrf" value={c.var.session.csrf} />
);

/** A time as staff read it: `2026年12月2日(水) 09:00` (JST), or 「—」 when there is none. */
export const when = (ms: number | null | undefined) => (ms == null ? '—' : jstLongText(ms));

/** Paging links for a list: `page` is 1-based; `hasNext` says whether another page exists. */
export const Pager: FC<{ c: ConsoleContext; page: number; hasNext: boolean }> = ({ c, page, hasNext }) => {
  const url = (p: number) => {
    const q = new URLSearchParams(c.req.query());
    q.set('page', String(p));
    return `${c.req.path}?${q}`;
  };
  if (page <= 1 && !hasNext) return null;
  return (
    <nav class="pager" aria-label="ページ送り">
      {page > 1 ? <a href={url(page - 1)}>← 前へ</a> : null}
      <span>{page}ページ目</span>
      {hasNext ? <a href={url(page + 1)}>次へ →</a> : null}
    </nav>
  );
};

/** The page number of `?page=`, 1 when missing or nonsense. */
export function pageParam(c: ConsoleContext): number {
  const n = Number(c.req.query('page'));
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

/** A string field of a parsed form body (`c.req.parseBody()`), trimmed; '' when missing or a file. */
export function field(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  return typeof v === 'string' ? v.trim() : '';
}

/** A short notice after a POST-redirect-GET (`?done=…`), read out by screen readers. */
export const Notice: FC<{ text?: string | undefined }> = ({ text }) =>
  text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;
