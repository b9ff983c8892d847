import { and, asc, eq, gte, lte, ne } from 'drizzle-orm';
import type { StaffPrincipal } from '../admin/auth';
import { auditRecord } from '../admin/audit';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { reportPhotos, reports, reportStatusHistory, reportSupporters, type ReportStatus } from '../db/schema';
import { handleOf } from '../residents/handles';
import { getDepartment } from './catalog';
import { followingAmong, sendNotifications } from './notify';
import { inBox } from './service';
import {
  boxAround,
  canTransition,
  CLOSED_STATUSES,
  distanceM,
  DUPLICATE_RADIUS_M,
  DUPLICATE_WINDOW_MS,
  notifiesReporter,
} from './rules';
import { langOf } from '../i18n';
import { statusChanged } from './texts';

/**
 * Staff-side service functions: detail, status changes, moderation. The list is in queries.ts,
 * categories and departments in catalog.ts.
 */

export async function reportDetail(db: Db, id: string) {
  const report = await db.select().from(reports).where(eq(reports.id, id)).get();
  if (!report) return null;
  const [photos, history, supporters] = await Promise.all([
    db.select().from(reportPhotos).where(eq(reportPhotos.reportId, id)).orderBy(asc(reportPhotos.sortOrder)).all(),
    db
      .select()
      .from(reportStatusHistory)
      .where(eq(reportStatusHistory.reportId, id))
      .orderBy(asc(reportStatusHistory.at), asc(reportStatusHistory.id))
      .all(),
    db
      .select({ lineUserId: reportSupporters.lineUserId, createdAt: reportSupporters.createdAt })
      .from(reportSupporters)
      .where(eq(reportSupporters.reportId, id))
      .all(),
  ]);
  // Reports filed as duplicates of this one: staff see the link both ways.
  const duplicates = await db
    .select({ id: reports.id, number: reports.number })
    .from(reports)
    .where(eq(reports.duplicateOf, id))
    .all();
  return { report, photos, history, supporters, duplicates, nearby: await nearbyReports(db, report) };
}

/**
 * Reports of the same category within 30 m and 30 days (before or after) of this one: the
 * ones a resident was shown as a possible duplicate and still sent theirs past, and the
 * ones sent past this one. Derived from rows, nearest first.
 */
async function nearbyReports(
  db: Db,
  r: { id: string; categoryCode: string; lat: number; lng: number; createdAt: number },
) {
  const rows = await db
    .select({ id: reports.id, number: reports.number, status: reports.status, lat: reports.lat, lng: reports.lng })
    .from(reports)
    .where(
      and(
        eq(reports.categoryCode, r.categoryCode),
        gte(reports.createdAt, r.createdAt - DUPLICATE_WINDOW_MS),
        lte(reports.createdAt, r.createdAt + DUPLICATE_WINDOW_MS),
        ne(reports.id, r.id),
        ...inBox(boxAround(r.lat, r.lng, DUPLICATE_RADIUS_M)),
      ),
    )
    .orderBy(asc(reports.number))
    .limit(50)
    .all();
  return rows
    .map(({ lat, lng, ...x }) => ({ ...x, distanceM: distanceM(r.lat, r.lng, lat, lng) }))
    .filter((x) => x.distanceM <= DUPLICATE_RADIUS_M)
    .sort((a, b) => a.distanceM - b.distanceM)
    .map((x) => ({ ...x, distanceM: Math.round(x.distanceM) }));
}

export interface StatusChange {
  status?: ReportStatus;
  publicNote?: string;
  internalNote?: string;
  department?: string;
  duplicateOf?: string;
}

/**
 * One staff change of a report: the new status (checked against the allowed transitions),
 * notes and department, its history row, its audit row and the pushes it causes, all in one
 * D1 batch. The pushes are then tried at once; what fails stays pending for the cron.
 */
