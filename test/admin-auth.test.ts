import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { canAccessCommunity, canAccessSchool, hasRole, type StaffPrincipal } from '../src/admin/auth';
import { createRouter } from '../src/admin/router';
import { app } from '../src/app';
import { api, BOOTSTRAP, newStaff } from './helpers/api';

const BASE = 'https://bot.example.jp/api/v1';

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: 'about:blank', status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\(|stack/i);
  return body as { detail: string; title: string };
}

describe('401: who are you?', () => {
  it.each([
    ['no Authorization header', null],
    ['an empty header', ''],
    ['Basic instead of Bearer', `Basic ${btoa('admin:pw')}`],
    ['Bearer without a token', 'Bearer'],
    ['Bearer with a blank token', 'Bearer  '],
    ['the token without the scheme', BOOTSTRAP],
    ['two tokens', `Bearer ${BOOTSTRAP} ${BOOTSTRAP}`],
    ['characters outside token68', 'Bearer tok"en'],
    ['a token over 512 characters', `Bearer ${'a'.repeat(513)}`],
    ['a wrong token', 'Bearer okc_not-a-real-token'],
    ['the bootstrap token with a suffix', `Bearer ${BOOTSTRAP}x`],
    ['a prefix of the bootstrap token', `Bearer ${BOOTSTRAP.slice(0, -1)}`],
  ])('%s → 401 problem+json with a Bearer challenge', async (_label, auth) => {
    const res = await api('/staff/me', auth === null ? { token: null } : { headers: { authorization: auth } });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    await expectProblem(res, 401);
  });

  it('a revoked token → 401', async () => {
    const { id, token } = await newStaff(['broadcaster']);
    expect((await api('/staff/me', { token })).status).toBe(200);
    expect((await api(`/staff/${id}`, { method: 'DELETE' })).status).toBe(204);
    const res = await api('/staff/me', { token });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect((await expectProblem(res, 401)).detail).toMatch(/revoked/);
  });

  it('the hash of a token is not a token (D1 leaks would not open the door)', async () => {
    const { id } = await newStaff(['broadcaster']);
    const row = await env.DB.prepare('SELECT token_hash FROM staff WHERE id = ?')
      .bind(id)
      .first<{ token_hash: string }>();
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    await expectProblem(await api('/staff/me', { token: row!.token_hash }), 401);
  });

  it('unknown paths ask for a token before saying anything else', async () => {
    await expectProblem(await api('/no-such-thing', { token: null }), 401);
  });
});

describe('who may pass', () => {
  it('the bootstrap token acts as staff `bootstrap` with role admin', async () => {
    const res = await api('/staff/me');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'bootstrap', name: 'bootstrap', roles: ['admin'], scopes: {} });
  });

  it('a staff token acts as its own account', async () => {
    const { id, token } = await newStaff(['school_staff'], { schools: ['school-kita-1'] });
    const res = await api('/staff/me', { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, roles: ['school_staff'], scopes: { schools: ['school-kita-1'] } });
  });

  it('a staff admin (not only bootstrap) passes admin-only routes', async () => {
    const { token } = await newStaff(['admin']);
    expect((await api('/staff', { token })).status).toBe(200);
    expect((await api('/audit', { token })).status).toBe(200);
  });

  it.each([
    ['broadcaster', {}],
    ['approver', {}],
    ['report_manager', {}],
    ['school_staff', { schools: ['school-minami-2'] }],
    ['community_leader', { communities: ['community-naka-3'] }],
  ])('%s → 403 on admin-only routes, 200 on /staff/me', async (role, scopes) => {
    const { token } = await newStaff([role], scopes);
    for (const [method, path, body] of [
      ['GET', '/staff', undefined],
      ['POST', '/staff', { name: 'escalation', roles: ['admin'] }],
      ['DELETE', `/staff/${crypto.randomUUID()}`, undefined],
      ['GET', '/audit', undefined],
    ] as const) {
      const body403 = await expectProblem(await api(path, { token, method, body }), 403);
      expect(body403.detail).toContain('admin');
    }
    expect((await api('/staff/me', { token })).status).toBe(200);
  });

  it('a 403 changes nothing: the refused create wrote no row', async () => {
    const { token } = await newStaff(['broadcaster']);
    const name = `refused-${crypto.randomUUID()}`;
    await expectProblem(await api('/staff', { token, method: 'POST', body: { name, roles: ['admin'] } }), 403);
    const row = await env.DB.prepare('SELECT count(*) AS n FROM staff WHERE name = ?')
      .bind(name)
      .first<{ n: number }>();
    expect(row?.n).toBe(0);
  });

  it('authenticated unknown paths → 404 problem+json', async () => {
    await expectProblem(await api('/no-such-thing'), 404);
  });
});

