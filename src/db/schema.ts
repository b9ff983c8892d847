import { sqliteTable, text, integer, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
    /**
     * How staff name this resident (`res_…`, random): never the LINE user ID. A new one is
     * drawn when the resident's data is deleted, so the old handle resolves to nothing.
     */
    handle: text('handle'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('users_status_idx').on(t.status),
    uniqueIndex('users_handle_idx').on(t.handle),
    // The unfollow anonymisation looks for residents blocked long enough ago.
    index('users_blocked_idx').on(t.status, t.blockedAt),
  ],
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

/** Every withdrawal of consent (設定 → 個人情報 → 同意の撤回): with `consents`, the resident's consent history. */
export const consentWithdrawals = sqliteTable(
  'consent_withdrawals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    lineUserId: text('line_user_id').notNull(),
    /** The version that was withdrawn. */
    termsVersion: text('terms_version').notNull(),
    withdrawnAt: integer('withdrawn_at').notNull(),
  },
  (t) => [index('consent_withdrawals_user_idx').on(t.lineUserId)],
);

export const RESTRICTION_SCOPES = ['reports', 'communities', 'all'] as const;
export type RestrictionScope = (typeof RESTRICTION_SCOPES)[number];

/**
 * Moderation (terms §1): a resident may not start the services of `scope` until `until`
 * (null: until lifted). Reversible: lifting sets `liftedAt`; nothing is deleted.
 */
export const residentRestrictions = sqliteTable(
  'resident_restrictions',
  {
    id: text('id').primaryKey(),
    lineUserId: text('line_user_id').notNull(),
    scope: text('scope', { enum: RESTRICTION_SCOPES }).notNull(),
    until: integer('until'),
    reason: text('reason').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    liftedAt: integer('lifted_at'),
    liftedBy: text('lifted_by'),
  },
  (t) => [index('resident_restrictions_user_idx').on(t.lineUserId, t.liftedAt)],
);

/** One run of the hourly retention clean-up: what it removed, counts per kind (never contents). */
export const retentionRuns = sqliteTable(
  'retention_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    removed: text('removed', { mode: 'json' }).$type<Record<string, number>>().notNull(),
  },
  (t) => [index('retention_runs_at_idx').on(t.at)],
);

export const STAFF_ROLES = [
  'admin',
  'broadcaster',
  'approver',
  'report_manager',
  'school_staff',
  'community_leader',
] as const;
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
  /** Moderation (terms §1): a suspended community leader keeps the token but may do nothing as a leader. */
  suspendedAt: integer('suspended_at'),
});

/**
 * A signed-in session of the staff console (/admin). The cookie holds a random id; only its
 * SHA-256 is kept, so a copy of the table signs nobody in. `staffId` is `bootstrap` for the
 * bootstrap token. A session ends at `expiresAt` (ADMIN_SESSION_MAX_HOURS after sign-in), after
 * ADMIN_SESSION_IDLE_MINUTES without use, at sign-out, and when its staff member is revoked.
 */
export const adminSessions = sqliteTable(
  'admin_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    staffId: text('staff_id').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('admin_sessions_staff').on(t.staffId)],
);

/** Wrong tokens at /admin/login, by the SHA-256 of the caller's address; kept for the 10-minute window only. */
export const adminLoginFailures = sqliteTable(
  'admin_login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    addressHash: text('address_hash').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('admin_login_failures_address_at').on(t.addressHash, t.at)],
);

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

export const BROADCAST_STATUSES = [
  'draft',
  'pending_approval',
  'scheduled',
  'sending',
  'sent',
  'partially_failed',
  'failed',
  'cancelled',
] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/**
 * A city (later school or association) broadcast. Its progress is not stored here:
 * it is derived from its batch rows, so there are no counters to drift.
 */
