import { sqliteTable, text, integer, index, real, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
