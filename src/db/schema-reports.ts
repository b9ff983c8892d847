import { sqliteTable, text, integer, index, real, primaryKey } from 'drizzle-orm/sqlite-core';

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
    /**
     * Personal data, never shown to staff (they see the resident's handle). `''` once the
     * reporter's data was deleted or anonymised: the report stays, linked to no one.
     */
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
    // The retention clean-up: closed reports whose period has passed.
    index('reports_closed_idx').on(t.closedAt),
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
    /** `''` once the uploader's data was deleted or anonymised. */
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
