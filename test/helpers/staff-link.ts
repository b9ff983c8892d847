import { expect } from 'vitest';
import { api } from './api';
import { newUserId, events, say } from './line';

/** A fresh link code for the staff member with `token`. */
export async function linkCode(token: string): Promise<{ code: string; expiresAt: string }> {
  const res = await api('/staff/me/link-code', { token, method: 'POST' });
  expect(res.status).toBe(201);
  return res.json();
}

/** The staff member's linked LINE accounts, as they see them. */
export async function linkedAccounts(token: string): Promise<{ handle: string; linkedAt: string }[]> {
  const res = await api('/staff/me/line-users', { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { handle: string; linkedAt: string }[] }).items;
}

/**
 * Links a LINE account to the staff member the way staff do it: a link code from the API,
 * then 「職員 <code>」 sent to the bot from that LINE account. Returns the account and its handle.
 */
export async function linkLine(token: string, userId = newUserId()): Promise<{ userId: string; handle: string }> {
  const before = new Set((await linkedAccounts(token)).map((a) => a.handle));
  const { code } = await linkCode(token);
  await say(userId, events.text(userId, `職員 ${code}`));
  const added = (await linkedAccounts(token)).filter((a) => !before.has(a.handle));
  expect(added).toHaveLength(1);
  return { userId, handle: added[0]!.handle };
}
