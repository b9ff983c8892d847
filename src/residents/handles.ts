import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import { hex } from '../http/digest';

/**
 * Resident handles (`res_` + 24 random hex digits): how staff name a resident. Random, not
 * derived from the LINE user ID, so a handle tells nothing outside this system and no list
 * of LINE IDs can be matched against handles.
 */

export const HANDLE = /^res_[0-9a-f]{24}$/;

export function newHandle(): string {
  return `res_${hex(crypto.getRandomValues(new Uint8Array(12)))}`;
}

/** The resident's handle, drawn now if their row has none (rows made before handles, or by raw SQL). */
export async function handleOf(d: Db, lineUserId: string): Promise<string | null> {
  const row = await d.select({ handle: users.handle }).from(users).where(eq(users.lineUserId, lineUserId)).get();
  if (!row) return null;
  if (row.handle) return row.handle;
  const handle = newHandle();
  await d
    .update(users)
    .set({ handle })
    .where(and(eq(users.lineUserId, lineUserId), isNull(users.handle)));
  // Two readers at once: whichever handle landed first is the resident's.
  const after = await d.select({ handle: users.handle }).from(users).where(eq(users.lineUserId, lineUserId)).get();
  return after?.handle ?? null;
}

/** The LINE user ID behind a handle, or null: an unknown or retired handle resolves to nothing. */
export async function lineUserIdOf(d: Db, handle: string): Promise<string | null> {
  if (!HANDLE.test(handle)) return null;
  const row = await d.select({ id: users.lineUserId }).from(users).where(eq(users.handle, handle)).get();
  return row?.id ?? null;
}