export async function changeReport(
  env: Env,
  db: Db,
  by: StaffPrincipal,
  id: string,
  change: StatusChange,
  now: number,
) {
  const report = await db.select().from(reports).where(eq(reports.id, id)).get();
  if (!report) throw problem(404, 'No such report.');
  const to = change.status ?? report.status;
  if (change.status && change.status !== report.status && !canTransition(report.status, change.status)) {
    throw problem(409, `A report cannot move from ${report.status} to ${change.status}.`);
  }
  let duplicateOfNumber: string | null = null;
  if (to === 'duplicate' && change.status === 'duplicate') {
    if (!change.duplicateOf)
      throw problem(400, 'duplicateOf: the original report’s id is required for status duplicate.');
    if (change.duplicateOf === id) throw problem(400, 'duplicateOf: a report cannot duplicate itself.');
    const original = await db
      .select({ number: reports.number })
      .from(reports)
      .where(eq(reports.id, change.duplicateOf))
      .get();
    if (!original) throw problem(400, 'duplicateOf: no such report.');
    duplicateOfNumber = original.number;
  } else if (change.duplicateOf) {
    throw problem(400, 'duplicateOf is only allowed with status duplicate.');
  } else if (to === 'duplicate' && report.duplicateOf) {
    // A note on a report that stays a duplicate still names the one being dealt with.
    const original = await db
      .select({ number: reports.number })
      .from(reports)
      .where(eq(reports.id, report.duplicateOf))
      .get();
    duplicateOfNumber = original?.number ?? null;
  }
  if (change.department && !(await getDepartment(db, change.department)))
    throw problem(400, 'department: no such department.');
  const statusMoved = change.status !== undefined && change.status !== report.status;
  const publicNote = change.publicNote?.trim() || null;
  const internalNote = change.internalNote?.trim() || null;
  const departmentChanged = change.department !== undefined && change.department !== report.departmentId;
  if (!statusMoved && !publicNote && !internalNote && !departmentChanged) throw problem(400, 'Nothing to change.');

  const notify = (statusMoved && notifiesReporter(report.status, to, publicNote)) || (!statusMoved && !!publicNote);
  const supporters = await db
    .select({ u: reportSupporters.lineUserId })
    .from(reportSupporters)
    .where(eq(reportSupporters.reportId, id))
    .all();
  const recipients = notify ? await followingAmong(db, [report.reporterLineUserId, ...supporters.map((s) => s.u)]) : [];
  const messageFor = (language: string | null) =>
    statusChanged(report.number, report.status, to, publicNote, duplicateOfNumber, langOf(language));
  const notificationIds = recipients.map(() => crypto.randomUUID());

  // The update holds only while the report is as read above: when another change landed
  // meanwhile (two staff closing it at once), the batch writes nothing and pushes nothing.
  // Every later statement runs only if the one before it wrote its one row.
  const ifChanged = 'WHERE changes() = 1';
  const d1 = env.DB;
  const stmts: D1PreparedStatement[] = [
    d1
      .prepare(
        // A report moved to another department is mailed again, to the new one, by the cron.
        `UPDATE reports SET status = ?, department_id = ?, duplicate_of = ?, updated_at = ?,
           closed_at = CASE WHEN ? THEN COALESCE(closed_at, ?) ELSE NULL END,
           mail_status = CASE WHEN ? THEN 'pending' ELSE mail_status END,
           mail_attempts = CASE WHEN ? THEN 0 ELSE mail_attempts END,
           mail_next_at = CASE WHEN ? THEN ? ELSE mail_next_at END
         WHERE id = ? AND status = ? AND updated_at = ?`,
      )
      .bind(
        to,
        change.department ?? report.departmentId,
        to === 'duplicate' ? (change.duplicateOf ?? report.duplicateOf) : null,
        now,
        CLOSED_STATUSES.includes(to) ? 1 : 0,
        now,
        departmentChanged ? 1 : 0,
        departmentChanged ? 1 : 0,
        departmentChanged ? 1 : 0,
        now,
        id,
        report.status,
        report.updatedAt,
      ),
    d1
      .prepare(
        `INSERT INTO report_status_history (report_id, at, actor, from_status, to_status, public_note, internal_note, department_id)
         SELECT ?, ?, ?, ?, ?, ?, ?, ? ${ifChanged}`,
      )
      .bind(id, now, by.id, report.status, to, publicNote, internalNote, change.department ?? report.departmentId),
  ];
  recipients.forEach((u, i) => {
    stmts.push(
      d1
        .prepare(
          `INSERT INTO report_notifications (id, report_id, history_id, line_user_id, messages, status, attempts, created_at)
           SELECT ?, ?, (SELECT max(id) FROM report_status_history WHERE report_id = ?), ?, ?, 'pending', 0, ? ${ifChanged}`,
        )
        .bind(notificationIds[i]!, id, id, u.id, JSON.stringify([messageFor(u.language)]), now),
    );
  });
  const reporterHandle = report.reporterLineUserId ? await handleOf(db, report.reporterLineUserId) : null;
  const auditRow = auditRecord(db, by, 'report.update', 'report', id, {
    ...(reporterHandle ? { resident: reporterHandle } : {}),
    from: report.status,
    to,
    department: change.department,
    publicNote: !!publicNote,
    internalNote: !!internalNote,
    notified: recipients.length,
  }).toSQL();
  const guardedAudit = auditRow.sql.replace(/ values \((.*)\)$/, ` select $1 ${ifChanged}`);
  if (guardedAudit === auditRow.sql) throw new Error(`audit insert not in the expected shape: ${auditRow.sql}`);
  stmts.push(d1.prepare(guardedAudit).bind(...auditRow.params));
  const [updated] = await d1.batch(stmts);
  if (updated?.meta.changes !== 1) throw problem(409, 'The report changed meanwhile; reload it and try again.');
  await sendNotifications(env, db, notificationIds, now);
  return { notified: recipients.length };
}