export const broadcasts = sqliteTable(
  'broadcasts',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    /** LINE message objects, validated against LINE's limits when saved. */
    messages: text('messages', { mode: 'json' }).$type<unknown[]>().notNull(),
    audience: text('audience', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: BROADCAST_STATUSES }).notNull(),
    urgent: integer('urgent', { mode: 'boolean' }).notNull().default(false),
    /** Not before this moment (UTC ms); null = as soon as approved and the window is open. */
    scheduledAt: integer('scheduled_at'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    /** The last one to change the content: the approver must be someone else. */
    updatedBy: text('updated_by').notNull(),
    updatedAt: integer('updated_at').notNull(),
    approvedBy: text('approved_by'),
    approvedAt: integer('approved_at'),
    releasedAt: integer('released_at'),
    /** Set in the same D1 batch as the batch rows, so recipients are resolved exactly once. */
    preparedAt: integer('prepared_at'),
    finishedAt: integer('finished_at'),
    cancelledBy: text('cancelled_by'),
    cancelledAt: integer('cancelled_at'),
    /** Why the whole broadcast failed (quota, unresolvable audience), in words for staff. */
    failureReason: text('failure_reason'),
    /** A 「確認しました」 button is appended; taps land in `broadcast_acks`. */
    requestAck: integer('request_ack', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('broadcasts_status_idx').on(t.status, t.scheduledAt)],
);

/**
 * `unanswered`: every attempt ended in a 5xx or a timeout, so LINE may or may not have
 * accepted the batch. It is not `failed`, which would invite a resend that could reach
 * residents twice.
 */
export const BATCH_STATUSES = ['pending', 'delivered', 'failed', 'unanswered', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/**
 * One LINE call of a broadcast: a multicast to at most 500 residents, or the single
 * broadcast call for "all friends". The retry key is written here before the first
 * attempt, so every retry, even after a crash, carries the same key and LINE answers
 * 409 instead of sending twice.
 */
export const broadcastBatches = sqliteTable(
  'broadcast_batches',
  {
    id: text('id').primaryKey(),
    broadcastId: text('broadcast_id').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['multicast', 'broadcast'] }).notNull(),
    retryKey: text('retry_key').notNull().unique(),
    /** LINE user IDs (multicast); empty for a broadcast call. Never shown through the API. */
    recipients: text('recipients', { mode: 'json' }).$type<string[]>().notNull(),
    /** Multicast: the IDs above. Broadcast: the following residents we knew of at release (LINE counts the real ones). */
    recipientCount: integer('recipient_count').notNull(),
    status: text('status', { enum: BATCH_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** LINE's x-line-request-id, or 409 when LINE had already accepted the key. */
    lineRequestId: text('line_request_id'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('broadcast_batches_seq_idx').on(t.broadcastId, t.seq),
    index('broadcast_batches_status_idx').on(t.broadcastId, t.status),
  ],
);

/** Extra days the city office is closed (JST `YYYY-MM-DD`); city broadcasts wait past them. */
export const closureDays = sqliteTable('closure_days', {
  date: text('date').primaryKey(),
  reason: text('reason').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull(),
});

/* ───────────── Staff members' own LINE accounts (test sends) ───────────── */

/**
 * A one-time code a staff member sends to the bot as 「職員 <code>」 from their own LINE,
 * proving that LINE account is theirs. Only the SHA-256 of the code is stored; `handle`
 * is set when it is used, to the linked account it made.
 */
export const staffLinkCodes = sqliteTable(
  'staff_link_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    staffId: text('staff_id').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    handle: text('handle'),
  },
  (t) => [index('staff_link_codes_staff_idx').on(t.staffId, t.usedAt)],
);

/**
 * A LINE account proven to belong to a staff member; test sends go only here. Staff see
 * the random `handle`, never the LINE user ID.
 */
export const staffLineAccounts = sqliteTable(
  'staff_line_accounts',
  {
    handle: text('handle').primaryKey(),
    staffId: text('staff_id').notNull(),
    lineUserId: text('line_user_id').notNull(),
    linkedAt: integer('linked_at').notNull(),
  },
  (t) => [uniqueIndex('staff_line_accounts_staff_user_idx').on(t.staffId, t.lineUserId)],
);

/** Every test send a staff member started, for the hourly limit. */
export const broadcastTestSends = sqliteTable(
  'broadcast_test_sends',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    staffId: text('staff_id').notNull(),
    broadcastId: text('broadcast_id').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('broadcast_test_sends_staff_idx').on(t.staffId, t.at)],
);

/** One resident's 「確認しました」 tap on a broadcast that asked for it; a second tap records nothing. */
export const broadcastAcks = sqliteTable(
  'broadcast_acks',
  {
    broadcastId: text('broadcast_id').notNull(),
    lineUserId: text('line_user_id').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.lineUserId] }), index('broadcast_acks_user_idx').on(t.lineUserId)],
);

/* Reports, schools and associations live in their own files; drizzle-kit reads them through these re-exports. */
export * from './schema-reports';
export * from './schema-schools';
export * from './schema-communities';
