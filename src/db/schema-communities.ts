import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';

/* ───────────── Community associations (policy §4.3) ───────────── */

export const COMMUNITY_KINDS = ['federation', 'unit'] as const;
export type CommunityKind = (typeof COMMUNITY_KINDS)[number];

/** A district federation (学区・地区連合町内会) or a unit association (単位町内会), which may belong to one federation. */
export const communities = sqliteTable(
  'communities',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: COMMUNITY_KINDS }).notNull(),
    parentId: text('parent_id'),
    district: text('district'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('communities_parent_idx').on(t.parentId)],
);

/** An invite code for an association; only its SHA-256 is stored. */
export const communityInvites = sqliteTable(
  'community_invites',
  {
    id: text('id').primaryKey(),
    communityId: text('community_id').notNull(),
    codeHash: text('code_hash').notNull().unique(),
    expiresAt: integer('expires_at'),
    maxUses: integer('max_uses'),
    uses: integer('uses').notNull().default(0),
    revokedAt: integer('revoked_at'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('community_invites_community_idx').on(t.communityId)],
);

/** A resident's membership. `displayName` is only what they chose to show their leaders (never their LINE name). */
export const communityMembers = sqliteTable(
  'community_members',
  {
    communityId: text('community_id').notNull(),
    lineUserId: text('line_user_id').notNull(),
    displayName: text('display_name'),
    inviteId: text('invite_id'),
    joinedAt: integer('joined_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.lineUserId] }), index('community_members_user_idx').on(t.lineUserId)],
);
