import { and, asc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { auditRecord } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import { iso } from '../admin/openapi';
import { jstText } from '../calendar/jst';
import type { Db } from '../db/client';
import { absenceNotices, pupils, schoolPushes, type AbsenceType } from '../db/schema';
import { writeCsv } from './csv';
import { languagesOf, sendSchoolPushes } from './notify';
import type { SchoolRow } from './registry';
import { addDays, MAX_RANGE_DAYS } from './staff-rules';
import { confirmedMessage } from './staff-texts';

/**
 * The school's side of absence notices: the day's list (a range is on every day it covers),
 * its CSV, the morning summary, and confirmation, which tells the guardian. Notices are never
 * edited or deleted here: only `confirmed*` is written, and only while the notice is submitted.
 */

export interface AbsenceFilter {
  date: string;
  grade?: number;
  class?: string;
  type?: AbsenceType;
}

const columns = {
  notice: absenceNotices,
  pupilGrade: pupils.grade,
  pupilClass: pupils.class,
  pupilNumber: pupils.number,
  pupilName: pupils.name,
};

export async function listAbsences(d: Db, schoolId: string, f: AbsenceFilter) {
  // A notice covers at most MAX_RANGE_DAYS days, so the ones on this day started at most that
  // long before it: the (school, date) index reads a short range instead of the school's history.
  const where: (SQL | undefined)[] = [
    eq(absenceNotices.schoolId, schoolId),
    lte(absenceNotices.date, f.date),
    gte(absenceNotices.date, addDays(f.date, -MAX_RANGE_DAYS)),
    sql`coalesce(${absenceNotices.dateTo}, ${absenceNotices.date}) >= ${f.date}`,
  ];
  if (f.grade !== undefined) where.push(eq(pupils.grade, f.grade));
  if (f.class !== undefined) where.push(eq(pupils.class, f.class));
  if (f.type !== undefined) where.push(eq(absenceNotices.type, f.type));
  return d
    .select(columns)
    .from(absenceNotices)
    .innerJoin(pupils, eq(pupils.id, absenceNotices.pupilId))
    .where(and(...where))
    .orderBy(asc(pupils.grade), asc(pupils.class), asc(pupils.number), asc(absenceNotices.submittedAt))
    .all();
}

export type AbsenceRow = Awaited<ReturnType<typeof listAbsences>>[number];

export function absenceJson(r: AbsenceRow) {
  const n = r.notice;
  return {
    id: n.id,
    number: n.number,
    pupil: { id: n.pupilId, grade: r.pupilGrade, class: r.pupilClass, name: r.pupilName },
    date: n.date,
    dateTo: n.dateTo ?? null,
    type: n.type,
    reason: n.reason,
    symptoms: n.symptoms,
    temperature: n.temperature ?? null,
    time: n.time ?? null,
    note: n.note ?? null,
    late: n.late,
    status: n.status,
    submittedAt: iso(n.submittedAt),
    confirmedAt: iso(n.confirmedAt),
    confirmedBy: n.confirmedBy ?? null,
    withdrawnAt: iso(n.withdrawnAt),
  };
}

type TypeCounts = Record<AbsenceType, number> & { total: number };
const zero = (): TypeCounts => ({ absence: 0, late: 0, early_leave: 0, total: 0 });

/** Withdrawn notices are listed (the school sees them) but counted apart from the types. */
export function countsOf(rows: AbsenceRow[]) {
  const c = { ...zero(), withdrawn: 0, unconfirmed: 0 };
  for (const r of rows) {
    if (r.notice.status === 'withdrawn') {
      c.withdrawn += 1;
      continue;
    }
    c[r.notice.type] += 1;
    c.total += 1;
    if (r.notice.status === 'submitted') c.unconfirmed += 1;
  }
  return c;
}

/** The morning's figures by grade and class and type, withdrawn notices left out. */
export function summaryOf(date: string, rows: AbsenceRow[]) {
  const totals = zero();
  const grades = new Map<number, TypeCounts & { grade: number }>();
  const classes = new Map<string, TypeCounts & { grade: number; class: string }>();
  for (const r of rows) {
    if (r.notice.status === 'withdrawn') continue;
    const g = grades.get(r.pupilGrade) ?? { grade: r.pupilGrade, ...zero() };
    const key = `${r.pupilGrade}\u0000${r.pupilClass}`;
    const k = classes.get(key) ?? { grade: r.pupilGrade, class: r.pupilClass, ...zero() };
    for (const c of [totals, g, k]) {
      c[r.notice.type] += 1;
      c.total += 1;
    }
    grades.set(r.pupilGrade, g);
    classes.set(key, k);
  }
  return { date, totals, byGrade: [...grades.values()], byClass: [...classes.values()] };
}

const TYPE_JA: Record<AbsenceType, string> = { absence: '欠席', late: '遅刻', early_leave: '早退' };
const STATUS_JA = { submitted: '送信済', confirmed: '確認済', withdrawn: '取消' } as const;
const CSV_HEADER = [
  '受付番号',
  '学年',
  '組',
  '番号',
  '氏名',
  '種別',
  '日付',
  '終了日',
  '理由',
  '症状',
  '体温',
  '時刻',
  '連絡事項',
  '締切後',
  '状態',
  '送信日時',
  '確認日時',
  '取消日時',
] as const;

/** The day's list for Excel: Japanese headers and labels, times in JST. */
export function absencesCsv(rows: AbsenceRow[]): string {
  const t = (ms: number | null) => (ms === null ? '' : jstText(ms));
  return writeCsv(
    CSV_HEADER,
    rows.map(({ notice: n, ...p }) => [
      n.number,
      p.pupilGrade,
      p.pupilClass,
      p.pupilNumber,
      p.pupilName,
      TYPE_JA[n.type],
      n.date,
      n.dateTo,
      n.reason,
      n.symptoms.join('、'),
      n.temperature,
      n.time,
      n.note,
      n.late ? '○' : '',
      STATUS_JA[n.status],
      t(n.submittedAt),
      t(n.confirmedAt),
      t(n.withdrawnAt),
    ]),
  );
}

async function noticeOf(d: Db, schoolId: string, id: string): Promise<AbsenceRow> {
  const row = await d
    .select(columns)
    .from(absenceNotices)
    .innerJoin(pupils, eq(pupils.id, absenceNotices.pupilId))
    .where(and(eq(absenceNotices.id, id), eq(absenceNotices.schoolId, schoolId)))
    .get();
  if (!row) throw problem(404, 'No such notice at this school.');
  return row;
}

/**
 * 確認済: the first confirmation writes who and when and queues one push to the guardian in
 * their language (with the comment); a second one answers the notice as it is and pushes
 * nothing. A withdrawn notice is not confirmed (409).
 */
export async function confirmAbsence(
  env: Env,
  d: Db,
  by: StaffPrincipal,
  school: SchoolRow,
  id: string,
  comment: string | null,
  now: number,
) {
  const before = await noticeOf(d, school.id, id);
  if (before.notice.status === 'withdrawn')
    throw problem(409, 'The guardian withdrew this notice; it cannot be confirmed.');
  if (before.notice.status === 'confirmed') return absenceJson(before);
  const guardian = before.notice.guardianLineUserId;
  const pushId = crypto.randomUUID();
  const lang = guardian ? ((await languagesOf(d, [guardian])).get(guardian) ?? 'ja') : 'ja';
  const message = confirmedMessage(
    lang,
    {
      schoolName: school.name,
      pupilName: before.pupilName,
      date: before.notice.date,
      dateTo: before.notice.dateTo,
      type: before.notice.type,
      number: before.notice.number,
    },
    comment,
  );
  // Guarded on the status as read: a withdrawal or another confirmation landing meanwhile
  // makes the update write nothing, and then neither the audit row nor the push is written
  // (each statement runs only if the one before it wrote its one row).
  const d1 = env.DB;
  const ifChanged = 'WHERE changes() = 1';
  const auditRow = auditRecord(d, by, 'school.absence.confirm', 'absence_notice', id, {
    schoolId: school.id,
    comment: comment !== null,
  }).toSQL();
  const guardedAudit = auditRow.sql.replace(/ values \((.*)\)$/, ` select $1 ${ifChanged}`);
  if (guardedAudit === auditRow.sql) throw new Error(`audit insert not in the expected shape: ${auditRow.sql}`);
  const stmts: D1PreparedStatement[] = [
    d1
      .prepare(
        `UPDATE absence_notices SET status = 'confirmed', confirmed_at = ?, confirmed_by = ?, confirm_comment = ?
         WHERE id = ? AND status = 'submitted'`,
      )
      .bind(now, by.id, comment, id),
    d1.prepare(guardedAudit).bind(...auditRow.params),
  ];
  if (guardian) {
    stmts.push(
      d1
        .prepare(
          `INSERT OR IGNORE INTO school_pushes (id, school_id, kind, ref_id, line_user_id, messages, status, attempts, created_at)
           SELECT ?, ?, 'confirmed', ?, ?, ?, 'pending', 0, ? ${ifChanged}`,
        )
        .bind(pushId, school.id, id, guardian, JSON.stringify([message]), now),
    );
  }
  const [updated] = await d1.batch(stmts);
  if (updated?.meta.changes !== 1) {
    const now2 = await noticeOf(d, school.id, id);
    if (now2.notice.status === 'withdrawn')
      throw problem(409, 'The guardian withdrew this notice; it cannot be confirmed.');
    return absenceJson(now2);
  }
  if (guardian) {
    const sent = await d.select({ id: schoolPushes.id }).from(schoolPushes).where(eq(schoolPushes.id, pushId)).get();
    if (sent) await sendSchoolPushes(env, d, [pushId], now);
  }
  return absenceJson(await noticeOf(d, school.id, id));
}

/**
 * The dashboard's figure: per school, the notices on `date` still waiting for 確認 (withdrawn
 * and confirmed ones left out), read the way the day's list reads them. `schoolIds` null = every school.
 */
export async function unconfirmedBySchool(d: Db, schoolIds: string[] | null, date: string) {
  if (schoolIds !== null && schoolIds.length === 0) return new Map<string, number>();
  const rows = await d
    .select({ schoolId: absenceNotices.schoolId, n: sql<number>`count(*)` })
    .from(absenceNotices)
    .where(
      and(
        schoolIds === null ? undefined : inArray(absenceNotices.schoolId, schoolIds.slice(0, 90)),
        eq(absenceNotices.status, 'submitted'),
        lte(absenceNotices.date, date),
        gte(absenceNotices.date, addDays(date, -MAX_RANGE_DAYS)),
        sql`coalesce(${absenceNotices.dateTo}, ${absenceNotices.date}) >= ${date}`,
      ),
    )
    .groupBy(absenceNotices.schoolId)
    .all();
  return new Map(rows.map((r) => [r.schoolId, r.n]));
}
