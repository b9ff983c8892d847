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