describe('503 when ADMIN_BOOTSTRAP_TOKEN is not configured', () => {
  async function fetchWithout(path: string, bootstrap: string | undefined, auth?: string) {
    const ctx = createExecutionContext();
    const headers: Record<string, string> = auth ? { authorization: auth } : {};
    const res = await app.fetch(
      new Request(`${BASE}${path}`, { headers }),
      { ...env, ADMIN_BOOTSTRAP_TOKEN: bootstrap },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])(
    '%s → authenticated routes answer 503 naming the secret, even to a valid staff token',
    async (_label, bootstrap) => {
      const { token } = await newStaff(['broadcaster']);
      for (const auth of [undefined, `Bearer ${BOOTSTRAP}`, `Bearer ${token}`]) {
        const body = await expectProblem(await fetchWithout('/staff/me', bootstrap, auth), 503);
        expect(body.detail).toContain('ADMIN_BOOTSTRAP_TOKEN is not configured');
      }
    },
  );

  it('the public contract still answers', async () => {
    expect((await fetchWithout('/openapi.json', undefined)).status).toBe(200);
    expect((await fetchWithout('/docs', undefined)).status).toBe(200);
  });
});

describe('role and scope helpers (pure)', () => {
  const p = (roles: StaffPrincipal['roles'], scopes: StaffPrincipal['scopes'] = {}): StaffPrincipal => ({
    id: 'x',
    name: 'x',
    roles,
    scopes,
  });

  it.each([
    [p(['admin']), 'school-a', true],
    [p(['school_staff'], { schools: ['school-a'] }), 'school-a', true],
    [p(['school_staff'], { schools: ['school-a'] }), 'school-b', false],
    [p(['school_staff'], {}), 'school-a', false],
    // A scope without its role grants nothing.
    [p(['broadcaster'], { schools: ['school-a'] }), 'school-a', false],
    [p(['community_leader'], { communities: ['school-a'] }), 'school-a', false],
  ])('canAccessSchool #%#', (principal, school, expected) => {
    expect(canAccessSchool(principal, school)).toBe(expected);
  });

  it.each([
    [p(['admin']), 'c-1', true],
    [p(['community_leader'], { communities: ['c-1', 'c-2'] }), 'c-2', true],
    [p(['community_leader'], { communities: ['c-1'] }), 'c-3', false],
    [p(['report_manager'], { communities: ['c-1'] }), 'c-1', false],
    [p(['school_staff'], { schools: ['c-1'] }), 'c-1', false],
  ])('canAccessCommunity #%#', (principal, community, expected) => {
    expect(canAccessCommunity(principal, community)).toBe(expected);
  });

  it.each([
    [p(['admin']), ['broadcaster'], true],
    [p(['broadcaster']), ['broadcaster', 'approver'], true],
    [p(['approver']), ['broadcaster'], false],
    [p(['approver']), [], true],
  ] as const)('hasRole #%#', (principal, roles, expected) => {
    expect(hasRole(principal, roles)).toBe(expected);
  });
});

describe('createRouter(): one error envelope for every capability', () => {
  // A router as a later capability would write it, exercised on its own.
  const router = createRouter();
  router.get('/boom', () => {
    throw new Error('SELECT * FROM secret_table');
  });
  router.get('/teapot', () => {
    throw new HTTPException(409, { message: 'Already approved by someone else.' });
  });
  router.openapi(
    {
      method: 'get',
      path: '/things',
      request: { query: z.object({ limit: z.coerce.number().int().max(10) }) },
      responses: { 200: { description: 'ok' } },
    },
    (c) => c.json({ limit: c.req.valid('query').limit }, 200),
  );

  it('an unexpected error → 500 problem+json without message or stack', async () => {
    const res = await router.request('/boom');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const text = await res.text();
    expect(text).not.toContain('secret_table');
    expect(text).not.toMatch(/stack|\.ts:\d+/);
    expect(JSON.parse(text)).toMatchObject({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
  });

  it('an HTTPException keeps its status and message', async () => {
    const res = await router.request('/teapot');
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'Already approved by someone else.',
    });
  });

  it('a zod failure → 400 naming the field; a pass reaches the handler', async () => {
    const bad = await router.request('/things?limit=11');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/^limit: /);
    const good = await router.request('/things?limit=3');
    expect(await good.json()).toEqual({ limit: 3 });
  });
});
