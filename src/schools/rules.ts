import { DAY_MS, isJstDate, JST_OFFSET_MS, jstParts } from '../calendar/jst';
import type { AbsenceType } from '../db/schema';

/**
 * The guardians' notice as pure rules: the cut-off, the days a notice may name, the
 * temperature and time a guardian types, and which step of the draft comes next.
 */

/** A notice names today or one of the next 14 days; a range covers at most 14 days. */
export const MAX_DAYS_AHEAD = 14;
export const MAX_RANGE_DAYS = 14;
export const MAX_NOTE_CHARS = 200;
export const MIN_TEMPERATURE = 35;
export const MAX_TEMPERATURE = 42;
/** 連絡履歴 shows the notices sent in this many days. */
export const HISTORY_DAYS = 30;
export const MAX_WRONG_CODES = 5;
export const WRONG_CODE_WINDOW_MS = 60 * 60 * 1000;
export const MAX_GUARDIANS_PER_PUPIL = 2;

export const SYMPTOMS = ['発熱', '咳', '頭痛', '腹痛', '嘔吐', 'その他'] as const;
/** The reason that asks for symptoms and a temperature. */
export const ILLNESS = '体調不良';

/** `HH:MM` → minutes since midnight, or null when it is no time of day. */
export function minutesOf(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/**
 * Whether a notice for today sent at `now` is after the school's cut-off (JST). At or past
 * counts: "08:00" makes 08:00:00 late, and "00:00" every same-day notice.
 */
export function afterCutoff(cutoff: string, now: number): boolean {
  const limit = minutesOf(cutoff);
  if (limit === null) return false;
  const msIntoDay = (now + JST_OFFSET_MS) % DAY_MS;
  return msIntoDay >= limit * 60_000;
}

/** The JST day `n` days after `date` (`YYYY-MM-DD`). */
export function addDays(date: string, n: number): string {
  return jstParts(Date.parse(`${date}T00:00:00+09:00`) + n * DAY_MS).date;
}

/** Days from `from` to `to`, counting both (a single day is 1). */
export function daysCovered(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

export function today(now: number): string {
  return jstParts(now).date;
}

/** The days a date picker offers: today to today + 14. */
export function dateBounds(now: number): { min: string; max: string } {
  const min = today(now);
  return { min, max: addDays(min, MAX_DAYS_AHEAD) };
}

/** Whether a picked date (or a typed one) is a day a notice may name. */
export function dateAllowed(date: unknown, now: number): date is string {
  if (typeof date !== 'string' || !isJstDate(date)) return false;
  const { min, max } = dateBounds(now);
  return date >= min && date <= max;
}

export type RangeCheck = 'ok' | 'outside' | 'reversed' | 'too_long';

/** A period from `from` to `to`: both allowed days, in order, at most 14 days. */
export function checkRange(from: string, to: unknown, now: number): RangeCheck {
  if (!dateAllowed(from, now) || !dateAllowed(to, now)) return 'outside';
  if (to < from) return 'reversed';
  return daysCovered(from, to) > MAX_RANGE_DAYS ? 'too_long' : 'ok';
}

/** Full-width digits and punctuation as ASCII, surrounding spaces gone. */
function ascii(text: string): string {
  return text.normalize('NFKC').trim();
}

/**
 * A temperature as a guardian types it: `37.5`, `37.5度`, `３７．５℃`, `38`. Null when it is
 * no number or outside 35.0–42.0; one decimal kept.
 */
export function parseTemperature(text: string): number | null {
  const m = /^(\d{2}(?:\.\d)?)\s*(?:度|°C|℃|°|C)?$/i.exec(ascii(text));
  if (!m) return null;
  const t = Number(m[1]);
  return t >= MIN_TEMPERATURE && t <= MAX_TEMPERATURE ? t : null;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * A time of day as a guardian types it or the time picker sends it: `9:30`, `09:30`,
 * `９：３０`, `9時30分`, `9時`. Returns `HH:MM` or null.
 */
export function parseTime(text: string): string | null {
  const s = ascii(text);
  const m = /^(\d{1,2}):(\d{2})$/.exec(s) ?? /^(\d{1,2})時(?:(\d{1,2})分|半)?$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = s.endsWith('半') ? 30 : Number(m[2] ?? 0);
  return h < 24 && min < 60 ? `${pad2(h)}:${pad2(min)}` : null;
}

/** Note length as a person counts characters (an emoji is one). */
export function noteLength(text: string): number {
  return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;
}

/* ───────── the draft ───────── */

export interface Draft {
  /** Fixed when the draft starts, so a retried 送信 stores one notice. */
  noticeId: string;
  pupilId?: string;
  date?: string;
  dateTo?: string;
  type?: AbsenceType;
  reason?: string;
  symptoms?: string[];
  temperature?: number | null;
  time?: string;
  note?: string | null;
  /** Came here from 修正: answered steps are skipped on the way back to the summary. */
  editing?: boolean;
}

export type NoticeStep =
  | 'child'
  | 'date'
  | 'range_from'
  | 'range_to'
  | 'type'
  | 'reason'
  | 'symptoms'
  | 'temperature'
  | 'time'
  | 'note'
  | 'confirm'
  | 'edit';

/**
 * The step after `done`, as the draft and the school's settings make it: symptoms and the
 * temperature only for 体調不良, a time only for lateness and early leave, a note only when
 * the school takes notes. Each step's answer leads here, so 修正 of one step walks on through
 * whatever it now needs (a reason changed to 体調不良 then asks for symptoms).
 */
export function stepAfter(done: NoticeStep, d: Draft, noteEnabled: boolean): NoticeStep {
  const order: NoticeStep[] = ['child', 'date', 'type', 'reason', 'symptoms', 'temperature', 'time', 'note', 'confirm'];
  const from = done === 'range_from' || done === 'range_to' ? 'date' : done;
  for (const step of order.slice(order.indexOf(from) + 1)) {
    if ((step === 'symptoms' || step === 'temperature') && d.reason !== ILLNESS) continue;
    if (step === 'time' && d.type !== 'late' && d.type !== 'early_leave') continue;
    if (step === 'note' && !noteEnabled) continue;
    return step;
  }
  return 'confirm';
}

/** Whether the draft already answers `step` (修正 walks past the steps still answered). */
function answered(step: NoticeStep, d: Draft): boolean {
  if (step === 'type') return d.type !== undefined;
  if (step === 'reason') return d.reason !== undefined;
  if (step === 'symptoms') return d.symptoms !== undefined;
  if (step === 'temperature') return d.temperature !== undefined;
  if (step === 'time') return d.time !== undefined;
  if (step === 'note') return d.note !== undefined;
  return false;
}

/** The next step; while editing (修正), the steps already answered are skipped on the way back to the summary. */
export function nextStep(done: NoticeStep, d: Draft, noteEnabled: boolean, editing: boolean): NoticeStep {
  let step = stepAfter(done, d, noteEnabled);
  while (editing && step !== 'confirm' && answered(step, d)) step = stepAfter(step, d, noteEnabled);
  return step;
}

/** What the draft must hold once it reaches the summary (a damaged or outdated state starts over). */
export function draftComplete(d: Draft): boolean {
  if (!d.pupilId || !d.date || !d.type || !d.reason) return false;
  if ((d.type === 'late' || d.type === 'early_leave') && !d.time) return false;
  return true;
}

/** The symptoms chosen so far with `s` added or taken away, in the list's order. */
export function toggleSymptom(chosen: readonly string[], s: string): string[] {
  const set = new Set(chosen);
  if (set.has(s)) set.delete(s);
  else set.add(s);
  return SYMPTOMS.filter((x) => set.has(x));
}

/** A notice may be withdrawn until its (last) day has passed, confirmed or not, but only once. */
export function withdrawable(n: { status: string; date: string; dateTo: string | null }, now: number): boolean {
  return n.status !== 'withdrawn' && (n.dateTo ?? n.date) >= today(now);
}
