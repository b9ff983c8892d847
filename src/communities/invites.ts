import { and, desc, eq, isNull } from 'drizzle-orm';
import { auditRecord } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import { hashAccessCode, newAccessCode } from '../access-codes';
import type { Db } from '../db/client';
import { communityInvites } from '../db/schema';
import { getCommunity } from './registry';
import { inviteState, usesLeft, type InviteState } from './rules';

/**
 * Invite codes: a leader (or a federation's leader for its units, or an admin) issues one,
 * hands it out on paper, and residents type it into the chat. The code is shown once; only
 * its SHA-256 is stored.
 */

export type Invite = typeof communityInvites.$inferSelect;

export interface IssuedInvite {
  id: string;
  code: string;
  expiresAt: number | null;
  maxUses: number | null;
}

export async function issueInvite(
  d: Db,
  by: StaffPrincipal,
  communityId: string,
  input: { expiresAt?: number | null; maxUses?: number | null },
  now = Date.now(),
): Promise<IssuedInvite> {
  await getCommunity(d, by, communityId);
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && expiresAt <= now) throw problem(400, 'expiresAt: must be in the future');
  const maxUses = input.maxUses ?? null;
  const code = newAccessCode();
  const id = crypto.randomUUID();
  await d.batch([
    d.insert(communityInvites).values({
      id,
      communityId,
      codeHash: await hashAccessCode(code),
      expiresAt,
      maxUses,
      uses: 0,
      createdBy: by.id,
      createdAt: now,
    }),
    auditRecord(d, by, 'community.invite.create', 'community', communityId, { inviteId: id, expiresAt, maxUses }),
  ]);
  return { id, code, expiresAt, maxUses };
}

export interface InviteView {
  id: string;
  expiresAt: number | null;
  maxUses: number | null;
  uses: number;
  usesLeft: number | null;
  revokedAt: number | null;
  createdAt: number;
  state: InviteState;
}

/** The association's codes, newest first, with uses left: never the code (it is not stored). */
export async function listInvites(d: Db, by: StaffPrincipal, communityId: string, now = Date.now()) {
  await getCommunity(d, by, communityId);
  const rows = await d
    .select()
    .from(communityInvites)
    .where(eq(communityInvites.communityId, communityId))
    .orderBy(desc(communityInvites.createdAt), desc(communityInvites.id))
    .all();
  return rows.map((r): InviteView => ({
    id: r.id,
    expiresAt: r.expiresAt,
    maxUses: r.maxUses,
    uses: r.uses,
    usesLeft: usesLeft(r),
    revokedAt: r.revokedAt,
    createdAt: r.createdAt,
    state: inviteState(r, now),
  }));
}

/** Revokes at once: the next resident who types it is refused. Revoking twice changes nothing. */
export async function revokeInvite(d: Db, by: StaffPrincipal, communityId: string, inviteId: string) {
  await getCommunity(d, by, communityId);
  const row = await d
    .select({ revokedAt: communityInvites.revokedAt })
    .from(communityInvites)
    .where(and(eq(communityInvites.id, inviteId), eq(communityInvites.communityId, communityId)))
    .get();
  if (!row) throw problem(404, `No invite ${inviteId} for this association.`);
  if (row.revokedAt !== null) return;
  await d.batch([
    d
      .update(communityInvites)
      .set({ revokedAt: Date.now() })
      .where(and(eq(communityInvites.id, inviteId), isNull(communityInvites.revokedAt))),
    auditRecord(d, by, 'community.invite.revoke', 'community', communityId, { inviteId }),
  ]);
}

/** The invite a typed code stands for, whatever its state; undefined for a code never issued. */
export async function inviteByCode(d: Db, code: string): Promise<Invite | undefined> {
  const hash = await hashAccessCode(code);
  return d.select().from(communityInvites).where(eq(communityInvites.codeHash, hash)).get();
}
