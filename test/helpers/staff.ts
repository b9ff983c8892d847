import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { storeDraftPhoto, submitReport, type NewReport } from '../../src/reports/service';
import { db } from '../../src/db/client';
import { spot } from './reports';

const BASE = 'https://bot.example.jp';
export const BOOTSTRAP = 'test-bootstrap-token';

export function call(path: string, init: { token?: string | null; method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? BOOTSTRAP}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return exports.default.fetch(`${BASE}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

export async function newStaff(roles: string[], scopes: Record<string, string[]> = {}) {
  const res = await call('/api/v1/staff', {
    method: 'POST',
    body: { name: `reports-${crypto.randomUUID()}`, roles, scopes },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; token: string };
}

/** A stored report, as the conversation would store it (same service function), with optional photos. */
export async function storedReport(
  reporter: string,
  over: Partial<NewReport> & { photos?: Uint8Array[]; at?: number } = {},
) {
  const p = spot();
  const d = db(env.DB);
  const photoIds: string[] = [];
  for (const [i, bytes] of (over.photos ?? []).entries())
    photoIds.push(await storeDraftPhoto(env, d, reporter, bytes, i, Date.now()));
  const r = await submitReport(
    env,
    {
      id: crypto.randomUUID(),
      categoryCode: 'road',
      subtypeCode: 'road-pothole',
      departmentId: 'road',
      lat: p.lat,
      lng: p.lng,
      address: '岡山市北区大供1丁目',
      description: '歩道に穴があります',
      reporterLineUserId: reporter,
      photoIds,
      ...over,
    },
    over.at ?? Date.now(),
  );
  return { ...r, photoIds };
}
