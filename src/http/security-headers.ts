/**
 * Headers of every page we render ourselves (/terms, /policy, the staff API docs and its
 * document): inline styles only, nothing loaded from anywhere, no script, no form target,
 * no one frames the page, no type sniffing, and no Referer to wherever a link leads.
 */
export const PAGE_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;
