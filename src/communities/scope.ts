import { inArray } from 'drizzle-orm';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { communities } from '../db/schema';

/**
 * The associations a leader acts for: those in `scopes.communities`, and the units of a
 * federation in it (a federation's leader can do for each of its units all that the unit's
 * leader can). `all` for admins. A suspended leader has lost the `community_leader` role
 * at authentication, so they lead nothing.
 */
export async function ledCommunities(d: Db, by: StaffPrincipal): Promise<Set<string> | 'all'> {
  if (by.roles.includes('admin')) return 'all';
  if (!by.roles.includes('community_leader')) return new Set();
  const own = by.scopes.communities ?? [];
  if (own.length === 0) return new Set();
  const units = await d
    .select({ id: communities.id })
    .from(communities)
    .where(inArray(communities.parentId, own))
    .all();
  return new Set([...own, ...units.map((u) => u.id)]);
}

export async function mayLeadCommunity(d: Db, by: StaffPrincipal, communityId: string): Promise<boolean> {
  const led = await ledCommunities(d, by);
  return led === 'all' || led.has(communityId);
}

/** 403 for an association outside the leader's scope, without saying whether it exists. */
export async function ensureCommunityAccess(d: Db, by: StaffPrincipal, communityId: string): Promise<void> {
  if (!(await mayLeadCommunity(d, by, communityId))) throw problem(403, 'This association is not in your scope.');
}
