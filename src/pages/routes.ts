import { Hono } from 'hono';
import { config } from '../config';
import { PAGE_SECURITY_HEADERS } from '../http/security-headers';
import { renderPage } from './document';
import { pickVersion, POLICY_VERSIONS, TERMS_VERSIONS } from './versions';

/** Public pages residents open from the chat (the consent prompt links to /terms). */
export const pages = new Hono<{ Bindings: Env }>();

/** Short, so a new text or terms version shows within minutes of a deploy. */
export const PAGE_CACHE_CONTROL = 'public, max-age=300';

const HEADERS = { 'cache-control': PAGE_CACHE_CONTROL, ...PAGE_SECURITY_HEADERS };

// The terms in force (TERMS_VERSION), and any version by name, so residents can read what they agreed to.
// The retention periods in the text are today's configuration, for every version: the clean-up
// applies today's periods to everyone, whatever version they accepted.
pages.get('/terms', (c) => {
  const { termsVersion, contactEmail, retention } = config(c.env);
  const v = pickVersion(TERMS_VERSIONS, termsVersion, termsVersion)!;
  return c.html(renderPage(v.doc, { termsVersion, contactEmail, retention }, '/terms', v), 200, HEADERS);
});

pages.get('/terms/:version', (c) => {
  const { termsVersion, contactEmail, retention } = config(c.env);
  const v = pickVersion(TERMS_VERSIONS, c.req.param('version'), termsVersion);
  if (!v) return c.text('Not found', 404);
  return c.html(renderPage(v.doc, { termsVersion: v.version, contactEmail, retention }, '/terms', v), 200, HEADERS);
});

pages.get('/policy', (c) => {
  const { termsVersion, contactEmail, retention } = config(c.env);
  const v = POLICY_VERSIONS[POLICY_VERSIONS.length - 1]!;
  return c.html(renderPage(v.doc, { termsVersion, contactEmail, retention }, '/policy', v), 200, HEADERS);
});
