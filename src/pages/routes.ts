import { Hono } from 'hono';
import { config } from '../config';
import policy from './content/policy.ja.json';
import terms from './content/terms.ja.json';
import { renderPage, type PageDocument } from './document';

/** Public pages residents open from the chat (the consent prompt links to /terms). */
export const pages = new Hono<{ Bindings: Env }>();

const DOCUMENTS: Record<'/terms' | '/policy', PageDocument> = {
  '/terms': terms,
  '/policy': policy,
};

/** Short, so a new text or terms version shows within minutes of a deploy. */
export const PAGE_CACHE_CONTROL = 'public, max-age=300';

/** Inline styles only: nothing is loaded from anywhere, no script runs, no one frames the page. */
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

for (const path of ['/terms', '/policy'] as const) {
  pages.get(path, (c) => {
    const { termsVersion, contactEmail } = config(c.env);
    return c.html(renderPage(DOCUMENTS[path], { termsVersion, contactEmail }, path), 200, {
      'cache-control': PAGE_CACHE_CONTROL,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  });
}
