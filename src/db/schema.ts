import { sqliteTable, text, integer, index, real, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';

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

/* ───────────── Road and park damage reports (policy §4.2(1)) ───────────── */

/** A city department that receives reports by e-mail and may be named as responsible (Open311 agency_responsible). */
export const reportDepartments = sqliteTable('report_departments', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull(),
  phone: text('phone'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Categories (道路, 公園, その他: `parentCode` null) and their subtypes (穴・陥没 …). A subtype
 * is an Open311 service. The emergency phone and the department live on the category; a
 * subtype may override the department.
 */
export const reportCategories = sqliteTable(
  'report_categories',
  {
    code: text('code').primaryKey(),
    parentCode: text('parent_code'),
    nameJa: text('name_ja').notNull(),
    nameEn: text('name_en').notNull(),
    departmentId: text('department_id'),
    emergencyPhone: text('emergency_phone'),
    sortOrder: integer('sort_order').notNull().default(0),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('report_categories_parent_idx').on(t.parentCode, t.sortOrder)],
);

export const REPORT_STATUSES = [
  'received',
  'accepted',
  'in_progress',
  'resolved',
  'not_city_managed',
  'duplicate',
  'rejected',
] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const MAIL_STATUSES = ['pending', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/** One report. Readable numbers come from `report_counters` in the same batch as the insert. */
export const reports = sqliteTable(
  'reports',
  {
    id: text('id').primaryKey(),
    number: text('number').notNull().unique(),
    categoryCode: text('category_code').notNull(),
    subtypeCode: text('subtype_code').notNull(),
    departmentId: text('department_id'),
    status: text('status', { enum: REPORT_STATUSES }).notNull(),
    duplicateOf: text('duplicate_of'),
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    address: text('address'),
    description: text('description').notNull().default(''),
    /** Personal data: only the staff detail view shows it, and that read is audited. */
    reporterLineUserId: text('reporter_line_user_id').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    closedAt: integer('closed_at'),
    hiddenAt: integer('hidden_at'),
    hiddenReason: text('hidden_reason'),
    hiddenBy: text('hidden_by'),
    mailStatus: text('mail_status', { enum: MAIL_STATUSES }).notNull().default('pending'),
    mailAttempts: integer('mail_attempts').notNull().default(0),
    mailLastError: text('mail_last_error'),
    mailNextAt: integer('mail_next_at'),
    mailSentAt: integer('mail_sent_at'),
    mailMessageId: text('mail_message_id'),
  },
  (t) => [
    // The staff list's usual questions: status / category / department + period, newest first.
    // `id` closes each index because the list orders by (created_at, id): with it SQLite
    // walks the index in order and stops after one page, instead of sorting every match.
    index('reports_status_cat_created_idx').on(t.status, t.categoryCode, t.createdAt, t.id),
    index('reports_status_created_idx').on(t.status, t.createdAt, t.id),
    index('reports_created_idx').on(t.createdAt, t.id),
    index('reports_cat_created_idx').on(t.categoryCode, t.createdAt, t.id),
    index('reports_dept_created_idx').on(t.departmentId, t.createdAt, t.id),
    // Daily limit per resident.
    index('reports_reporter_created_idx').on(t.reporterLineUserId, t.createdAt),
    index('reports_mail_idx').on(t.mailStatus, t.mailNextAt),
  ],
);

/** Gap-free readable numbers: one row per year, bumped in the same batch as the report insert. */
export const reportCounters = sqliteTable('report_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

/**
 * Photos, stored in R2 under `r2Key`. A photo arrives before its report exists, so
 * `reportId` is null until the report is sent; unclaimed rows are cleaned up by the cron.
 */
export const reportPhotos = sqliteTable(
  'report_photos',
  {
    id: text('id').primaryKey(),
    reportId: text('report_id'),
    uploaderLineUserId: text('uploader_line_user_id').notNull(),
    r2Key: text('r2_key').notNull(),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    hiddenAt: integer('hidden_at'),
    hiddenReason: text('hidden_reason'),
    hiddenBy: text('hidden_by'),
  },
  (t) => [
    index('report_photos_report_idx').on(t.reportId, t.sortOrder),
    index('report_photos_unclaimed_idx').on(t.reportId, t.createdAt),
  ],
);

/** Every status change: who (staff id, or `resident`), from, to, notes, when. */
export const reportStatusHistory = sqliteTable(
  'report_status_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reportId: text('report_id').notNull(),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    publicNote: text('public_note'),
    internalNote: text('internal_note'),
    departmentId: text('department_id'),
  },
  (t) => [index('report_status_history_report_idx').on(t.reportId, t.at)],
);

/** Residents who added themselves to someone else's report; they hear its status changes too. */
export const reportSupporters = sqliteTable(
  'report_supporters',
  {
    reportId: text('report_id').notNull(),
    lineUserId: text('line_user_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.lineUserId] }), index('report_supporters_user_idx').on(t.lineUserId)],
);

/**
 * One push to one resident about one status change. The id is the X-Line-Retry-Key, stored
 * before the first attempt, so a retry by the cron can never make LINE deliver it twice.
 */
export const reportNotifications = sqliteTable(
  'report_notifications',
  {
    id: text('id').primaryKey(),
    reportId: text('report_id').notNull(),
    historyId: integer('history_id').notNull(),
    lineUserId: text('line_user_id').notNull(),
    messages: text('messages', { mode: 'json' }).$type<unknown[]>().notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    index('report_notifications_status_idx').on(t.status, t.createdAt),
    index('report_notifications_report_idx').on(t.reportId),
  ],
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
