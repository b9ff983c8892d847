import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hashAccessCode, readAccessCode } from '../src/access-codes';
import { api, newStaff } from './helpers/api';
import {
  auditRows,
  federationWithUnits,
  leader,
  members,
  newCommunity,
  newInvite,
  uniqueName,
} from './helpers/communities';
import { events, say } from './helpers/line';
import { resident } from './helpers/reports';

type Json = Record<string, any>;

async function problemOf(res: Response, status: number): Promise<string> {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return ((await res.json()) as { detail: string }).detail;
}

async function countByName(...names: string[]): Promise<number> {
  const marks = names.map(() => '?').join(',');
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM communities WHERE name IN (${marks})`)
    .bind(...names)
    .first<{ n: number }>();
  return row!.n;
}

/** A resident who joined through the chat (the same path residents take). */
async function joined(communityId: string, displayName: string | null = null, code?: string): Promise<string> {
  code ??= (await newInvite(communityId)).code;
  const u = await resident();
  await say(u, events.text(u, '町内会'), events.text(u, code), events.postback(u, 'action=community&cmd=yes'));
  await say(u, displayName === null ? events.postback(u, 'action=community&cmd=skip') : events.text(u, displayName));
  return u;
}

describe('the registry', () => {
  it('creates a federation and a unit in it; a federation has no parent; a unit’s parent must be a federation', async () => {
    const fed = await newCommunity('federation', { district: '岡山中央' });
    expect(fed).toMatchObject({ kind: 'federation', parentId: null, district: '岡山中央' });
    const unit = await newCommunity('unit', { parentId: fed.id });
    expect(unit.parentId).toBe(fed.id);
    const bad = (body: Json) => api('/communities', { method: 'POST', body });
    expect(await problemOf(await bad({ name: 'x', kind: 'federation', parentId: fed.id }), 400)).toContain('parentId');
    expect(await problemOf(await bad({ name: 'x', kind: 'unit', parentId: unit.id }), 400)).toContain('federation');
    expect(await problemOf(await bad({ name: 'x', kind: 'unit', parentId: 'nope' }), 400)).toContain('parentId');
    expect(await problemOf(await bad({ name: 'x', kind: 'club' }), 400)).toContain('kind');
    const created = await auditRows('community.create', unit.id);
    expect(created).toHaveLength(1);
  });

  it('PATCH moves a unit, refuses a federation a parent, and is audited', async () => {
    const { federation, a } = await federationWithUnits();
    const other = await newCommunity('federation');
    const moved = await api(`/communities/${a.id}`, { method: 'PATCH', body: { parentId: other.id } });
    expect((await moved.json<Json>()).parentId).toBe(other.id);
    await problemOf(await api(`/communities/${federation.id}`, { method: 'PATCH', body: { parentId: other.id } }), 400);
    expect(await auditRows('community.update', a.id)).toHaveLength(1);
    await problemOf(await api(`/communities/${crypto.randomUUID()}`), 404);
  });
});

describe('bulk import', () => {
  it('imports a JSON array with parents by name (in the same import) and by id', async () => {
    const existing = await newCommunity('federation');
    const fed = uniqueName('連合');
    const rows = [
      { name: uniqueName('町内会'), kind: 'unit', parent: fed },
      { name: fed, kind: 'federation', district: '石井' },
      { name: uniqueName('町内会'), kind: 'unit', parent: existing.id },
      { name: uniqueName('町内会'), kind: 'unit', parent: existing.name },
    ];
    const res = await api('/communities/import', { method: 'POST', body: rows });
    expect(res.status, await res.clone().text()).toBe(201);
    const { count, items } = await res.json<{ count: number; items: Json[] }>();
    expect(count).toBe(4);
    const fedId = items.find((i) => i.name === fed)!.id;
    expect(items[0]!.parentId).toBe(fedId);
    expect(items[2]!.parentId).toBe(existing.id);
    expect(items[3]!.parentId).toBe(existing.id);
    expect(await countByName(...rows.map((r) => r.name))).toBe(4);
  });

  it('imports more rows than one D1 statement binds (a federation with 40 units)', async () => {
    const fed = uniqueName('連合');
    const rows = [
      { name: fed, kind: 'federation' },
      ...Array.from({ length: 40 }, (_, i) => ({ name: uniqueName(`町内会${i}`), kind: 'unit', parent: fed })),
    ];
    const res = await api('/communities/import', { method: 'POST', body: rows });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await countByName(...rows.slice(0, 60).map((r) => r.name))).toBe(41);
    const { items } = await res.json<{ items: Json[] }>();
    const { token } = await leader(items[0]!.id);
    const led = await (await api('/communities', { token })).json<{ items: Json[] }>();
    expect(led.items).toHaveLength(41);
  });

  it('imports CSV (quoted fields, CRLF, a BOM)', async () => {
    const fed = uniqueName('連合');
    const unit = uniqueName('町内会');
    const csv = `\uFEFFname,kind,parent,district\r\n"${fed}",federation,,"岡山, 中央"\r\n${unit},unit,${fed},\r\n`;
    const res = await api('/communities/import', {
      method: 'POST',
      rawBody: csv,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { items } = await res.json<{ items: Json[] }>();
    expect(items[0]).toMatchObject({ name: fed, district: '岡山, 中央', kind: 'federation' });
    expect(items[1]!.parentId).toBe(items[0]!.id);
  });

  it.each([
    [
      [
        { name: 'a', kind: 'unit' },
        { name: 'b', kind: 'unit' },
        { name: 'c', kind: 'town' },
      ],
      'rows[2].kind',
    ],
    [[{ name: '', kind: 'unit' }], 'rows[0].name'],
    [[{ name: 'a', kind: 'federation', parent: 'x' }], 'rows[0].parent'],
    [[{ name: 'a', kind: 'unit', parent: 'no such federation' }], 'rows[0].parent'],
    [[{ name: 'a', kind: 'unit', colour: 'red' }], 'rows[0].colour'],
  ])('a bad JSON row is a 400 naming it, and nothing is stored: %j', async (template, named) => {
    const rows = template.map((r) => (r.name ? { ...r, name: uniqueName(r.name) } : r));
    const detail = await problemOf(await api('/communities/import', { method: 'POST', body: rows }), 400);
    expect(detail).toContain(named);
    expect(await countByName(...rows.map((r) => r.name).filter(Boolean))).toBe(0);
  });

  it('a bad CSV line is a 400 naming the line (the header is line 1), and nothing is stored', async () => {
    const a = uniqueName('町内会');
    const b = uniqueName('町内会');
    const csv = `name,kind,parent,district\n${a},unit,,\n${b},village,,\n`;
    const detail = await problemOf(
      await api('/communities/import', { method: 'POST', rawBody: csv, headers: { 'content-type': 'text/csv' } }),
      400,
    );
    expect(detail).toMatch(/^line 3: kind/);
    expect(await countByName(a, b)).toBe(0);
  });

  it('is for admins only', async () => {
    const fed = await newCommunity('federation');
    const { token } = await leader(fed.id);
    await problemOf(await api('/communities/import', { method: 'POST', body: [], token }), 403);
  });
});

describe('invite codes', () => {
  it('201 {id, code, expiresAt, maxUses}: defaults no expiry and unlimited; only the hash is stored', async () => {
    const unit = await newCommunity('unit');
    const res = await api(`/communities/${unit.id}/invites`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const invite = await res.json<Json>();
    expect(Object.keys(invite).sort()).toEqual(['code', 'expiresAt', 'id', 'maxUses']);
    expect(invite.code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
    expect(readAccessCode(invite.code)).toBe(invite.code);
    expect(invite).toMatchObject({ expiresAt: null, maxUses: null });
    const row = await env.DB.prepare('SELECT * FROM community_invites WHERE id = ?').bind(invite.id).first<Json>();
    expect(row!.code_hash).toBe(await hashAccessCode(invite.code));
    expect(JSON.stringify(row)).not.toContain(invite.code);
    const audit = await auditRows('community.invite.create', unit.id);
    expect(JSON.stringify(audit)).not.toContain(invite.code);
  });

  it('an expiresAt in the past is a 400; a future one and maxUses are kept', async () => {
    const unit = await newCommunity('unit');
    const past = new Date(Date.now() - 1000).toISOString();
    expect(
      await problemOf(await api(`/communities/${unit.id}/invites`, { method: 'POST', body: { expiresAt: past } }), 400),
    ).toContain('expiresAt');
    const future = '2099-01-01T09:00:00+09:00';
    const invite = await newInvite(unit.id, { expiresAt: future, maxUses: 30 });
    expect(Date.parse(invite.expiresAt!)).toBe(Date.parse(future));
    expect(invite.maxUses).toBe(30);
  });

  it('the list shows uses left, never the code; DELETE revokes at once', async () => {
    const unit = await newCommunity('unit');
    const invite = await newInvite(unit.id, { maxUses: 3 });
    await joined(unit.id, null, invite.code);
    const list = await (await api(`/communities/${unit.id}/invites`)).json<{ items: Json[] }>();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ id: invite.id, uses: 1, usesLeft: 2, state: 'usable', revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(invite.code);
    expect((await api(`/communities/${unit.id}/invites/${invite.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/communities/${unit.id}/invites/${invite.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await auditRows('community.invite.revoke', unit.id)).toHaveLength(1);
    const after = await (await api(`/communities/${unit.id}/invites`)).json<{ items: Json[] }>();
    expect(after.items[0]!.state).toBe('revoked');
    // The very next resident is refused.
    const u = await resident();
    await say(u, events.text(u, '町内会'), events.text(u, invite.code));
    const rows = await env.DB.prepare('SELECT * FROM community_members WHERE line_user_id = ?').bind(u).all();
    expect(rows.results).toHaveLength(0);
    // Another association's invite id is 404 here.
    const other = await newCommunity('unit');
    const foreign = await newInvite(other.id);
    await problemOf(await api(`/communities/${unit.id}/invites/${foreign.id}`, { method: 'DELETE' }), 404);
  });
});

