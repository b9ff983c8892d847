import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { consents, consentWithdrawals, users } from '../db/schema';
import { newHandle } from './handles';

export type Resident = typeof users.$inferSelect;

function residentQuery(db: Db) {
  return db
    .select()
    .from(users)
    .where(eq(users.lineUserId, sql.placeholder('lineUserId')))
    .prepare();
}

// Read once for every event a resident sends: building the query each time was a share of the
// event's CPU that a prepared query (built once per client) does not cost.
const residentQueries = new WeakMap<Db, ReturnType<typeof residentQuery>>();

export async function getResident(db: Db, lineUserId: string): Promise<Resident | undefined> {
  let query = residentQueries.get(db);
  if (!query) {
    query = residentQuery(db);
    residentQueries.set(db, query);
  }
  return query.get({ lineUserId });
}

/** follow (first time or again after a block): the resident is reachable again. Idempotent. */
export async function recordFollow(db: Db, lineUserId: string, language: string | null, now: number): Promise<void> {
  await db
    .insert(users)
    .values({
      lineUserId,
      handle: newHandle(),
      status: 'following',
      language,
      followedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: users.lineUserId,
      // A stored language (perhaps chosen in 設定) wins over the profile's.
      set: {
        status: 'following',
        blockedAt: null,
        followedAt: now,
        updatedAt: now,
        language: sql`coalesce(${users.language}, ${language})`,
      },
    });
}

/** unfollow: nothing is sent to a blocked resident until they follow again. Idempotent. */
export async function recordUnfollow(db: Db, lineUserId: string, now: number): Promise<void> {
  await db
    .insert(users)
    .values({
      lineUserId,
      handle: newHandle(),
      status: 'blocked',
      followedAt: now,
      blockedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({ target: users.lineUserId, set: { status: 'blocked', blockedAt: now, updatedAt: now } });
}

/** Consent to one version of the terms, kept both on the resident and in the history. */
export async function recordConsent(db: Db, lineUserId: string, termsVersion: string, now: number): Promise<void> {
  await db.batch([
    db
      .insert(users)
      .values({
        lineUserId,
        handle: newHandle(),
        status: 'following',
        followedAt: now,
        consentVersion: termsVersion,
        consentedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: users.lineUserId,
        set: { consentVersion: termsVersion, consentedAt: now, updatedAt: now },
      }),
    db.insert(consents).values({ lineUserId, termsVersion, acceptedAt: now }),
  ]);
}

/** Consent counts only for the terms in force: a new TERMS_VERSION asks everyone again. */
export function hasConsented(resident: Resident | undefined, termsVersion: string): boolean {
  return !!resident && resident.consentVersion === termsVersion;
}

/** A resident who accepted a version other than the one in force: they are told the terms were revised. */
export function acceptedOlderVersion(resident: Resident | undefined, termsVersion: string): boolean {
  return !!resident?.consentVersion && resident.consentVersion !== termsVersion;
}

/**
 * 同意の撤回: the services that need consent stop until the resident accepts again. The
 * withdrawal joins the history; the accepts stay. Idempotent: without a consent on record
 * there is nothing to withdraw and nothing is written.
 */
export async function withdrawConsent(db: Db, lineUserId: string, now: number): Promise<boolean> {
  const resident = await getResident(db, lineUserId);
  if (!resident?.consentVersion) return false;
  await db.batch([
    db
      .update(users)
      .set({ consentVersion: null, consentedAt: null, updatedAt: now })
      .where(eq(users.lineUserId, lineUserId)),
    db.insert(consentWithdrawals).values({ lineUserId, termsVersion: resident.consentVersion, withdrawnAt: now }),
  ]);
  return true;
}

export interface ConsentEvent {
  kind: 'accept' | 'withdraw';
  termsVersion: string;
  at: number;
}

/** Every accept and withdrawal, oldest first. */
export async function consentHistory(db: Db, lineUserId: string): Promise<ConsentEvent[]> {
  const [accepts, withdrawals] = await Promise.all([
    db.select().from(consents).where(eq(consents.lineUserId, lineUserId)).all(),
    db.select().from(consentWithdrawals).where(eq(consentWithdrawals.lineUserId, lineUserId)).all(),
  ]);
  return [
    ...accepts.map((a) => ({ kind: 'accept' as const, termsVersion: a.termsVersion, at: a.acceptedAt, id: a.id })),
    ...withdrawals.map((w) => ({
      kind: 'withdraw' as const,
      termsVersion: w.termsVersion,
      at: w.withdrawnAt,
      id: w.id,
    })),
  ]
    .sort((a, b) => a.at - b.at || (a.kind === b.kind ? a.id - b.id : a.kind === 'accept' ? -1 : 1))
    .map(({ id: _id, ...e }) => e);
}
