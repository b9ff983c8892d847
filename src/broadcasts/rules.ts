import { asc } from 'drizzle-orm';
import { EVERY_DAY, nextOpening, parseHours, WEEKDAYS, type ReleaseRules, type WindowSpec } from '../calendar/hours';
import type { Db } from '../db/client';
import { closureDays } from '../db/schema';
import { config } from '../config';
import type { AudienceKind } from './audience';

/**
 * The window of each audience kind. Policy §5 binds city information to office days and
 * hours; school and association messages have their own daily windows. Hours come from
 * the configuration; a malformed value falls back to the default rather than never opening.
 * `schoolWindow` is the school's own `window` (`HH:MM-HH:MM`), which wins over
 * BROADCAST_HOURS_SCHOOL for that school's messages.
 */
export function windowFor(kind: AudienceKind, env: Env, schoolWindow?: string | null): WindowSpec {
  const hours = config(env).broadcastHours;
  if (kind === 'city') {
    return {
      days: WEEKDAYS,
      ...(parseHours(hours.city) ?? { open: 8 * 60 + 30, close: 18 * 60 }),
      closedOnHolidays: true,
      closedAtYearEnd: true,
    };
  }
  const h =
    kind === 'school'
      ? ((schoolWindow ? parseHours(schoolWindow) : null) ??
        parseHours(hours.school) ?? { open: 7 * 60, close: 20 * 60 })
      : (parseHours(hours.community) ?? { open: 7 * 60, close: 21 * 60 });
  return { days: EVERY_DAY, ...h, closedOnHolidays: false, closedAtYearEnd: false };
}

export async function loadClosureDays(d: Db): Promise<Set<string>> {
  const rows = await d.select({ date: closureDays.date }).from(closureDays).orderBy(asc(closureDays.date)).all();
  return new Set(rows.map((r) => r.date));
}

/** The city office's closure days close only the city window; schools and associations keep their own calendars. */
export function rulesFor(
  kind: AudienceKind,
  env: Env,
  closures: ReadonlySet<string>,
  schoolWindow?: string | null,
): ReleaseRules {
  return { window: windowFor(kind, env, schoolWindow), closureDays: kind === 'city' ? closures : new Set() };
}

/**
 * When a scheduled broadcast will be released: not before `scheduledAt`, then at the
 * next opening of its window (urgent ones skip the window). The cron runs every minute,
 * so the release happens within a minute of this.
 */
export function releaseTime(
  b: { scheduledAt: number | null; urgent: boolean },
  now: number,
  rules: ReleaseRules,
): number | null {
  const due = Math.max(now, b.scheduledAt ?? now);
  return b.urgent ? due : nextOpening(due, rules);
}