describe('members', () => {
  it('{count, items: [{displayName, joinedAt}]} of members who still follow; never a LINE ID; every read audited', async () => {
    const unit = await newCommunity('unit');
    const named = await joined(unit.id, '3班 山田');
    const skipped = await joined(unit.id);
    const gone = await joined(unit.id, '転出予定');
    await say(gone, events.unfollow(gone));
    const before = (await auditRows('community.members.read', unit.id)).length;
    const res = await api(`/communities/${unit.id}/members`);
    const text = await res.text();
    for (const u of [named, skipped, gone]) expect(text).not.toContain(u);
    expect(text).not.toMatch(/U[0-9a-f]{32}/);
    const body = JSON.parse(text);
    expect(body.count).toBe(2);
    expect(body.items.map((i: Json) => i.displayName)).toEqual(['3班 山田', null]);
    expect(Object.keys(body.items[0]).sort()).toEqual(['displayName', 'joinedAt']);
    await members(unit.id);
    const reads = await auditRows('community.members.read', unit.id);
    expect(reads.length - before).toBe(2);
    expect(JSON.stringify(reads)).not.toMatch(/U[0-9a-f]{32}/);
  });
});

describe('the scope matrix', () => {
  const routes = (id: string) => [
    { method: 'GET', path: `/communities/${id}` },
    { method: 'POST', path: `/communities/${id}/invites` },
    { method: 'GET', path: `/communities/${id}/invites` },
    { method: 'GET', path: `/communities/${id}/members` },
  ];

  async function may(token: string, id: string): Promise<number[]> {
    const out: number[] = [];
    for (const r of routes(id)) out.push((await api(r.path, { method: r.method, token })).status);
    return out;
  }

  it('a unit leader: their unit, not another unit nor their federation', async () => {
    const { federation, a, b } = await federationWithUnits();
    const { token } = await leader(a.id);
    expect(await may(token, a.id)).toEqual([200, 201, 200, 200]);
    expect(await may(token, b.id)).toEqual([403, 403, 403, 403]);
    expect(await may(token, federation.id)).toEqual([403, 403, 403, 403]);
    // An unknown id answers 403 too, so a leader cannot probe which ids exist.
    expect(await may(token, crypto.randomUUID())).toEqual([403, 403, 403, 403]);
    const { items } = await (await api('/communities', { token })).json<{ items: Json[] }>();
    expect(items.map((i) => i.id)).toEqual([a.id]);
    // Revoking another unit's invite is refused.
    const invite = await newInvite(b.id);
    await problemOf(await api(`/communities/${b.id}/invites/${invite.id}`, { method: 'DELETE', token }), 403);
  });

  it('a federation leader: the federation and each of its units, not another federation’s', async () => {
    const { federation, a, b } = await federationWithUnits();
    const other = await federationWithUnits();
    const { token } = await leader(federation.id);
    for (const id of [federation.id, a.id, b.id]) expect(await may(token, id)).toEqual([200, 201, 200, 200]);
    for (const id of [other.federation.id, other.a.id]) expect(await may(token, id)).toEqual([403, 403, 403, 403]);
    const { items } = await (await api('/communities', { token })).json<{ items: Json[] }>();
    expect(items.map((i) => i.id).sort()).toEqual([federation.id, a.id, b.id].sort());
    const invite = await newInvite(a.id, {}, token);
    expect((await api(`/communities/${a.id}/invites/${invite.id}`, { method: 'DELETE', token })).status).toBe(204);
  });

  it('leaders cannot register, change or import; other staff cannot use the community routes', async () => {
    const { federation, a } = await federationWithUnits();
    const { token } = await leader(federation.id);
    await problemOf(await api('/communities', { method: 'POST', body: { name: 'x', kind: 'unit' }, token }), 403);
    await problemOf(await api(`/communities/${a.id}`, { method: 'PATCH', body: { name: 'y' }, token }), 403);
    const broadcaster = await newStaff(['broadcaster']);
    expect(await may(broadcaster.token, a.id)).toEqual([403, 403, 403, 403]);
    await problemOf(await api('/communities', { token: broadcaster.token }), 403);
  });

  it('a suspended leader gets 403 everywhere until the suspension is lifted; both are audited', async () => {
    const unit = await newCommunity('unit');
    const s = await leader(unit.id);
    expect(await may(s.token, unit.id)).toEqual([200, 201, 200, 200]);
    const suspended = await api(`/staff/${s.id}`, { method: 'PATCH', body: { suspended: true } });
    expect(suspended.status).toBe(200);
    expect((await suspended.json<Json>()).suspendedAt).toEqual(expect.any(String));
    expect(await may(s.token, unit.id)).toEqual([403, 403, 403, 403]);
    await problemOf(await api('/communities', { token: s.token }), 403);
    const lifted = await api(`/staff/${s.id}`, { method: 'PATCH', body: { suspended: false } });
    expect((await lifted.json<Json>()).suspendedAt).toBeNull();
    expect(await may(s.token, unit.id)).toEqual([200, 201, 200, 200]);
    expect((await auditRows('staff.suspend', s.id)).length).toBe(1);
    expect((await auditRows('staff.unsuspend', s.id)).length).toBe(1);
  });

  it('suspension cancels the leader’s broadcasts not yet sent (draft, pending, scheduled), audited; others stay', async () => {
    const unit = await newCommunity('unit');
    const s = await leader(unit.id);
    const colleague = await newStaff(['broadcaster']);
    const insert = (id: string, status: string, by: string) =>
      env.DB.prepare(
        `INSERT INTO broadcasts (id, title, messages, audience, status, created_by, created_at, updated_by, updated_at)
         VALUES (?, 't', '[]', '{"type":"all"}', ?, ?, 0, ?, 0)`,
      )
        .bind(id, status, by, by)
        .run();
    const ids = Object.fromEntries(
      ['draft', 'pending_approval', 'scheduled', 'sent'].map((st) => [st, crypto.randomUUID()]),
    );
    for (const [st, id] of Object.entries(ids)) await insert(id, st, s.id);
    const theirs = crypto.randomUUID();
    await insert(theirs, 'scheduled', colleague.id);
    expect((await api(`/staff/${s.id}`, { method: 'PATCH', body: { suspended: true } })).status).toBe(200);
    const status = async (id: string) =>
      (await env.DB.prepare('SELECT status, cancelled_by FROM broadcasts WHERE id = ?').bind(id).first<Json>())!;
    for (const st of ['draft', 'pending_approval', 'scheduled'])
      expect(await status(ids[st]!)).toEqual({ status: 'cancelled', cancelled_by: 'bootstrap' });
    expect((await status(ids.sent!)).status).toBe('sent');
    expect((await status(theirs)).status).toBe('scheduled');
    for (const st of ['draft', 'pending_approval', 'scheduled'])
      expect(await auditRows('broadcast.cancel', ids[st])).toHaveLength(1);
  });

  it('the staff API creates a community_leader only with scopes.communities', async () => {
    const unit = await newCommunity('unit');
    const missing = await api('/staff', { method: 'POST', body: { name: 'x', roles: ['community_leader'] } });
    expect(await problemOf(missing, 400)).toContain('scopes.communities');
    const ok = await api('/staff', {
      method: 'POST',
      body: { name: 'x', roles: ['community_leader'], scopes: { communities: [unit.id] } },
    });
    expect(ok.status).toBe(201);
  });
});

describe('personal data', () => {
  it('no community answer or audit row carries a LINE user ID', async () => {
    const unit = await newCommunity('unit');
    const u = await joined(unit.id, '鈴木');
    for (const path of [
      `/communities/${unit.id}`,
      `/communities/${unit.id}/invites`,
      `/communities/${unit.id}/members`,
    ])
      expect(await (await api(path)).text()).not.toContain(u);
    const { results } = await env.DB.prepare("SELECT * FROM audit_log WHERE action LIKE 'community.%'").all();
    expect(JSON.stringify(results)).not.toContain(u);
  });
});
