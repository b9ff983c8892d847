import { desc } from 'drizzle-orm';
import { config } from '../config';
import { db } from '../db/client';
import { retentionRuns } from '../db/schema';
import { log } from '../http/log';
import { RETENTION_KINDS } from './kinds';
import { retentionDue } from './rules';

/**
 * One run of the clean-up: every kind in turn, each bounded by the batch limit, and the run
 * recorded with its counts, zeros included. A kind that fails is logged and left out of
 * the record (its key missing says it did not run); the others go on.
 */
export async function runRetention(env: Env, now: number, limit?: number): Promise<Record<string, number>> {
  const d = db(env.DB);
  const cfg = config(env).retention;
  const removed: Record<string, number> = {};
  for (const kind of RETENTION_KINDS) {
    try {
      removed[kind.name] = await kind.run({ db: d, env }, now, cfg, limit ?? cfg.batchLimit);
    } catch (err) {
      log.error('retention kind failed', { kind: kind.name, now, error: err });
    }
  }
  await d.insert(retentionRuns).values({ at: now, removed });
  return removed;
}

/** The cron task: runs the clean-up at the first tick of each hour (by scheduledTime). */
export async function runRetentionIfDue(env: Env, now: number): Promise<Record<string, number> | null> {
  const last = await db(env.DB)
    .select({ at: retentionRuns.at })
    .from(retentionRuns)
    .orderBy(desc(retentionRuns.at))
    .limit(1)
    .get();
  if (!retentionDue(last?.at ?? null, now)) return null;
  return runRetention(env, now);
}
