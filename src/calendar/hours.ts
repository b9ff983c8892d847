import { nationalHoliday } from './holidays';
import { DAY_MS, jstDayStart, jstParts } from './jst';

/**
 * When one kind of message may go out, in JST. Each audience kind (city, school,
 * association) has its own; the defaults live in the configuration (env.ts).
 */
export interface WindowSpec {
  /** Weekdays on which the window opens, 0 = Sunday … 6 = Saturday. */
  days: readonly number[];
  /** Minutes since JST midnight; `open` inclusive, `close` exclusive (18:00 is already closed). */
  open: number;
  close: number;
  /** National and substitute holidays close the day. */
  closedOnHolidays: boolean;
  /** 12/29–1/3, the city office's year-end and new-year break. */
  closedAtYearEnd: boolean;
}

export interface ReleaseRules {
  window: WindowSpec;
  /** Extra closure days (`YYYY-MM-DD`, JST) added by staff. */
  closureDays: ReadonlySet<string>;
}

export const WEEKDAYS = [1, 2, 3, 4, 5] as const;
export const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6] as const;

/** Reads `HH:MM-HH:MM` (e.g. `08:30-18:00`) into minutes; null when malformed. */
export function parseHours(s: string): { open: number; close: number } | null {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const [oh, om, ch, cm] = m.slice(1).map(Number) as [number, number, number, number];
  if (oh > 23 || ch > 24 || om > 59 || cm > 59 || (ch === 24 && cm !== 0)) return null;
  const open = oh * 60 + om;
  const close = ch * 60 + cm;
  return open < close ? { open, close } : null;
}

export type ClosedReason = 'weekday' | 'holiday' | 'year_end' | 'closure_day' | 'before_hours' | 'after_hours';

/** Why the window is shut at `now`, or null when it is open. */
export function closedReason(now: number, rules: ReleaseRules): ClosedReason | null {
  const p = jstParts(now);
  const day = dayClosedReason(p, rules);
  if (day) return day;
  if (p.minutes < rules.window.open) return 'before_hours';
  if (p.minutes >= rules.window.close) return 'after_hours';
  return null;
}

export function isOpen(now: number, rules: ReleaseRules): boolean {
  return closedReason(now, rules) === null;
}

function dayClosedReason(p: ReturnType<typeof jstParts>, rules: ReleaseRules): ClosedReason | null {
  const w = rules.window;
  if (!w.days.includes(p.weekday)) return 'weekday';
  if (w.closedOnHolidays && nationalHoliday(p.date)) return 'holiday';
  if (w.closedAtYearEnd && ((p.month === 12 && p.day >= 29) || (p.month === 1 && p.day <= 3))) return 'year_end';
  if (rules.closureDays.has(p.date)) return 'closure_day';
  return null;
}

/** Far enough for any real calendar (the longest closure is a week); bounded so a rule set that never opens ends. */
const HORIZON_DAYS = 400;

/**
 * The first moment at or after `now` when the window is open: `now` itself when it is
 * open, else the opening time of the next open day. Null when nothing opens within a
 * year or so (e.g. a window with no days), which the caller reports instead of waiting.
 */
export function nextOpening(now: number, rules: ReleaseRules): number | null {
  if (isOpen(now, rules)) return now;
  const today = jstDayStart(now);
  for (let i = 0; i <= HORIZON_DAYS; i++) {
    // Noon avoids any doubt about which day a midnight belongs to.
    const midnight = today + i * DAY_MS;
    if (dayClosedReason(jstParts(midnight + DAY_MS / 2), rules)) continue;
    const opening = midnight + rules.window.open * 60_000;
    if (opening >= now) return opening;
  }
  return null;
}
