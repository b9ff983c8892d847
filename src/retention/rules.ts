import { DAY_MS } from '../calendar/jst';

/** The retention rules as pure functions: when a record's period has passed, and when the clean-up runs. */

export const HOUR_MS = 60 * 60 * 1000;

/** The moment `days` × 24 h before `now`: a record from this moment or earlier has had its period. */
export function cutoff(now: number, days: number): number {
  return now - days * DAY_MS;
}

/** Whether a record timed `at` is due for removal after `days` (the period has fully passed). */
export function periodPassed(at: number, days: number, now: number): boolean {
  return at <= cutoff(now, days);
}

/**
 * The audit log is kept *at least* its period: a row is removed only once it is older than
 * that, never at the boundary itself.
 */
export function auditExpired(at: number, days: number, now: number): boolean {
  return at < cutoff(now, days);
}

/**
 * The clean-up runs at the first cron tick of each hour: the first tick whose hour (by
 * scheduledTime) has no run yet. A missed :00 tick is made up by the next one; a second
 * tick in the same hour does nothing.
 */
export function retentionDue(lastRunAt: number | null, now: number): boolean {
  return lastRunAt === null || Math.floor(lastRunAt / HOUR_MS) < Math.floor(now / HOUR_MS);
}

/**
 * The residents (a `users` rowid range, `[after, upTo]`) whose conversations the run at `now`
 * asks to prune: slices of `limit` rowids, one slice per hour in turn, so every resident is
 * asked once every ⌈maxRowid / limit⌉ hours and no run asks more than `limit`. Null: no residents.
 */
export function sweepSlice(maxRowid: number, limit: number, now: number): { after: number; upTo: number } | null {
  if (maxRowid <= 0 || limit <= 0) return null;
  const slices = Math.ceil(maxRowid / limit);
  const k = Math.floor(now / HOUR_MS) % slices;
  return { after: k * limit, upTo: (k + 1) * limit };
}
