import { broadcastRoutes } from './broadcasts/routes';
import { closureRoutes } from './broadcasts/closure-routes';
import { authenticate } from './admin/auth';
import { auditRoutes } from './admin/audit-routes';
import { renderDocs } from './admin/docs';
import { problem } from './admin/errors';
import { BEARER_SCHEME, createRouter } from './admin/router';
import { staffRoutes } from './admin/staff-routes';
import { PAGE_SECURITY_HEADERS } from './http/security-headers';
import { richMenuRoutes } from './richmenu/routes';
import { reportRoutes } from './reports/routes';
import { reportCatalogRoutes } from './reports/catalog-routes';
import { staffLinkRoutes } from './staff-link/routes';
import { communityRoutes } from './communities/routes';

/** The staff door, mounted at `/api/v1` in `src/app.ts`. */
export const api = createRouter();

api.openAPIRegistry.registerComponent('securitySchemes', BEARER_SCHEME, {
  type: 'http',
  scheme: 'bearer',
  description: 'A staff token (`okc_…`) from `POST /staff`, or the ADMIN_BOOTSTRAP_TOKEN.',
});

const DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: '岡山市公式LINE 職員API / Okayama City LINE staff API',
    version: '1',
    description:
      'Staff accounts and the audit log; damage reports with their report categories and departments (lists, ' +
      'exports, triage, moderation, department mail); broadcasts with two-person approval, the calendar of ' +
      'closure days and test sends; the rich menu; community associations (communities: the registry, invite ' +
      'codes, members). Times are ISO 8601 with offset; errors are ' +
      'application/problem+json; request bodies are at most 1 MiB unless an operation says otherwise.',
  },
  servers: [{ url: '/api/v1' }],
};

// The document is built from the registry, which is complete once this module has run;
// building it once per isolate keeps the public endpoints cheap.
let document: ReturnType<typeof api.getOpenAPI31Document> | undefined;
const openApiDocument = () => (document ??= api.getOpenAPI31Document(DOCUMENT));

// Public: the contract and its docs. Hono runs handlers in the order they were
// registered, and these answer without calling next(), so `authenticate` below never
// runs for them. Everything registered after `authenticate` needs a staff token.
api.get('/openapi.json', (c) => c.json(openApiDocument(), 200, PAGE_SECURITY_HEADERS));
api.get('/docs', (c) => c.html(renderDocs(openApiDocument(), '/api/v1/openapi.json'), 200, PAGE_SECURITY_HEADERS));

api.use('*', authenticate);

// Staff answers are personal data (reports, residents' IDs, staff names, the audit log) or
// secrets: no cache between the clerk and us may keep one. A route may say more (photos).
api.use('*', async (c, next) => {
  await next();
  if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
});

// Capabilities mount their routers (made with `createRouter()`) here, above the fallback.
api.route('/', staffRoutes);
api.route('/', auditRoutes);
api.route('/', broadcastRoutes);
api.route('/', closureRoutes);
api.route('/', richMenuRoutes);
api.route('/', reportRoutes);
api.route('/', reportCatalogRoutes);
api.route('/', staffLinkRoutes);
api.route('/', communityRoutes);

// Unknown paths under /api/v1 answer in the same envelope as everything else.
api.all('*', () => {
  throw problem(404, 'No such operation. See /api/v1/docs.');
});
