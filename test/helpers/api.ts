import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';

const BASE = 'https://bot.example.jp/api/v1';
/** ADMIN_BOOTSTRAP_TOKEN as vitest.config.ts gives it to the worker: it acts as an admin. */
export const BOOTSTRAP = 'test-bootstrap-token';

export interface ApiInit {
  /** A staff token; the bootstrap token when left out; no Authorization header at all when null. */
  token?: string | null;
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, with whatever content type `headers` gives (none by default). */
  rawBody?: string;
  /** Over the ones built from the fields above, e.g. a malformed Authorization header. */
  headers?: Record<string, string>;
}

/** Calls the staff API; `path` is what follows `/api/v1`. */
export function api(path: string, init: ApiInit = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? BOOTSTRAP}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return exports.default.fetch(`${BASE}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...headers, ...init.headers },
    body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
}

/** A new staff member, created with the bootstrap token. */
export async function newStaff(
  roles: string[],
  scopes: Record<string, string[]> = {},
): Promise<{ id: string; token: string }> {
  const res = await api('/staff', { method: 'POST', body: { name: `staff-${crypto.randomUUID()}`, roles, scopes } });
  expect(res.status).toBe(201);
  return res.json();
}
