import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { AUDIT_EXPORT_CAP } from '../src/admin/audit-routes';
import { db } from '../src/db/client';
import { handleOf } from '../src/residents/handles';
import { api, newStaff } from './helpers/api';
import { jpegWithGps } from './helpers/images';
import { resident, storedReport } from './helpers/reports';

/** 6. The audit log: CSV export, the resident filter, and no way for any route to change or delete a row. */

type Json = Record<string, any>;

async function snapshot(): Promise<Json[]> {
  return (await env.DB.prepare('SELECT * FROM audit_log ORDER BY id').all<Json>()).results;
}

describe('GET /audit?format=csv and ?resident=', () => {
  it('answers UTF-8 CSV with a BOM and a header row, with the same filters, and the export is audited', async () => {
    const u = await resident();
    const h = (await handleOf(db(env.DB), u))!;
    const r = await storedReport(u);
    const reader = await newStaff(['report_manager']);
    await api(`/reports/${r.id}`, { token: reader.token });
    await api(`/residents/${h}/restrictions`, { method: 'POST', body: { scope: 'reports', reason: 'x' } });
    // Someone else's data: not in this resident's answer.
    const other = await storedReport(await resident());
    await api(`/reports/${other.id}`, { token: reader.token });

    const json = (await (await api(`/audit?resident=${h}`)).json()) as any;
    expect(json.items.map((e: any) => e.action).sort()).toEqual(['report.read', 'resident.restrict']);
    expect(json.items.find((e: any) => e.action === 'report.read')).toMatchObject({
      staffId: reader.id,
      targetId: r.id,
    });

    const res = await api(`/audit?format=csv&resident=${h}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder()
      .decode(bytes)
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('id,at,staffId,staffName,action,targetType,targetId,detail');
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(',report.read,report,') && l.includes(r.id))).toBe(true);
    expect(lines.join('\n')).not.toContain(u);
    const exported = await env.DB.prepare(
      `SELECT detail FROM audit_log WHERE action = 'audit.export' ORDER BY id DESC LIMIT 1`,
    ).first<{ detail: string }>();
    expect(JSON.parse(exported!.detail)).toMatchObject({ residentFilter: h, format: 'csv', count: 2 });
    expect((await api('/audit?resident=U1234')).status).toBe(400);
  });

  it('exports at most 10,000 rows, newest first', async () => {
    const action = `test.bulk.${crypto.randomUUID().slice(0, 8)}`;
    await env.DB.prepare(
      `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
       INSERT INTO audit_log (at, staff_id, action, target_type, target_id) SELECT x, 'bulk', ?, 'test', 't' || x FROM n`,
    )
      .bind(AUDIT_EXPORT_CAP + 5, action)
      .run();
    const text = await (await api(`/audit?format=csv&action=${action}`)).text();
    const lines = text.trimEnd().split('\r\n');
    expect(AUDIT_EXPORT_CAP).toBe(10_000);
    expect(lines).toHaveLength(1 + AUDIT_EXPORT_CAP);
    expect(lines[1]).toContain(`,t${AUDIT_EXPORT_CAP + 5},`);
  });
});

describe('audit_log is append-only', () => {
  it('no PATCH, PUT or DELETE under /api/v1/audit', async () => {
    const [row] = await snapshot();
    for (const method of ['PATCH', 'PUT', 'DELETE'])
      for (const path of ['/audit', `/audit/${row?.id ?? 1}`]) {
        const res = await api(path, { method, body: {} });
        expect([404, 405], `${method} ${path}`).toContain(res.status);
      }
  });

  it('every operation of the API, called with real records, leaves every earlier row as it was', async () => {
    const doc = (await (await exports.default.fetch('https://bot.example.jp/api/v1/openapi.json')).json()) as Json;
    const u = await resident();
    const handle = (await handleOf(db(env.DB), u))!;
    const report = await storedReport(u, { photos: [jpegWithGps()] });
    const created = await api('/broadcasts', {
      method: 'POST',
      body: { title: 't', messages: [{ type: 'text', text: 'x' }], audience: { type: 'all' }, draft: true },
    });
    const broadcast = ((await created.json()) as Json).id as string;
    const restriction = (
      (await (
        await api(`/residents/${handle}/restrictions`, { method: 'POST', body: { scope: 'reports', reason: 'x' } })
      ).json()) as Json
    ).id as string;
    const staff = await newStaff(['broadcaster']);
    const values = (path: string): Record<string, string> => ({
      id: path.startsWith('/reports')
        ? report.id
        : path.startsWith('/broadcasts')
          ? broadcast
          : path.startsWith('/residents')
            ? restriction
            : path.startsWith('/staff')
              ? staff.id
              : crypto.randomUUID(),
      photoId: report.photoIds[0]!,
      handle,
      code: 'road-other',
      date: '2031-12-30',
    });
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(0);
    const called: string[] = [];
    for (const [template, item] of Object.entries<Json>(doc.paths)) {
      const v = values(template);
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => v[name] ?? 'x');
      for (const method of Object.keys(item)) {
        const write = method !== 'get';
        const res = await api(path, { method: method.toUpperCase(), body: write ? {} : undefined });
        await res.arrayBuffer();
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
        called.push(`${method} ${template}`);
      }
    }
    expect(called.length).toBeGreaterThan(30);
    expect(called).toContain('delete /residents/{handle}/restrictions/{id}');
    const after = await snapshot();
    const byId = new Map(after.map((r) => [r.id, r]));
    for (const row of before) expect(byId.get(row.id), `audit row ${row.id}`).toEqual(row);
    expect(after.length).toBeGreaterThan(before.length);
  });
});
