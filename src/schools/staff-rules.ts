import { DAY_MS, jstParts } from '../calendar/jst';
import type { SchoolKind } from '../db/schema';

/**
 * Pure rules of the staff side of schools: what a school's settings and a roster row may hold,
 * which day a notice is listed on, how a school year moves on, when a notice is deleted.
 * Table-tested in test/schools-rules.test.ts. (The chat's rules are in rules.ts.)
 */

/** `HH:MM`, 00:00–23:59. */
export function isHhMm(s: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}

/** `HH:MM-HH:MM` with the start before the end (a window does not run over midnight). */
export function isWindow(s: string): boolean {
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(s);
  return !!m && isHhMm(m[1]!) && isHhMm(m[2]!) && m[1]! < m[2]!;
}

/** A phone number as Japanese offices write it: digits and hyphens, starting and ending with a digit. */
export function isPhone(s: string): boolean {
  return /^\d[\d-]{0,18}\d$/.test(s) && !s.includes('--');
}

/** Hiragana or katakana (full- or half-width), with the long-vowel mark, middle dot and spaces between names. */
export function isKana(s: string): boolean {
  return /^[\p{Script=Hiragana}\p{Script=Katakana}ー・･ﾞﾟ\s]+$/u.test(s) && s.trim() !== '';
}

/** The highest grade of each kind of school; a pupil in it graduates at the next rollover. */
export const TOP_GRADE: Record<SchoolKind, number> = {
  elementary: 6,
  junior_high: 3,
  compulsory: 9,
  high: 3,
};

/** Where a pupil goes at the new school year: the next grade, or out (graduated). */
export function nextGrade(grade: number, kind: SchoolKind): number | 'graduated' {
  return grade >= TOP_GRADE[kind] ? 'graduated' : grade + 1;
}

/** A school year's number (April to March), which is what a rollover is idempotent on. */
export function schoolYearOf(ms: number): number {
  const p = jstParts(ms);
  return p.month >= 4 ? p.year : p.year - 1;
}

/** `YYYY-MM-DD` moved by `n` days (calendar arithmetic, no time zone involved). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The longest range a notice may cover (the chat enforces it); the day's list looks back this far. */
export const MAX_RANGE_DAYS = 14;

/** A notice from `date` to `dateTo` (or that one day) is on the list of every day it covers. */
export function coversDay(date: string, dateTo: string | null, day: string): boolean {
  return date <= day && (dateTo ?? date) >= day;
}

/**
 * The earliest last day a notice may have and still be kept: notices whose (last) day is
 * before it are deleted. With 400 days, a notice for 2026-01-01 goes on 2027-02-06 JST.
 */
export function retentionKeepFrom(now: number, retentionDays: number): string {
  return addDays(jstParts(now).date, -retentionDays);
}

/** When a code issued at `now` stops working. */
export function codeExpiresAt(now: number, codeDays: number): number {
  return now + codeDays * DAY_MS;
}
