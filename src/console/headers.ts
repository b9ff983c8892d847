import type { ConsoleContext } from './env';

/**
 * Security headers of every /admin answer, error pages included. Scripts and styles come only
 * from /admin/assets (or carry this answer's nonce); nothing frames the console (`frame-ancestors
 * 'none'`, stated here because hono/secure-headers alone would give SAMEORIGIN); forms post only
 * here; no Referer leaves (report pages hold personal data in their URLs' neighbourhood).
 */
export function securityHeaders(nonce: string): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'self' 'nonce-${nonce}'`,
      `style-src 'self' 'nonce-${nonce}'`,
      "img-src 'self' data:",
      "connect-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };
}

/** Sets the headers on `res` (a copy when its headers are immutable), keeping a cache-control it chose. */
export function secureHeaders(c: ConsoleContext, res: Response): Response {
  const out = new Response(res.body, res);
  const nonce = (c.get('nonce') as string | undefined) ?? 'none';
  for (const [k, v] of Object.entries(securityHeaders(nonce))) {
    if (k === 'cache-control' && res.headers.has(k)) continue;
    out.headers.set(k, v);
  }
  return out;
}
