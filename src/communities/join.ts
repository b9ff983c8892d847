import { and, asc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { auditRecord } from '../admin/audit';
import type { Db } from '../db/client';
import { communities, communityMembers } from '../db/schema';
import { inviteByCode } from './invites';
import { findCommunity } from './registry';
import { inviteState } from './rules';

/**
 * The resident's side: redeeming a code, leaving, the display name. Audit rows name the
 * actor `resident` and the association, never the LINE user ID.
 */

export const RESIDENT_ACTOR = { id: 'resident' } as const;

export interface Membership {
  communityId: string;
  name: string;
  kind: 'federation' | 'unit';
  parentName: string | null;
  displayName: string | null;
}

const parent = alias(communities, 'parent');

export async function membershipsOf(d: Db, lineUserId: string): Promise<Membership[]> {
  return d
    .select({
      communityId: communityMembers.communityId,
      name: communities.name,
      kind: communities.kind,
      parentName: parent.name,
      displayName: communityMembers.displayName,
    })
    .from(communityMembers)
    .innerJoin(communities, eq(communities.id, communityMembers.communityId))
    .leftJoin(parent, eq(parent.id, communities.parentId))
    .where(eq(communityMembers.lineUserId, lineUserId))
    .orderBy(asc(communityMembers.joinedAt), asc(communities.name))
    .all();
}

export async function isMember(d: Db, lineUserId: string, communityId: string): Promise<boolean> {
  const row = await d
    .select({ id: communityMembers.communityId })
    .from(communityMembers)
    .where(and(eq(communityMembers.lineUserId, lineUserId), eq(communityMembers.communityId, communityId)))
    .get();
  return !!row;
}

export type Refusal = 'unknown' | 'revoked' | 'expired' | 'used_up';

export type CodeCheck =
  | { kind: 'ok'; inviteId: string; communityId: string; name: string; parentName: string | null }
  | { kind: 'already'; name: string }
  | { kind: 'refused'; reason: Refusal };

/** What a typed code would do, without using it. */
export async function checkCode(d: Db, lineUserId: string, code: string, now: number): Promise<CodeCheck> {
  const invite = await inviteByCode(d, code);
  const community = invite && (await findCommunity(d, invite.communityId));
  if (!invite || !community) return { kind: 'refused', reason: 'unknown' };
  const state = inviteState(invite, now);
  if (state !== 'usable') return { kind: 'refused', reason: state };
  if (await isMember(d, lineUserId, community.id)) return { kind: 'already', name: community.name };
  const parentRow = community.parentId ? await findCommunity(d, community.parentId) : undefined;
  return {
    kind: 'ok',
    inviteId: invite.id,
    communityId: community.id,
    name: community.name,
    parentName: parentRow?.name ?? null,
  };
}

/**
 * Joins with the invite, if it is still usable now: the membership row and the use are
 * written in one D1 batch, the use counted only when the row was new (SQLite's `changes()`
 * of the insert before it), so a retried event neither joins twice nor uses the code twice.
 */
export async function join(
  d: Db,
  lineUserId: string,
  inviteId: string,
  now: number,
): Promise<'joined' | 'already' | Refusal> {
  const raw = d.$client;
  const [inserted] = await raw.batch([
    raw
      .prepare(
        `INSERT INTO community_members (community_id, line_user_id, display_name, invite_id, joined_at)
         SELECT community_id, ?1, NULL, id, ?2 FROM community_invites
         WHERE id = ?3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)
           AND (max_uses IS NULL OR uses < max_uses)
         ON CONFLICT DO NOTHING`,
      )
      .bind(lineUserId, now, inviteId),
    raw.prepare('UPDATE community_invites SET uses = uses + 1 WHERE id = ?1 AND changes() = 1').bind(inviteId),
  ]);
  const invite = await raw
    .prepare(
      `SELECT i.community_id AS c, i.expires_at AS e, i.max_uses AS m, i.uses AS u, i.revoked_at AS r,
         (SELECT 1 FROM community_members WHERE community_id = i.community_id AND line_user_id = ?1) AS member
       FROM community_invites i WHERE i.id = ?2`,
    )
    .bind(lineUserId, inviteId)
    .first<{ c: string; e: number | null; m: number | null; u: number; r: number | null; member: 1 | null }>();
  if (!invite) return 'unknown';
  if (inserted!.meta.changes === 1) {
    await auditRecord(d, RESIDENT_ACTOR, 'community.join', 'community', invite.c, { inviteId });
    return 'joined';
  }
  if (invite.member) return 'already';
  const state = inviteState({ expiresAt: invite.e, maxUses: invite.m, uses: invite.u, revokedAt: invite.r }, now);
  return state === 'usable' ? 'unknown' : state;
}

export async function setDisplayName(d: Db, lineUserId: string, communityId: string, displayName: string | null) {
  await d
    .update(communityMembers)
    .set({ displayName })
    .where(and(eq(communityMembers.lineUserId, lineUserId), eq(communityMembers.communityId, communityId)));
}

/**
 * Leaving deletes the membership at once (posts resolve members from this table, so nothing
 * more reaches them); what stays is an audit row without the LINE user ID.
 */
export async function leave(d: Db, lineUserId: string, communityId: string): Promise<boolean> {
  // A retried event finds nothing to delete and writes no second audit row.
  if (!(await isMember(d, lineUserId, communityId))) return false;
  const [deleted] = await d.batch([
    d
      .delete(communityMembers)
      .where(and(eq(communityMembers.lineUserId, lineUserId), eq(communityMembers.communityId, communityId)))
      .returning({ id: communityMembers.communityId }),
    auditRecord(d, RESIDENT_ACTOR, 'community.leave', 'community', communityId),
  ]);
  return deleted.length > 0;
}
