import { jstYear } from '../calendar/jst';
import type { AbsenceType } from '../db/schema';

/** A notice as the guardian sends it; immutable once stored (only confirmation and withdrawal follow). */
export interface NewNotice {
  /** Chosen when the draft starts, so a retried 送信 stores the same notice, not a second one. */
  id: string;
  schoolId: string;
  pupilId: string;
  guardianLineUserId: string;
  date: string;
  dateTo: string | null;
  type: AbsenceType;
  reason: string;
  symptoms: string[];
  temperature: number | null;
  time: string | null;
  note: string | null;
  late: boolean;
}

/**
 * Stores a notice with its number `A-YYYY-NNNNNN` in one D1 batch (one transaction): the
 * year's counter is bumped in the same batch, so notices sent at once get consecutive
 * numbers and a failure leaves no gap. The bump and the insert are guarded by "this notice
 * does not exist yet", so a retried event changes nothing the second time.
 */
export async function submitNotice(env: Env, n: NewNotice, now: number): Promise<{ id: string; number: string }> {
  const year = jstYear(now);
  const notYet = `NOT EXISTS (SELECT 1 FROM absence_notices WHERE id = ?)`;
  const d1 = env.DB;
  await d1.batch([
    d1.prepare(`INSERT INTO absence_counters (year, last) VALUES (?, 0) ON CONFLICT(year) DO NOTHING`).bind(year),
    d1.prepare(`UPDATE absence_counters SET last = last + 1 WHERE year = ? AND ${notYet}`).bind(year, n.id),
    d1
      .prepare(
        `INSERT INTO absence_notices (id, number, school_id, pupil_id, guardian_line_user_id, date, date_to, type, reason,
         symptoms, temperature, time, note, late, status, submitted_at)
       SELECT ?, 'A-' || year || '-' || printf('%06d', last), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?
       FROM absence_counters WHERE year = ? AND ${notYet}`,
      )
      .bind(
        n.id,
        n.schoolId,
        n.pupilId,
        n.guardianLineUserId,
        n.date,
        n.dateTo,
        n.type,
        n.reason,
        JSON.stringify(n.symptoms),
        n.temperature,
        n.time,
        n.note,
        n.late ? 1 : 0,
        now,
        year,
        n.id,
      ),
  ]);
  const row = await d1
    .prepare(`SELECT number FROM absence_notices WHERE id = ?`)
    .bind(n.id)
    .first<{ number: string }>();
  if (!row) throw new Error(`notice ${n.id} was not stored`);
  return { id: n.id, number: row.number };
}

export async function storedNotice(env: Env, id: string): Promise<{ number: string; late: boolean } | null> {
  const row = await env.DB.prepare(`SELECT number, late FROM absence_notices WHERE id = ?`)
    .bind(id)
    .first<{ number: string; late: number }>();
  return row ? { number: row.number, late: row.late === 1 } : null;
}
