import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { STAFF_ROLES } from '../src/db/schema';
import { api, BOOTSTRAP } from './helpers/api';

const uniqueName = (label: string) => `${label}-${crypto.randomUUID()}`;

interface Created {
  id: string;
  token: string;
  name: string;
  roles: string[];
  scopes: Record<string, string[]>;
}

/** The create route's whole answer, by `token`'s account (newStaff in helpers/api.ts keeps only id and token). */
async function create(body: Record<string, unknown>, token = BOOTSTRAP): Promise<Created> {
  const res = await api('/staff', { method: 'POST', body, token });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Created;
}

async function sha256Hex(s: string) {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function auditRows(targetId: string) {
  const { results } = await env.DB.prepare('SELECT * FROM audit_log WHERE target_id = ? ORDER BY id')
    .bind(targetId)
    .all<Record<string, unknown>>();
  return results;
}

async function staffCount(name: string) {
  return (await env.DB.prepare('SELECT count(*) AS n FROM staff WHERE name = ?').bind(name).first<{ n: number }>())?.n;
}

describe('POST /staff', () => {
  it('creates an account and shows its token once; D1 keeps only the SHA-256', async () => {
    const name = uniqueName('作成 太郎');
    const res = await api('/staff', { method: 'POST', body: { name, roles: ['broadcaster', 'approver'] } });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created = (await res.json()) as Created;
    expect(created).toEqual({
      id: expect.any(String),
      token: expect.any(String),
      name,
      roles: ['broadcaster', 'approver'],
      scopes: {},
    });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // okc_ + base64url of 32 bytes = 43 characters, no padding.
    expect(created.token).toMatch(/^okc_[A-Za-z0-9_-]{43}$/);

    const row = await env.DB.prepare('SELECT * FROM staff WHERE id = ?')
      .bind(created.id)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      name,
      created_by: 'bootstrap',
      revoked_at: null,
      token_hash: await sha256Hex(created.token),
    });
    expect(JSON.stringify(row)).not.toContain(created.token.slice(4));

    // The token works as that account.
    const me = await api('/staff/me', { token: created.token });
    expect(await me.json()).toMatchObject({ id: created.id, name });
  });

  it('two accounts never share a token or an id', async () => {
    const a = await create({ name: uniqueName('a'), roles: ['approver'] });
    const b = await create({ name: uniqueName('b'), roles: ['approver'] });
    expect(a.token).not.toBe(b.token);
    expect(a.id).not.toBe(b.id);
  });

  it('stores scopes with their roles and trims the name', async () => {
    const name = uniqueName('scoped');
    const created = await create({
      name: `  ${name} `,
      roles: ['school_staff', 'community_leader'],
      scopes: { schools: ['school-1', 'school-2'], communities: ['community-9'] },
    });
    expect(created.name).toBe(name);
    expect(created.scopes).toEqual({ schools: ['school-1', 'school-2'], communities: ['community-9'] });
  });

  it('accepts a name of exactly 100 characters and every role', async () => {
    const name = `${crypto.randomUUID()}`.padEnd(100, 'x');
    const created = await create({
      name,
      roles: [...STAFF_ROLES],
      scopes: { schools: ['s'], communities: ['c'] },
    });
    expect(created.name).toHaveLength(100);
  });

  it.each([
    ['name missing', { roles: ['broadcaster'] }, 'name'],
    ['empty name', { name: '', roles: ['broadcaster'] }, 'name'],
    ['blank name', { name: '   ', roles: ['broadcaster'] }, 'name'],
    ['name of 101 characters', { name: 'x'.repeat(101), roles: ['broadcaster'] }, 'name'],
    ['name not a string', { name: 42, roles: ['broadcaster'] }, 'name'],
    ['roles missing', { name: 'X' }, 'roles'],
    ['no roles', { name: 'X', roles: [] }, 'roles'],
    ['an unknown role', { name: 'X', roles: ['broadcaster', 'mayor'] }, 'roles.1'],
    ['a repeated role', { name: 'X', roles: ['approver', 'approver'] }, 'roles'],
    ['school_staff without scopes', { name: 'X', roles: ['school_staff'] }, 'scopes.schools'],
    ['school_staff with no schools', { name: 'X', roles: ['school_staff'], scopes: { schools: [] } }, 'scopes.schools'],
    [
      'community_leader without communities',
      { name: 'X', roles: ['community_leader'], scopes: { schools: [] } },
      'scopes.communities',
    ],
    [
      'schools without the school_staff role',
      { name: 'X', roles: ['broadcaster'], scopes: { schools: ['s'] } },
      'scopes.schools',
    ],
    [
      'communities without the community_leader role',
      { name: 'X', roles: ['approver'], scopes: { communities: ['c'] } },
      'scopes.communities',
    ],
    ['an empty school id', { name: 'X', roles: ['school_staff'], scopes: { schools: [''] } }, 'scopes.schools.0'],
    ['an unknown scope key', { name: 'X', roles: ['admin'], scopes: { wards: ['kita'] } }, 'scopes'],
    ['an unknown body key', { name: 'X', roles: ['admin'], role: 'admin' }, '(body)'],
  ] as [string, Record<string, unknown>, string][])(
    '%s → 400 naming %s, nothing stored',
    async (_label, body, field) => {
      const name = typeof body.name === 'string' && body.name.trim() ? uniqueName(body.name) : body.name;
      const res = await api('/staff', { method: 'POST', body: { ...body, name } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as {
        type: string;
        title: string;
        status: number;
        detail: string;
        errors: { field: string }[];
      };
      expect(problem).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
      expect(problem.detail).toContain(`${field}: `);
      expect(problem.errors.map((e) => e.field)).toContain(field);
      if (typeof name === 'string') expect(await staffCount(name)).toBe(0);
    },
  );

  it('a body that is not JSON → 400 problem+json, no stack', async () => {
    const res = await api('/staff', {
      method: 'POST',
      rawBody: '{"name": "X", "roles": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const text = await res.text();
    expect(text).not.toMatch(/stack|\.ts:\d+|at \w+ \(/);
    expect(JSON.parse(text)).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  it('a body that is not declared JSON → 415 problem+json', async () => {
    const res = await api('/staff', { method: 'POST', rawBody: 'name=X', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('GET /staff', () => {
  it('lists accounts with revokedAt, never a token or its hash', async () => {
    const created = await create({ name: uniqueName('listed'), roles: ['report_manager'] });
    const hash = await sha256Hex(created.token);
    const res = await api('/staff');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(hash);
    expect(text).not.toMatch(/token/i);
    const { items } = JSON.parse(text) as { items: Record<string, unknown>[] };
    const mine = items.find((i) => i.id === created.id);
    expect(mine).toEqual({
      id: created.id,
      name: created.name,
      roles: ['report_manager'],
      scopes: {},
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      createdBy: 'bootstrap',
      revokedAt: null,
      suspendedAt: null,
    });
  });

  it('is audited as staff.list by the reader', async () => {
    const admin = await create({ name: uniqueName('list-reader'), roles: ['admin'] });
    expect((await api('/staff', { token: admin.token })).status).toBe(200);
    const { results } = await env.DB.prepare("SELECT * FROM audit_log WHERE staff_id = ? AND action = 'staff.list'")
      .bind(admin.id)
      .all();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ target_type: 'staff', target_id: null });
  });
});

describe('DELETE /staff/:id', () => {
  it('revokes at once: the next request with that token is 401, the list shows revokedAt', async () => {
    const victim = await create({ name: uniqueName('revoked'), roles: ['broadcaster'] });
    expect((await api('/staff/me', { token: victim.token })).status).toBe(200);

    const before = Date.now();
    const res = await api(`/staff/${victim.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    expect((await api('/staff/me', { token: victim.token })).status).toBe(401);
    const { items } = (await (await api('/staff')).json()) as { items: { id: string; revokedAt: string | null }[] };
    const revokedAt = items.find((i) => i.id === victim.id)?.revokedAt;
    expect(revokedAt).not.toBeNull();
    expect(Date.parse(revokedAt!)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('revoking again is a no-op: 204, the first revocation time and audit row stay', async () => {
    const victim = await create({ name: uniqueName('twice'), roles: ['approver'] });
    expect((await api(`/staff/${victim.id}`, { method: 'DELETE' })).status).toBe(204);
    const first = await env.DB.prepare('SELECT revoked_at FROM staff WHERE id = ?')
      .bind(victim.id)
      .first<{ revoked_at: number }>();
    await new Promise((r) => setTimeout(r, 5));
    expect((await api(`/staff/${victim.id}`, { method: 'DELETE' })).status).toBe(204);
    const second = await env.DB.prepare('SELECT revoked_at FROM staff WHERE id = ?')
      .bind(victim.id)
      .first<{ revoked_at: number }>();
    expect(second?.revoked_at).toBe(first?.revoked_at);
    expect((await auditRows(victim.id)).filter((r) => r.action === 'staff.revoke')).toHaveLength(1);
  });

  it('an admin may revoke itself; its token stops at once', async () => {
    const admin = await create({ name: uniqueName('self'), roles: ['admin'] });
    expect((await api(`/staff/${admin.id}`, { method: 'DELETE', token: admin.token })).status).toBe(204);
    expect((await api('/staff/me', { token: admin.token })).status).toBe(401);
  });

  it('an unknown id → 404 problem+json, nothing audited', async () => {
    const id = crypto.randomUUID();
    const res = await api(`/staff/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain(id);
    expect(await auditRows(id)).toHaveLength(0);
  });

  it('`bootstrap` cannot be revoked: 400 saying how to rotate it, and it keeps working', async () => {
    const res = await api('/staff/bootstrap', { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain('ADMIN_BOOTSTRAP_TOKEN');
    expect((await api('/staff/me')).status).toBe(200);
  });
});

describe('audit rows for staff writes', () => {
  it('create and revoke each write one row naming who, what, which record and when', async () => {
    const admin = await create({ name: uniqueName('auditor'), roles: ['admin'] });
    const before = Date.now();
    const created = await create(
      { name: uniqueName('audited'), roles: ['school_staff'], scopes: { schools: ['school-7'] } },
      admin.token,
    );
    expect((await api(`/staff/${created.id}`, { method: 'DELETE', token: admin.token })).status).toBe(204);
    const after = Date.now();

    const rows = await auditRows(created.id);
    expect(rows.map((r) => [r.staff_id, r.action, r.target_type, r.target_id])).toEqual([
      [admin.id, 'staff.create', 'staff', created.id],
      [admin.id, 'staff.revoke', 'staff', created.id],
    ]);
    for (const r of rows) {
      expect(r.at).toBeGreaterThanOrEqual(before);
      expect(r.at).toBeLessThanOrEqual(after);
    }
    expect(JSON.parse(rows[0]!.detail as string)).toEqual({
      name: created.name,
      roles: ['school_staff'],
      scopes: { schools: ['school-7'] },
    });
    // The secret never reaches the log.
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(4));
    expect(JSON.stringify(rows)).not.toContain(await sha256Hex(created.token));
  });

  it('the bootstrap token is audited as `bootstrap`', async () => {
    const created = await create({ name: uniqueName('by-bootstrap'), roles: ['approver'] });
    const rows = await auditRows(created.id);
    expect(rows.map((r) => [r.staff_id, r.action])).toEqual([['bootstrap', 'staff.create']]);
  });

  it('a refused write leaves no audit row', async () => {
    const name = uniqueName('invalid');
    const before = (
      await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'staff.create'").first<{ n: number }>()
    )?.n;
    expect((await api('/staff', { method: 'POST', body: { name, roles: [] } })).status).toBe(400);
    const after = (
      await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'staff.create'").first<{ n: number }>()
    )?.n;
    expect(after).toBe(before);
  });
});

describe('one account: GET, PATCH and token rotation', () => {
  it('GET /staff/:id shows the account without its token, audited as staff.read; 404 for an unknown id', async () => {
    const created = await create({ name: uniqueName('read'), roles: ['report_manager'] });
    const res = await api(`/staff/${created.id}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(await sha256Hex(created.token));
    expect(JSON.parse(text)).toMatchObject({
      id: created.id,
      name: created.name,
      roles: ['report_manager'],
      scopes: {},
      createdBy: 'bootstrap',
      revokedAt: null,
    });
    expect((await auditRows(created.id)).map((r) => r.action)).toContain('staff.read');
    expect((await api(`/staff/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('PATCH changes roles from the account’s next request and answers the account as it now is', async () => {
    const created = await create({ name: uniqueName('patched'), roles: ['broadcaster'] });
    expect((await api('/reports', { token: created.token })).status).toBe(403);
    const res = await api(`/staff/${created.id}`, { method: 'PATCH', body: { roles: ['report_manager'] } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({
      id: created.id,
      name: created.name,
      roles: ['report_manager'],
      scopes: {},
    });
    expect((await api('/reports', { token: created.token })).status).toBe(200);
    expect((await api('/broadcasts', { token: created.token })).status).toBe(403);
    const row = (await auditRows(created.id)).find((r) => r.action === 'staff.update');
    expect(JSON.parse(String(row?.detail))).toEqual({ roles: ['report_manager'] });
  });

  it('PATCH judges roles and scopes as they will be stored', async () => {
    const created = await create({ name: uniqueName('scoped'), roles: ['school_staff'], scopes: { schools: ['s-1'] } });
    const res = await api(`/staff/${created.id}`, { method: 'PATCH', body: { roles: ['report_manager'] } });
    expect(res.status).toBe(400);
    expect((await res.json<{ detail: string }>()).detail).toMatch(/^scopes\.schools: /);
  });

  it('POST /staff/:id/token: the old token stops at once, the new one works and is shown once', async () => {
    const created = await create({ name: uniqueName('rotated'), roles: ['report_manager'] });
    const res = await api(`/staff/${created.id}/token`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token } = await res.json<{ token: string }>();
    expect(token).toMatch(/^okc_/);
    expect(token).not.toBe(created.token);
    expect((await api('/staff/me', { token: created.token })).status).toBe(401);
    expect(await (await api('/staff/me', { token })).json()).toMatchObject({ id: created.id });
    expect((await auditRows(created.id)).map((r) => r.action)).toContain('staff.token.rotate');
    // The bootstrap token is configuration; a revoked account stays revoked.
    expect((await api('/staff/bootstrap/token', { method: 'POST' })).status).toBe(400);
    expect((await api(`/staff/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/staff/${created.id}/token`, { method: 'POST' })).status).toBe(409);
  });

  it.each([
    ['a newline', 'Taro\nAdmin'],
    ['a C1 control', 'Taro\u0085'],
    ['a right-to-left override', 'Taro\u202Enimda'],
    ['a left-to-right mark', 'Taro\u200E'],
    ['an isolate', '\u2067Taro\u2069'],
    ['DEL', 'Taro\u007F'],
  ])('a name with %s is a 400 naming the field, on create and on PATCH', async (_label, name) => {
    const created = await create({ name: uniqueName('named'), roles: ['report_manager'] });
    for (const res of [
      await api('/staff', { method: 'POST', body: { name, roles: ['report_manager'] } }),
      await api(`/staff/${created.id}`, { method: 'PATCH', body: { name } }),
    ]) {
      expect(res.status).toBe(400);
      const p = await res.json<{ detail: string; errors: { field: string }[] }>();
      expect(p.errors.map((e) => e.field)).toEqual(['name']);
      expect(p.detail).toMatch(/^name: .*U\+/);
    }
    expect((await api(`/staff/${created.id}`, { method: 'PATCH', body: { name: '岡山 太郎' } })).status).toBe(200);
  });
});
