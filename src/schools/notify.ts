import { and, asc, eq, inArray, lt } from 'drizzle-orm';
import { db as makeDb, type Db } from '../db/client';
import { schoolPushes, users } from '../db/schema';
import { langOf, type Lang } from '../i18n';
import { config } from '../config';
import { classifyLineError, lineClients, withTimeout } from '../line/client';
import type { Msg } from '../line/messages';

/**
 * Pushes from a school to guardians (a notice confirmed, a child graduated). Each is a row of
 * `school_pushes` whose id is its X-Line-Retry-Key, written in the same batch as the change it
 * tells of and before any attempt: a retry (now or by the cron) reuses the key, so LINE
 * delivers it at most once; the unique (kind, ref, user) index makes "told once" hold even
 * when the change is asked for twice. Blocked guardians get nothing.
 */

export const SCHOOL_PUSH_MAX_ATTEMPTS = 6;

export async function sendSchoolPush(env: Env, d: Db, id: string, now: number): Promise<'sent' | 'pending' | 'failed'> {
  const p = await d.select().from(schoolPushes).where(eq(schoolPushes.id, id)).get();
  if (p?.status !== 'pending') return p?.status ?? 'failed';
  const user = await d.select({ status: users.status }).from(users).where(eq(users.lineUserId, p.lineUserId)).get();
  if (user?.status === 'blocked') {
    await d
      .update(schoolPushes)
      .set({ status: 'failed', lastError: 'guardian has blocked the account' })
      .where(eq(schoolPushes.id, id));
    return 'failed';
  }
  const attempts = p.attempts + 1;
  try {
    await withTimeout(
      lineClients(env).api.pushMessage({ to: p.lineUserId, messages: p.messages as Msg[] }, p.id),
      config(env).lineCallTimeoutMs,
    );
  } catch (err) {
    const e = classifyLineError(err);
    if (e.kind !== 'accepted') {
      const failed = e.kind === 'rejected' || attempts >= SCHOOL_PUSH_MAX_ATTEMPTS;
      await d
        .update(schoolPushes)
        .set({
          status: failed ? 'failed' : 'pending',
          attempts,
          lastError: `${e.status ?? 'network'}: ${e.message}`.slice(0, 500),
        })
        .where(eq(schoolPushes.id, id));
      return failed ? 'failed' : 'pending';
    }
  }
  await d
    .update(schoolPushes)
    .set({ status: 'sent', attempts, sentAt: now, lastError: null })
    .where(eq(schoolPushes.id, id));
  return 'sent';
}

export async function sendSchoolPushes(env: Env, d: Db, ids: string[], now: number): Promise<void> {
  for (const id of ids) await sendSchoolPush(env, d, id, now);
}

/** Cron: pushes that met a 5xx, a timeout or a 429 are tried again with their own key, oldest first. */
export async function retrySchoolPushes(env: Env, now: number): Promise<number> {
  const d = makeDb(env.DB);
  const due = await d
    .select({ id: schoolPushes.id })
    .from(schoolPushes)
    .where(and(eq(schoolPushes.status, 'pending'), lt(schoolPushes.attempts, SCHOOL_PUSH_MAX_ATTEMPTS)))
    .orderBy(asc(schoolPushes.createdAt))
    .limit(100)
    .all();
  await sendSchoolPushes(
    env,
    d,
    due.map((p) => p.id),
    now,
  );
  return due.length;
}

/** Each guardian's language (LINE profile), Japanese when unknown. */
export async function languagesOf(d: Db, userIds: string[]): Promise<Map<string, Lang>> {
  const out = new Map<string, Lang>();
  const unique = [...new Set(userIds)];
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await d
      .select({ id: users.lineUserId, language: users.language })
      .from(users)
      .where(inArray(users.lineUserId, unique.slice(i, i + 90)))
      .all();
    for (const r of rows) out.set(r.id, langOf(r.language));
  }
  for (const u of unique) if (!out.has(u)) out.set(u, 'ja');
  return out;
}
