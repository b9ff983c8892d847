import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { log } from '../http/log';
import type { ConsoleContext } from './env';
import { errorPage } from './layout';
import { secureHeaders } from './headers';

/**
 * Errors of console pages: a problem a service throws (403 out of scope, 404, 409 …) becomes a
 * page with its status and words; anything else is logged and shown as a plain 500. The API's
 * problem texts are English; pages show them as the detail under a Japanese title.
 */
export const onConsoleError: ErrorHandler = (err, c) => {
  const ctx = c as unknown as ConsoleContext;
  if (err instanceof HTTPException) {
    const status = err.status;
    const headers: Record<string, string> = {};
    const own = (err as { headers?: Record<string, string> }).headers;
    if (own?.['retry-after']) headers['retry-after'] = own['retry-after'];
    return secureHeaders(
      ctx,
      new Response(String(errorPage(ctx, status, err.message || 'エラーです。')), {
        status,
        headers: { 'content-type': 'text/html; charset=UTF-8', ...headers },
      }),
    );
  }
  log.error('console error', { path: c.req.path, error: String(err), stack: err.stack });
  return secureHeaders(
    ctx,
    new Response(String(errorPage(ctx, 500, '予期しないエラーが発生しました。記録されています。')), {
      status: 500,
      headers: { 'content-type': 'text/html; charset=UTF-8' },
    }),
  );
};
