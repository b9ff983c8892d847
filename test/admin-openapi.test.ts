import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDocs } from '../src/admin/docs';
import { STAFF_ROLES } from '../src/db/schema';
import { api, newStaff } from './helpers/api';

const ORIGIN = 'https://bot.example.jp';

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  'x-required-roles'?: string[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface Doc {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, Record<string, unknown>>;
    schemas: Record<string, Record<string, any>>;
  };
}

let doc: Doc;
let ops: { method: string; path: string; op: Operation }[];

beforeAll(async () => {
  // Public: no Authorization header.
  const res = await exports.default.fetch(`${ORIGIN}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await res.json()) as Doc;
  ops = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, op })),
  );
});

describe('GET /api/v1/openapi.json', () => {
  it('is OpenAPI 3.1 served under /api/v1', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
  });

  it('says what the API holds today: every tag of the document, nothing promised for later', () => {
    const info = (doc as unknown as { info: { description: string } }).info.description.toLowerCase();
    expect(info).not.toMatch(/later|schools/);
    const tags = new Set(ops.flatMap(({ op }) => (op as { tags?: string[] }).tags ?? []));
    for (const tag of tags) expect(info, tag).toContain(tag.toLowerCase());
  });

  it('describes the staff and audit operations', () => {
    expect(ops.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual(
      expect.arrayContaining(['DELETE /staff/{id}', 'GET /audit', 'GET /staff', 'GET /staff/me', 'POST /staff']),
    );
  });

  it('has a bearer security scheme that every operation requires, with problem+json errors', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(ops.length).toBeGreaterThanOrEqual(5);
    for (const { method, path, op } of ops) {
      const where = `${method} ${path}`;
      expect(op.security, where).toEqual([{ bearerAuth: [] }]);
      expect(Array.isArray(op['x-required-roles']), where).toBe(true);
      for (const status of ['401', '403', '503'])
        expect(Object.keys(op.responses[status]?.content ?? {}), `${where} ${status}`).toEqual([
          'application/problem+json',
        ]);
    }
  });

  it('documents every error answer of every operation as problem+json with the Problem schema', () => {
    // onApiError and validationHook send nothing else, so a client generated from the document can read every error.
    let errors = 0;
    for (const { method, path, op } of ops) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        errors++;
        expect(response.content, `${method.toUpperCase()} ${path} ${status}`).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        });
      }
    }
    expect(errors).toBeGreaterThanOrEqual(3 * ops.length);
  });

  it('a route’s own 503 keeps its cause beside the unconfigured door’s', () => {
    const described = (path: string) =>
      (doc.paths[path]?.post?.responses['503'] as { description?: string } | undefined)?.description;
    expect(described('/broadcasts/{id}/test')).toContain('LINE did not answer');
    expect(described('/richmenu/publish')).toContain('LINE_CHANNEL_ACCESS_TOKEN');
    for (const { method, path, op } of ops)
      expect((op.responses['503'] as { description?: string }).description, `${method} ${path}`).toContain(
        'ADMIN_BOOTSTRAP_TOKEN is not configured',
      );
  });

  it('states the roles each staff operation needs', () => {
    expect(doc.paths['/staff']?.post?.['x-required-roles']).toEqual(['admin']);
    expect(doc.paths['/staff']?.get?.['x-required-roles']).toEqual(['admin']);
    expect(doc.paths['/staff/{id}']?.delete?.['x-required-roles']).toEqual(['admin']);
    expect(doc.paths['/audit']?.get?.['x-required-roles']).toEqual(['admin']);
    expect(doc.paths['/staff/me']?.get?.['x-required-roles']).toEqual([]);
  });

  it('is generated from the zod schemas: limits, roles and the token-free list', () => {
    const { schemas } = doc.components;
    expect(schemas.CreateStaff).toMatchObject({
      required: ['name', 'roles'],
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, roles: { minItems: 1, uniqueItems: true } },
    });
    expect(schemas.StaffRole?.enum).toEqual([...STAFF_ROLES]);
    expect(Object.keys(schemas.CreatedStaff?.properties)).toContain('token');
    expect(Object.keys(schemas.StaffMember?.properties)).toEqual([
      'id',
      'name',
      'roles',
      'scopes',
      'createdAt',
      'createdBy',
      'revokedAt',
      'suspendedAt',
    ]);
    expect(schemas.Problem?.required).toEqual(['type', 'title', 'status', 'detail']);
  });

  it('the document does not lie: every operation refuses a missing token and enforces its roles', async () => {
    const { token } = await newStaff(['broadcaster']);
    for (const { method, path, op } of ops) {
      const concrete = path.replace(/\{[^}]+\}/g, crypto.randomUUID());
      const anonymous = await api(concrete, { method: method.toUpperCase(), token: null });
      expect(anonymous.status, `${method} ${path} without a token`).toBe(401);
      const roles = op['x-required-roles'] ?? [];
      const res = await api(concrete, { method: method.toUpperCase(), token });
      const refused = roles.length > 0 && !roles.includes('broadcaster');
      if (refused) expect(res.status, `${method} ${path} as broadcaster`).toBe(403);
      else expect([401, 403], `${method} ${path} as broadcaster`).not.toContain(res.status);
    }
  });
});

describe('GET /api/v1/docs', () => {
  it('lists every operation of the document with method, path, summary and role, in Japanese and English', async () => {
    const res = await exports.default.fetch(`${ORIGIN}/api/v1/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    for (const heading of [
      '操作一覧 / Operations',
      '認証 / Authentication',
      'メソッド / Method',
      'パス / Path',
      '概要 / Summary',
      '必要な権限 / Required role',
    ]) {
      expect(page).toContain(heading);
    }
    const rows = [
      ...page.matchAll(
        /<tr><td class="m">(\w+)<\/td><td><code>([^<]+)<\/code><\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g,
      ),
    ].map((m) => ({
      method: m[1],
      path: m[2],
      summary: m[3],
      roles: m[4],
    }));
    expect(rows).toHaveLength(ops.length);
    for (const { method, path, op } of ops) {
      const row = rows.find((r) => r.method === method.toUpperCase() && r.path === `/api/v1${path}`);
      expect(row, `${method} ${path}`).toBeDefined();
      expect(row?.summary).toBe(op.summary);
      const roles = op['x-required-roles'] ?? [];
      // Admin may do everything, so the page names it after the route's own roles.
      const shown = roles.includes('admin') ? roles : [...roles, 'admin'];
      expect(row?.roles).toBe(roles.length === 0 ? '全職員 / any staff' : shown.join(', '));
    }
    expect(page).toContain('href="/api/v1/openapi.json"');
  });

  it('is self-contained: no script, no external resource, and a CSP that forbids them', async () => {
    const res = await exports.default.fetch(`${ORIGIN}/api/v1/docs`);
    const page = await res.text();
    expect(page).not.toMatch(/<script|<link|<img|<iframe/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(page).not.toMatch(/@import|url\(/i);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it.each(['/api/v1/docs', '/api/v1/openapi.json'])('%s has the security headers of /terms', async (path) => {
    const page = await exports.default.fetch(`${ORIGIN}${path}`);
    const terms = await exports.default.fetch(`${ORIGIN}/terms`);
    for (const h of ['content-security-policy', 'x-content-type-options', 'referrer-policy'])
      expect(page.headers.get(h), h).toBe(terms.headers.get(h));
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toContain("base-uri 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('escapes what it renders', () => {
    const page = String(
      renderDocs(
        {
          openapi: '3.1.0',
          info: { title: 'T', version: '1' },
          paths: {
            '/x': {
              get: {
                summary: '<script>alert(1)</script>',
                security: [{ bearerAuth: [] }],
                'x-required-roles': ['approver'],
                responses: {},
              },
            },
          },
        },
        '/spec',
      ),
    );
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // A role other than admin is shown together with admin, which always passes.
    expect(page).toContain('<td>approver, admin</td>');
  });
});
