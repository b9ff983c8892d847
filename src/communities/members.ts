import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { audit } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import type { Db } from '../db/client';
import { communityMembers, users } from '../db/schema';
import { getCommunity } from './registry';

/**
 * What a leader sees of their members: how many still follow the account and the names
 * they chose to share. Never a LINE user ID or a LINE name: the query does not even select them.
 */
export async function listMembers(d: Db, by: StaffPrincipal, communityId: string) {
  await getCommunity(d, by, communityId);
  const items = await d
    .select({ displayName: communityMembers.displayName, joinedAt: communityMembers.joinedAt })
    .from(communityMembers)
    // A resident who blocked the account keeps the membership but is not counted until they follow again.
    .innerJoin(users, and(eq(users.lineUserId, communityMembers.lineUserId), eq(users.status, 'following')))
    .where(eq(communityMembers.communityId, communityId))
    .orderBy(asc(communityMembers.joinedAt))
    .all();
  await audit(d, by, 'community.members.read', 'community', communityId, { count: items.length });
  return { count: items.length, items };
}

/**
 * The dashboard's figure: how many members still follow, per association (no names, so no
 * personal data is read and nothing is audited). `communityIds` null = every association.
 */
export async function memberCounts(d: Db, communityIds: string[] | null): Promise<Map<string, number>> {
  if (communityIds !== null && communityIds.length === 0) return new Map();
  const rows = await d
    .select({ communityId: communityMembers.communityId, n: sql<number>`count(*)` })
    .from(communityMembers)
    .innerJoin(users, and(eq(users.lineUserId, communityMembers.lineUserId), eq(users.status, 'following')))
    .where(communityIds === null ? undefined : inArray(communityMembers.communityId, communityIds.slice(0, 90)))
    .groupBy(communityMembers.communityId)
    .all();
  return new Map(rows.map((r) => [r.communityId, r.n]));
}