/* ───────── moderation (terms §1) ───────── */

/**
 * Hides (or shows again) a report; each way takes a reason, recorded in the audit log. The
 * report's own text is never touched: staff with the role still read it (terms §1 evidence).
 */
export async function setReportHidden(
  db: Db,
  by: StaffPrincipal,
  id: string,
  hidden: boolean,
  reason: string,
  now: number,
) {
  const report = await db.select({ id: reports.id }).from(reports).where(eq(reports.id, id)).get();
  if (!report) throw problem(404, 'No such report.');
  await db.batch([
    db
      .update(reports)
      .set(
        hidden
          ? { hiddenAt: now, hiddenReason: reason, hiddenBy: by.id, updatedAt: now }
          : { hiddenAt: null, hiddenReason: null, hiddenBy: null, updatedAt: now },
      )
      .where(eq(reports.id, id)),
    auditRecord(db, by, hidden ? 'report.hide' : 'report.unhide', 'report', id, { reason }),
  ]);
}

export async function setPhotoHidden(
  db: Db,
  by: StaffPrincipal,
  reportId: string,
  photoId: string,
  hidden: boolean,
  reason: string,
  now: number,
) {
  const photo = await db
    .select({ id: reportPhotos.id })
    .from(reportPhotos)
    .where(and(eq(reportPhotos.id, photoId), eq(reportPhotos.reportId, reportId)))
    .get();
  if (!photo) throw problem(404, 'No such photo.');
  await db.batch([
    db
      .update(reportPhotos)
      .set(
        hidden
          ? { hiddenAt: now, hiddenReason: reason, hiddenBy: by.id }
          : { hiddenAt: null, hiddenReason: null, hiddenBy: null },
      )
      .where(eq(reportPhotos.id, photoId)),
    auditRecord(db, by, hidden ? 'report.photo.hide' : 'report.photo.unhide', 'report_photo', photoId, {
      reportId,
      reason,
    }),
  ]);
}

export async function getPhoto(db: Db, reportId: string, photoId: string) {
  return db
    .select()
    .from(reportPhotos)
    .where(and(eq(reportPhotos.id, photoId), eq(reportPhotos.reportId, reportId)))
    .get();
}

/** A photo's bytes from R2 with their type, or null when its row or its object is gone. */
export async function photoContent(env: Env, db: Db, reportId: string, photoId: string) {
  const photo = await getPhoto(db, reportId, photoId);
  const obj = photo ? await env.PHOTOS.get(photo.r2Key) : null;
  return photo && obj ? { contentType: photo.contentType, body: obj.body } : null;
}
