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
  /** Moderation (terms §1): a suspended community leader keeps the token but may do nothing as a leader. */
  suspendedAt: integer('suspended_at'),
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

/* ───────────── Schools: absence notices and school messages (policy §4.2(2)) ───────────── */

export const SCHOOL_KINDS = ['elementary', 'junior_high', 'compulsory', 'high'] as const;
export type SchoolKind = (typeof SCHOOL_KINDS)[number];

/** A municipal school. `cutoff` and `window` are JST wall-clock times. */
export const schools = sqliteTable('schools', {
  id: text('id').primaryKey(),
  /** The school's own code, unique. */
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  kind: text('kind', { enum: SCHOOL_KINDS }).notNull(),
  phone: text('phone').notNull(),
  /** `HH:MM`: a notice for today at or after this time is late. */
  cutoff: text('cutoff').notNull().default('08:00'),
  afterCutoff: text('after_cutoff', { enum: ['refuse', 'accept_late'] })
    .notNull()
    .default('refuse'),
  noteEnabled: integer('note_enabled', { mode: 'boolean' }).notNull().default(true),
  /** The school's reason labels; null means the default list. */
  reasons: text('reasons', { mode: 'json' }).$type<string[]>(),
  /** `HH:MM-HH:MM`, the school's own message window; null means BROADCAST_HOURS_SCHOOL. */
  window: text('window'),
  /** School messages need a second member of the school's own staff. */
  requireApproval: integer('require_approval', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * A pupil on a school's roster. Only the SHA-256 of the registration code is stored; a
 * re-issue replaces it, so the old code stops working at once. `removedAt`: transferred out.
 */
export const pupils = sqliteTable(
  'pupils',
  {
    id: text('id').primaryKey(),
    schoolId: text('school_id').notNull(),
    grade: integer('grade').notNull(),
    class: text('class').notNull(),
    number: integer('number'),
    name: text('name').notNull(),
    kana: text('kana').notNull(),
    groups: text('groups', { mode: 'json' }).$type<string[]>().notNull().default([]),
    codeHash: text('code_hash').unique(),
    codeExpiresAt: integer('code_expires_at'),
    graduatedAt: integer('graduated_at'),
    removedAt: integer('removed_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('pupils_school_idx').on(t.schoolId, t.grade, t.class, t.number)],
);

/** A guardian's LINE account linked to a pupil (at most two per pupil). Personal data. */
export const guardianLinks = sqliteTable(
  'guardian_links',
  {
    pupilId: text('pupil_id').notNull(),
    lineUserId: text('line_user_id').notNull(),
    linkedAt: integer('linked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pupilId, t.lineUserId] }), index('guardian_links_user_idx').on(t.lineUserId)],
);

/** A school year already rolled over, so a second call for the same year changes nothing. */
export const schoolRollovers = sqliteTable(
  'school_rollovers',
  {
    schoolId: text('school_id').notNull(),
    year: integer('year').notNull(),
    at: integer('at').notNull(),
    by: text('by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.schoolId, t.year] })],
);

export const ABSENCE_TYPES = ['absence', 'late', 'early_leave'] as const;
export type AbsenceType = (typeof ABSENCE_TYPES)[number];
export const ABSENCE_STATUSES = ['submitted', 'confirmed', 'withdrawn'] as const;
export type AbsenceStatus = (typeof ABSENCE_STATUSES)[number];

/**
 * One absence / lateness / early-leave notice. Immutable once sent: only confirmation and
 * withdrawal are recorded. `date`..`dateTo` are JST days; `symptoms` and `temperature`
 * are health data (never in logs or the broadcast pipeline). Deleted ABSENCE_RETENTION_DAYS
 * after its (last) day.
 */
export const absenceNotices = sqliteTable(
  'absence_notices',
  {
    id: text('id').primaryKey(),
    /** `A-YYYY-NNNNNN`, gap-free per year from `absence_counters`. */
    number: text('number').notNull().unique(),
    schoolId: text('school_id').notNull(),
    pupilId: text('pupil_id').notNull(),
    /** Null once the guardian's data was deleted; the notice stays under the school's retention. */
    guardianLineUserId: text('guardian_line_user_id'),
    date: text('date').notNull(),
    dateTo: text('date_to'),
    type: text('type', { enum: ABSENCE_TYPES }).notNull(),
    reason: text('reason').notNull(),
    symptoms: text('symptoms', { mode: 'json' }).$type<string[]>().notNull().default([]),
    temperature: real('temperature'),
    /** `HH:MM`: expected arrival (late) or leaving time (early leave). */
    time: text('time'),
    note: text('note'),
    /** Sent for today at or after the school's cut-off (accept_late). */
    late: integer('late', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: ABSENCE_STATUSES }).notNull(),
    submittedAt: integer('submitted_at').notNull(),
    confirmedAt: integer('confirmed_at'),
    confirmedBy: text('confirmed_by'),
    confirmComment: text('confirm_comment'),
    withdrawnAt: integer('withdrawn_at'),
    withdrawnBy: text('withdrawn_by'),
  },
  (t) => [
    // date_to in the index: the day's list checks a range's last day without reading the row.
    index('absence_notices_school_date_idx').on(t.schoolId, t.date, t.dateTo),
    index('absence_notices_guardian_idx').on(t.guardianLineUserId, t.submittedAt),
    index('absence_notices_pupil_idx').on(t.pupilId, t.date),
  ],
);

export const absenceCounters = sqliteTable('absence_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

/**
 * A push to a guardian from a school (confirmation of a notice, graduation). The id is the
 * X-Line-Retry-Key, stored before the first attempt, as for report notifications.
 */
export const schoolPushes = sqliteTable(
  'school_pushes',
  {
    id: text('id').primaryKey(),
    schoolId: text('school_id').notNull(),
    kind: text('kind', { enum: ['confirmed', 'graduated'] }).notNull(),
    refId: text('ref_id').notNull(),
    lineUserId: text('line_user_id').notNull(),
    messages: text('messages', { mode: 'json' }).$type<unknown[]>().notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
  },
  (t) => [
    index('school_pushes_status_idx').on(t.status, t.createdAt),
    uniqueIndex('school_pushes_once_idx').on(t.kind, t.refId, t.lineUserId),
  ],
);

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
