import { and, asc, eq, isNull, lte, or } from 'drizzle-orm';
import { db as makeDb, type Db } from '../db/client';
import { reportPhotos, reports } from '../db/schema';
import { config } from '../config';
import { jstText } from '../calendar/jst';
import { MAIL_MAX_ATTEMPTS, mailBackoffMs } from './rules';
import { getCategory, getDepartment } from './catalog';
import { log } from '../http/log';

/**
 * The department hears of each new report by e-mail, through Cloudflare's send_email
 * binding (`REPORT_MAIL`). Delivery is tracked on the report (pending → sent, or failed
 * with the reason after MAIL_MAX_ATTEMPTS); the cron retries what is due, staff can re-send.
 *
 * Locally (wrangler dev and vitest) miniflare's binding writes each message to a file in its
 * temp directory and logs the path; nothing leaves the machine.
 */

/** How long one attempt holds the report's mail before another may try. */
export const MAIL_LEASE_MS = 2 * 60_000;

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** The one place the binding is called. */
export async function sendMail(env: Env, mail: OutgoingMail): Promise<string> {
  if (!env.REPORT_MAIL) throw new Error('REPORT_MAIL binding is not configured');
  const result = await env.REPORT_MAIL.send({
    from: { name: '岡山市公式LINE 損傷通報', email: config(env).reportMailFrom },
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
  });
  return result.messageId;
}

export interface MailFacts {
  number: string;
  id: string;
  categoryName: string;
  subtypeName: string;
  departmentName: string;
  lat: number;
  lng: number;
  address: string | null;
  description: string;
  photoCount: number;
  createdAt: number;
  /** The worker's public origin; undefined when the cron runs without PUBLIC_ORIGIN. */
  origin: string | undefined;
}

/**
 * How a clerk gets from the mail to the report: its page in the staff console (sign-in with a
 * staff token, then the page opens), and for integrations the API calls — a browser cannot send
 * the bearer token the API needs, so a bare API URL opens only a 401.
 * Without an origin the paths stay relative rather than pointing at a host that may not be us.
 */
function staffAccess(origin: string | undefined, id: string): string[] {
  const base = origin?.replace(/\/+$/, '') ?? '';
  const report = `${base}/api/v1/reports/${id}`;
  return [
    '■ 詳細の確認・対応状況の更新',
    `職員コンソール（report_manager または admin の職員トークンでログイン）：${base}/admin/reports/${id}`,
    '',
    'システム連携用の職員API（ブラウザでURLを開くだけでは、トークンが送られないため表示されません）：',
    `・詳細（写真・対応履歴）：GET ${report}`,
    `  curl -H "Authorization: Bearer <職員トークン>" ${report}`,
    `・写真：GET ${report}/photos/<写真ID>（詳細の photos の url）`,
    `・対応状況の更新：PATCH ${report}（例：{"status":"accepted"}）`,
    `・APIの説明：${base}/api/v1/docs`,
    ...(base ? [] : ['※ PUBLIC_ORIGIN が未設定のため、各URLの先頭にこのサービスのアドレスを付けてください。']),
  ];
}

/**
 * What the department reads. No LINE user ID and nothing else that identifies the resident:
 * mail leaves the system, and staff who need the reporter use the audited API.
 */
export function composeReportMail(f: MailFacts, to: string): OutgoingMail {
  const lines = [
    `${f.departmentName} ご担当者様`,
    '',
    '岡山市公式LINEから道路・公園の損傷通報が届きました。',
    '',
    `受付番号：${f.number}`,
    `受付日時：${jstText(f.createdAt)}`,
    `種類：${f.categoryName}／${f.subtypeName}`,
    `場所：${f.address ?? '（住所なし）'}`,
    `緯度経度：${f.lat.toFixed(6)}, ${f.lng.toFixed(6)}`,
    `地図：https://www.google.com/maps/search/?api=1&query=${f.lat.toFixed(6)},${f.lng.toFixed(6)}`,
    `写真：${f.photoCount}枚`,
    '',
    '説明：',
    f.description || '（説明なし）',
    '',
    ...staffAccess(f.origin, f.id),
  ];
  return { to, subject: `【LINE損傷通報】${f.number} ${f.categoryName}／${f.subtypeName}`, text: lines.join('\n') };
}

