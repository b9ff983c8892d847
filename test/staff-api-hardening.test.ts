import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, newStaff } from './helpers/api';
import { newUserId } from './helpers/line';
import { storedReport } from './helpers/reports';

/** Issue 8 (hardening) of the staff API: what clerks and their tools met, each with its fix. */

type Json = Record<string, any>;
const read = async (path: string, token?: string) => {
  const res = await api(path, { token });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json<Json>();
};

describe('a report by its receipt number', () => {
  it('GET /reports/R-2026-000001 answers like GET by id, audited under the id; an unknown number is 404', async () => {
    const { id: staffId, token } = await newStaff(['report_manager']);
    const r = await storedReport(newUserId());
    const byNumber = await read(`/reports/${r.number}`, token);
    expect(byNumber).toEqual(await read(`/reports/${r.id}`, token));
    const { results } = await env.DB.prepare(
      "SELECT target_id FROM audit_log WHERE action = 'report.read' AND staff_id = ?",
    )
      .bind(staffId)
      .all<{ target_id: string }>();
    expect(results.map((x) => x.target_id)).toEqual([r.id, r.id]);
    expect((await api('/reports/R-1999-999999', { token })).status).toBe(404);
    expect((await api('/reports/R-2026-12', { token })).status).toBe(400);
  });
});

describe('date filters take a JST day', () => {
  it('reports: from=2026-12-01 starts at 00:00 JST, to=2026-12-01 ends at 24:00 JST', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const at = (local: string) => Date.parse(`${local}+09:00`);
    const made: Record<string, string> = {};
    for (const local of ['2026-11-30T23:59:59', '2026-12-01T00:00:00', '2026-12-01T23:59:59', '2026-12-02T00:00:00'])
      made[local] = (await storedReport(newUserId(), { description: `穴 ${tag}`, at: at(local) })).number;
    const numbers = async (query: string) =>
      ((await read(`/reports?q=${tag}&sort=oldest&${query}`)).items as Json[]).map((r) => r.number);
    expect(await numbers('from=2026-12-01&to=2026-12-01')).toEqual([
      made['2026-12-01T00:00:00'],
      made['2026-12-01T23:59:59'],
    ]);
    expect(await numbers('from=2026-12-02')).toEqual([made['2026-12-02T00:00:00']]);
    expect(await numbers('to=2026-11-30')).toEqual([made['2026-11-30T23:59:59']]);
    expect((await api('/reports?from=2026-13-01')).status).toBe(400);
  });

  it('audit: since and until take a JST day, both inclusive', async () => {
    const { id } = await newStaff(['report_manager']);
    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() + 9 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
    const ids = async (query: string) =>
      ((await read(`/audit?action=staff.create&${query}`)).items as Json[]).map((e) => e.targetId);
    expect(await ids(`since=${today}&until=${today}`)).toContain(id);
    expect(await ids(`until=${yesterday}`)).not.toContain(id);
  });
});

describe('personal-data answers are never cached', () => {
  it('GET /reports/:id, the CSV, the GeoJSON, the audit log and the staff list carry Cache-Control: no-store', async () => {
    const r = await storedReport(newUserId());
    for (const path of [`/reports/${r.id}`, '/reports.csv', '/reports.geojson', '/audit', '/staff', '/reports']) {
      const res = await api(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });
});

describe('errors that help', () => {
  it('415 says which content type to send', async () => {
    const res = await api('/staff', { method: 'POST', rawBody: '{}', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect((await res.json<{ detail: string }>()).detail).toContain('Content-Type: application/json');
  });

  it.each([
    ['a lowercase scheme', (t: string) => `bearer ${t}`],
    ['an uppercase scheme', (t: string) => `BEARER ${t}`],
    ['surrounding spaces', (t: string) => `  Bearer ${t}  `],
    ['two spaces after the scheme', (t: string) => `Bearer  ${t}`],
  ])('Authorization with %s works', async (_label, header) => {
    const { id, token } = await newStaff(['report_manager']);
    const res = await api('/staff/me', { token: null, headers: { authorization: header(token) } });
    expect(res.status).toBe(200);
    expect((await res.json<{ id: string }>()).id).toBe(id);
  });

  it('an empty q= means no filter', async () => {
    const r = await storedReport(newUserId());
    const res = await api(`/reports?q=&limit=200&sort=newest`);
    expect(res.status).toBe(200);
    expect(((await res.json<Json>()).items as Json[]).map((x) => x.id)).toContain(r.id);
  });

  it('a bbox with min > max is a 400 naming the field and the value', async () => {
    for (const bbox of ['133.94,34.64,133.90,34.68', '133.90,34.68,133.94,34.64']) {
      const res = await api(`/reports?bbox=${bbox}`);
      expect(res.status).toBe(400);
      const p = await res.json<{ detail: string; errors: { field: string }[] }>();
      expect(p.errors.map((e) => e.field)).toEqual(['bbox']);
      expect(p.detail).toContain(`bbox: ${bbox}`);
    }
  });
});

describe('a segment names only configured wards and interests', () => {
  it.each([
    ['audience.wards', { type: 'segment', wards: ['北区', '西区'] }, '西区'],
    ['audience.interests', { type: 'segment', interests: ['防災', 'skiing'] }, 'skiing'],
  ])(
    '%s: an unknown value is a 400 naming the field and the value, on create and on PATCH',
    async (field, audience, value) => {
      const body = { title: 't', messages: [{ type: 'text', text: 'x' }], draft: true };
      const created = await api('/broadcasts', { method: 'POST', body: { ...body, audience: { type: 'all' } } });
      const { id } = await created.json<{ id: string }>();
      for (const res of [
        await api('/broadcasts', { method: 'POST', body: { ...body, audience } }),
        await api(`/broadcasts/${id}`, { method: 'PATCH', body: { audience } }),
      ]) {
        expect(res.status).toBe(400);
        expect((await res.json<{ detail: string }>()).detail).toMatch(
          new RegExp(`^${field.replace('.', '\\.')}: ${value} `),
        );
      }
    },
  );
});
