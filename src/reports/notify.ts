import { and, asc, eq, inArray, lt } from 'drizzle-orm';
import { db as makeDb, type Db } from '../db/client';
import { reportNotifications, users } from '../db/schema';
import { config } from '../config';
import { classifyLineError, lineClients, withTimeout } from '../line/client';
import type { Msg } from '../line/messages';

/**
 * Status changes pushed to the reporter and to residents who added themselves to the
 * report. Each push is a row whose id is its X-Line-Retry-Key, written in the same batch as
 * the status change, before any attempt: a retry (now or by the cron) reuses the key, so
 * LINE delivers it at most once. Blocked residents get nothing.
 */

export const NOTIFY_MAX_ATTEMPTS = 6;

export async function sendNotification(
  env: Env,
  db: Db,
  id: string,
  now: number,
): Promise<'sent' | 'pending' | 'failed'> {
  const n = await db.select().from(reportNotifications).where(eq(reportNotifications.id, id)).get();
  if (n?.status !== 'pending') return n?.status ?? 'failed';
  const user = await db.select({ status: users.status }).from(users).where(eq(users.lineUserId, n.lineUserId)).get();
  if (user?.status === 'blocked') {
    await db
      .update(reportNotifications)
      .set({ status: 'failed', lastError: 'resident has blocked the account' })
      .where(eq(reportNotifications.id, id));
    return 'failed';
  }
  const attempts = n.attempts + 1;
  try {
    await withTimeout(
      lineClients(env).api.pushMessage({ to: n.lineUserId, messages: n.messages as Msg[] }, n.id),
      config(env).lineCallTimeoutMs,
    );
  } catch (err) {
    const e = classifyLineError(err);
    if (e.kind !== 'accepted') {
      const failed = e.kind === 'rejected' || attempts >= NOTIFY_MAX_ATTEMPTS;
      await db
        .update(reportNotifications)
        .set({
          status: failed ? 'failed' : 'pending',
          attempts,
          lastError: `${e.status ?? 'network'}: ${e.message}`.slice(0, 500),
        })
        .where(eq(reportNotifications.id, id));
      return failed ? 'failed' : 'pending';
    }
  }
  await db
    .update(reportNotifications)
    .set({ status: 'sent', attempts, sentAt: now, lastError: null })
    .where(eq(reportNotifications.id, id));
  return 'sent';
}

export async function sendNotifications(env: Env, db: Db, ids: string[], now: number): Promise<void> {
  for (const id of ids) await sendNotification(env, db, id, now);
}

/** Cron: pushes that failed with a 5xx, a timeout or a 429 are tried again with their own key. */
export async function retryPendingNotifications(env: Env, now: number): Promise<number> {
  const db = makeDb(env.DB);
  const due = await db
    .select({ id: reportNotifications.id })
    .from(reportNotifications)
    .where(and(eq(reportNotifications.status, 'pending'), lt(reportNotifications.attempts, NOTIFY_MAX_ATTEMPTS)))
    .orderBy(asc(reportNotifications.createdAt))
    .limit(100)
    .all();
  await sendNotifications(
    env,
    db,
    due.map((d) => d.id),
    now,
  );
  return due.length;
}

/** Recipients of a report's news: the reporter and its supporters who still follow the account. */
export async function followingAmong(db: Db, userIds: string[]): Promise<{ id: string; language: string | null }[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .select({ id: users.lineUserId, language: users.language })
    .from(users)
    .where(and(inArray(users.lineUserId, userIds), eq(users.status, 'following')))
    .all();
  const following = new Map(rows.map((r) => [r.id, r.language]));
  return userIds.filter((u) => following.has(u)).map((id) => ({ id, language: following.get(id) ?? null }));
}