/** Sends one report's department mail and records the outcome. Never throws: a failure is data. */
export async function deliverReportMail(
  env: Env,
  db: Db,
  reportId: string,
  now: number,
  origin: string | undefined,
): Promise<'sent' | 'pending' | 'failed'> {
  const report = await db.select().from(reports).where(eq(reports.id, reportId)).get();
  if (!report) return 'failed';
  // A retried conversation event or two overlapping cron ticks must not mail twice.
  if (report.mailStatus === 'sent') return 'sent';
  // Claim the attempt: whoever moves mail_next_at past now sends; anyone else (the cron
  // ticking while the conversation sends) sees no change and leaves it. The outcome below
  // replaces the lease; a crash mid-send leaves it to expire and the cron to try again.
  const claim = await env.DB.prepare(
    `UPDATE reports SET mail_next_at = ? WHERE id = ? AND mail_status = 'pending' AND (mail_next_at IS NULL OR mail_next_at <= ?)`,
  )
    .bind(now + MAIL_LEASE_MS, reportId, now)
    .run();
  if (claim.meta.changes !== 1) return report.mailStatus;
  const attempts = report.mailAttempts + 1;
  try {
    const [category, subtype, department] = await Promise.all([
      getCategory(db, report.categoryCode),
      getCategory(db, report.subtypeCode),
      getDepartment(db, report.departmentId),
    ]);
    if (!department) throw new Error(`no department for report (department_id ${report.departmentId ?? 'null'})`);
    const photos = await db
      .select({ id: reportPhotos.id })
      .from(reportPhotos)
      .where(and(eq(reportPhotos.reportId, report.id), isNull(reportPhotos.hiddenAt)))
      .all();
    const mail = composeReportMail(
      {
        number: report.number,
        id: report.id,
        categoryName: category?.nameJa ?? report.categoryCode,
        subtypeName: subtype?.nameJa ?? report.subtypeCode,
        departmentName: department.name,
        lat: report.lat,
        lng: report.lng,
        address: report.address,
        description: report.description,
        photoCount: photos.length,
        createdAt: report.createdAt,
        origin,
      },
      department.email,
    );
    const messageId = await sendMail(env, mail);
    await db
      .update(reports)
      .set({
        mailStatus: 'sent',
        mailAttempts: attempts,
        mailSentAt: now,
        mailMessageId: messageId,
        mailLastError: null,
        mailNextAt: null,
      })
      .where(eq(reports.id, report.id));
    return 'sent';
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    const failed = attempts >= MAIL_MAX_ATTEMPTS;
    await db
      .update(reports)
      .set({
        mailStatus: failed ? 'failed' : 'pending',
        mailAttempts: attempts,
        mailLastError: reason,
        mailNextAt: failed ? null : now + mailBackoffMs(attempts),
      })
      .where(eq(reports.id, report.id));
    log.warn('department mail not sent', { report: report.number, attempts, failed, reason });
    return failed ? 'failed' : 'pending';
  }
}

/** Enough for a busy minute; a backlog drains over the next ticks. */
const MAIL_PER_TICK = 50;

/**
 * Cron: sends every department mail that is due, oldest first, a bounded number per tick.
 * `origin` is PUBLIC_ORIGIN: the cron has no request to take the worker's address from.
 */
export async function retryDueMail(env: Env, now: number, origin: string | undefined): Promise<number> {
  const db = makeDb(env.DB);
  const due = await db
    .select({ id: reports.id })
    .from(reports)
    .where(and(eq(reports.mailStatus, 'pending'), or(isNull(reports.mailNextAt), lte(reports.mailNextAt, now))))
    .orderBy(asc(reports.mailNextAt))
    .limit(MAIL_PER_TICK)
    .all();
  for (const r of due) await deliverReportMail(env, db, r.id, now, origin);
  return due.length;
}

/**
 * Staff re-send: a sent or failed mail, or one waiting out a back-off longer than a lease,
 * goes back to pending and is tried at once. A mail held by an attempt in progress (its
 * lease ends within MAIL_LEASE_MS) is left to it: resetting it would send a second copy
 * (a double click, or the conversation's first attempt still on its way).
 */
export async function resendReportMail(env: Env, db: Db, reportId: string, now: number, origin: string) {
  await env.DB.prepare(
    `UPDATE reports SET mail_status = 'pending', mail_attempts = 0, mail_next_at = ?
     WHERE id = ? AND (mail_status IN ('sent', 'failed') OR (mail_status = 'pending' AND mail_next_at > ?))`,
  )
    .bind(now, reportId, now + MAIL_LEASE_MS)
    .run();
  return deliverReportMail(env, db, reportId, now, origin);
}
