import { Hono } from 'hono';
import { config } from '../config';
import { PAGE_SECURITY_HEADERS } from '../http/security-headers';
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

for (const path of ['/terms', '/policy'] as const) {
  pages.get(path, (c) => {
    const { termsVersion, contactEmail } = config(c.env);
    return c.html(renderPage(DOCUMENTS[path], { termsVersion, contactEmail }, path), 200, {
      'cache-control': PAGE_CACHE_CONTROL,
      ...PAGE_SECURITY_HEADERS,
    });
  });
}
