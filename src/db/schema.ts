import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** Time columns hold UTC milliseconds; JST appears only at the edges. */

/** A resident who has friended the account. Keyed by the LINE user ID, which is personal data. */
export const users = sqliteTable(
  'users',
  {
    lineUserId: text('line_user_id').primaryKey(),
    status: text('status', { enum: ['following', 'blocked'] }).notNull(),
    language: text('language'),
    /** Residents' own choices in 設定 (ward, interests); segment audiences match on them. */
    ward: text('ward'),
    interests: text('interests', { mode: 'json' }).$type<string[]>().notNull().default([]),
    followedAt: integer('followed_at').notNull(),
    blockedAt: integer('blocked_at'),
    consentVersion: text('consent_version'),
    consentedAt: integer('consented_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('users_status_idx').on(t.status)],
);

/** Every acceptance of the terms, kept as a history (APPI: when and to which version a resident agreed). */
export const consents = sqliteTable(
  'consents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    lineUserId: text('line_user_id').notNull(),
    termsVersion: text('terms_version').notNull(),
    acceptedAt: integer('accepted_at').notNull(),
  },
  (t) => [index('consents_user_idx').on(t.lineUserId)],
);

export const STAFF_ROLES = ['admin', 'broadcaster', 'approver', 'report_manager', 'school_staff', 'community_leader'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export interface StaffScopes {
  schools?: string[];
  communities?: string[];
}

/** Staff accounts. Only the SHA-256 of a token is stored; the token itself is shown once. */
export const staff = sqliteTable('staff', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  roles: text('roles', { mode: 'json' }).$type<StaffRole[]>().notNull(),
  scopes: text('scopes', { mode: 'json' }).$type<StaffScopes>().notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: integer('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  revokedAt: integer('revoked_at'),
});

/** Who did what to which record, and when: every staff write and every staff read of personal data. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    staffId: text('staff_id').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_staff_idx').on(t.staffId, t.at)],
);
