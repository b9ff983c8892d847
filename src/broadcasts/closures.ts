import { asc, eq } from 'drizzle-orm';
import type { ReleaseRules } from '../calendar/hours';
import { auditRecord, audit } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { closureDays, schools } from '../db/schema';
import { audienceKind, type Audience } from './audience';
import { loadClosureDays, rulesFor } from './rules';

/**
 * The city's own closure days (臨時閉庁日), which close the city broadcast window like a
 * holiday. Staff keep the list; the hours rule reads it.
 */

export async function listClosureDays(d: Db) {
  return d.select().from(closureDays).orderBy(asc(closureDays.date)).all();
}

export async function addClosureDay(d: Db, by: StaffPrincipal, date: string, reason: string) {
  const existing = await d.select().from(closureDays).where(eq(closureDays.date, date)).get();
  if (existing) throw problem(409, `${date} is already a closure day.`);
  const row = { date, reason, createdBy: by.id, createdAt: Date.now() };
  await d.batch([
    d.insert(closureDays).values(row),
    auditRecord(d, by, 'closure_day.create', 'closure_day', date, { reason }),
  ]);
  return row;
}

export async function deleteClosureDay(d: Db, by: StaffPrincipal, date: string): Promise<boolean> {
  const deleted = await d.delete(closureDays).where(eq(closureDays.date, date)).returning({ date: closureDays.date });
  if (deleted.length === 0) return false;
  await audit(d, by, 'closure_day.delete', 'closure_day', date);
  return true;
}

/** Reads the closure days at most once for everything one request or one tick decides, and only if it needs them. */
export function closureLoader(d: Db) {
  let cached: Promise<Set<string>> | null = null;
  return () => (cached ??= loadClosureDays(d));
}

/**
 * The release rules of a broadcast's audience, reading the closure days and each school's
 * own window at most once for everything one request or one tick decides.
 */
export function rulesLoader(env: Env, d: Db): (audience: Audience) => Promise<ReleaseRules> {
  const closures = closureLoader(d);
  const windows = new Map<string, Promise<string | null>>();
  const schoolWindow = (id: string) => {
    let w = windows.get(id);
    if (!w) {
      w = d
        .select({ window: schools.window })
        .from(schools)
        .where(eq(schools.id, id))
        .get()
        .then((r) => r?.window ?? null);
      windows.set(id, w);
    }
    return w;
  };
  return async (audience) => {
    const kind = audienceKind(audience);
    if (kind === 'school' && audience.type === 'school')
      return rulesFor(kind, env, new Set(), await schoolWindow(audience.schoolId));
    return rulesFor(kind, env, kind === 'city' ? await closures() : new Set());
  };
}
