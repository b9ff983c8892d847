import { and, asc, eq } from 'drizzle-orm';
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
