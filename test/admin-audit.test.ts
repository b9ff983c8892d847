import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { audit } from '../src/admin/audit';
import { db } from '../src/db/client';
import { api, newStaff } from './helpers/api';

async function get(query: Record<string, string | number>) {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  return api(`/audit?${qs}`);
}

interface Entry {
  id: number;
  at: string;
  staffId: string;
  action: string;
  targetType: string;
  targetId: string | null;
  detail: Record<string, unknown> | null;
}
interface Page {
  items: Entry[];
  nextCursor: string | null;
}

/** Rows at chosen times for a staff id no other test uses. */
async function seed(ats: number[], action = 'report.read') {
  const staffId = `staff-${crypto.randomUUID()}`;
  for (const [i, at] of ats.entries()) {
    await env.DB.prepare('INSERT INTO audit_log (at, staff_id, action, target_type, target_id) VALUES (?, ?, ?, ?, ?)')
      .bind(at, staffId, action, 'report', `R-${i}`)
      .run();
  }
  return staffId;
}

const T = Date.UTC(2026, 11, 1, 0, 0, 0); // 2026-12-01T00:00:00Z

describe('audit()', () => {
  it('writes one row with who, what, which record, when (UTC ms) and detail', async () => {
    const staffId = `staff-${crypto.randomUUID()}`;
    const before = Date.now();
    await audit(db(env.DB), { id: staffId }, 'report.read', 'report', 'R-2026-000123', { fields: ['photo'] });
    const row = await env.DB.prepare('SELECT * FROM audit_log WHERE staff_id = ?')
      .bind(staffId)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ action: 'report.read', target_type: 'report', target_id: 'R-2026-000123' });
    expect(row?.at).toBeGreaterThanOrEqual(before);
    expect(row?.at).toBeLessThanOrEqual(Date.now());
    expect(JSON.parse(row?.detail as string)).toEqual({ fields: ['photo'] });

    const page = (await (await get({ staffId })).json()) as Page;
    expect(page.items).toEqual([
      {
        id: expect.any(Number),
        at: new Date(row!.at as number).toISOString(),
        staffId,
        staffName: null,
        action: 'report.read',
        targetType: 'report',
        targetId: 'R-2026-000123',
        detail: { fields: ['photo'] },
      },
    ]);
  });
});

describe('GET /audit', () => {
  it('filters by staffId and lists newest first, ties broken by id', async () => {
    const staffId = await seed([T + 1000, T + 3000, T + 2000, T + 3000]);
    await seed([T + 5000]); // someone else's row, never in this answer
    const page = (await (await get({ staffId })).json()) as Page;
    expect(page.items.map((e) => e.targetId)).toEqual(['R-3', 'R-1', 'R-2', 'R-0']);
    expect(page.items.every((e) => e.staffId === staffId)).toBe(true);
    expect(page.nextCursor).toBeNull();
  });

  it('pages with a cursor without skipping or repeating rows, even within one millisecond', async () => {
    const staffId = await seed([T, T + 1, T + 1, T + 1, T + 2]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string | number> = { staffId, limit: 2 };
      if (cursor) query.cursor = cursor;
      const res = await get(query);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.targetId!));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['R-4', 'R-3', 'R-2', 'R-1', 'R-0']);
  });

  it('filters by action', async () => {
    const staffId = await seed([T, T + 1]);
    await env.DB.prepare('INSERT INTO audit_log (at, staff_id, action, target_type) VALUES (?, ?, ?, ?)')
      .bind(T + 2, staffId, 'broadcast.approve', 'broadcast')
      .run();
    const page = (await (await get({ staffId, action: 'broadcast.approve' })).json()) as Page;
    expect(page.items.map((e) => e.action)).toEqual(['broadcast.approve']);
  });

  it('since and until are inclusive and take any offset (JST here)', async () => {
    const staffId = await seed([T - 1, T, T + 60_000, T + 60_001]);
    // 2026-12-01T09:00:00+09:00 is T; 09:01:00+09:00 is T + 60 s.
    const page = (await (
      await get({ staffId, since: '2026-12-01T09:00:00+09:00', until: '2026-12-01T09:01:00+09:00' })
    ).json()) as Page;
    expect(page.items.map((e) => e.at)).toEqual([new Date(T + 60_000).toISOString(), new Date(T).toISOString()]);
  });

  it.each([
    ['a made-up cursor', 'cursor', { cursor: 'abc' }],
    ['limit 0', 'limit', { limit: 0 }],
    ['limit over 200', 'limit', { limit: 201 }],
    ['since that is no date', 'since', { since: 'yesterday' }],
    ['until without a time zone', 'until', { until: '2026-12-01T09:00:00' }],
  ])('%s → 400 naming %s', async (_label, field, query) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain(`${field}: `);
  });

  it('reading the log is itself audited', async () => {
    const staffId = `reader-filter-${crypto.randomUUID()}`;
    expect((await get({ staffId })).status).toBe(200);
    const { results } = await env.DB.prepare(
      "SELECT * FROM audit_log WHERE action = 'audit.list' AND instr(detail, ?) > 0",
    )
      .bind(staffId)
      .all();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ staff_id: 'bootstrap', target_type: 'audit_log' });
  });
});

describe('GET /audit: who and which actions (issue 8, finding 17)', () => {
  it('names the staff member beside the id; the bootstrap token, which has no account, has none', async () => {
    const name = `監査 太郎 ${crypto.randomUUID().slice(0, 8)}`;
    const created = (await (
      await api('/staff', { method: 'POST', body: { name, roles: ['broadcaster'] } })
    ).json()) as {
      id: string;
    };
    await audit(db(env.DB), { id: created.id }, 'report.read', 'report', 'x');
    const mine = (await (await get({ staffId: created.id })).json()) as Page;
    expect(mine.items.map((e) => (e as Entry & { staffName: string | null }).staffName)).toEqual([name]);
    const boot = (await (await get({ staffId: 'bootstrap', limit: 1 })).json()) as Page;
    expect(boot.items).toHaveLength(1);
    expect((boot.items[0] as Entry & { staffName: string | null }).staffName).toBeNull();
  });

  it('an action ending in a dot is a prefix; % and _ in it match only themselves; without the dot it is exact', async () => {
    const { id } = await newStaff(['broadcaster']);
    const d = db(env.DB);
    for (const action of ['broadcast.create', 'broadcast.approve', 'broadcaster.x', 'report.read', 'b%.x', 'bX.y'])
      await audit(d, { id }, action, 'broadcast', null);
    const actions = async (action: string) =>
      ((await (await get({ staffId: id, action })).json()) as Page).items.map((e) => e.action).sort();
    expect(await actions('broadcast.')).toEqual(['broadcast.approve', 'broadcast.create']);
    expect(await actions('broadcast')).toEqual([]);
    expect(await actions('broadcast.create')).toEqual(['broadcast.create']);
    expect(await actions('b%.')).toEqual(['b%.x']);
    expect(await actions('b_.')).toEqual([]);
  });
});
