import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { api, newStaff } from './api';

type Json = Record<string, any>;

/** Names no other test uses (storage is shared by the tests of one file). */
export const uniqueName = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** Registers an association as the bootstrap admin and returns its answer. */
export async function newCommunity(
  kind: 'federation' | 'unit',
  o: { name?: string; parentId?: string; district?: string } = {},
): Promise<Json> {
  const res = await api('/communities', {
    method: 'POST',
    body: { name: o.name ?? uniqueName(kind === 'federation' ? '連合町内会' : '町内会'), kind, ...o },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

/** A federation with two units. */
export async function federationWithUnits() {
  const federation = await newCommunity('federation');
  const a = await newCommunity('unit', { parentId: federation.id });
  const b = await newCommunity('unit', { parentId: federation.id });
  return { federation, a, b };
}

export function leader(...communityIds: string[]) {
  return newStaff(['community_leader'], { communities: communityIds });
}

/** Issues an invite code (as the bootstrap admin unless a token is given). */
export async function newInvite(
  communityId: string,
  body: Json = {},
  token?: string,
): Promise<{ id: string; code: string; expiresAt: string | null; maxUses: number | null }> {
  const res = await api(`/communities/${communityId}/invites`, { method: 'POST', body, token });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

export async function members(communityId: string, token?: string): Promise<{ count: number; items: Json[] }> {
  const res = await api(`/communities/${communityId}/members`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** The stored membership rows of one resident. */
export async function membershipRows(lineUserId: string) {
  const { results } = await env.DB.prepare('SELECT * FROM community_members WHERE line_user_id = ?')
    .bind(lineUserId)
    .all<Json>();
  return results;
}

export async function auditRows(action: string, targetId?: string) {
  const { results } = await env.DB.prepare(
    'SELECT * FROM audit_log WHERE action = ? AND (? IS NULL OR target_id = ?) ORDER BY id',
  )
    .bind(action, targetId ?? null, targetId ?? null)
    .all<Json>();
  return results;
}
