import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { consents, users } from '../db/schema';

export type Resident = typeof users.$inferSelect;

export async function getResident(db: Db, lineUserId: string): Promise<Resident | undefined> {
  return db.select().from(users).where(eq(users.lineUserId, lineUserId)).get();
}

/** follow (first time or again after a block): the resident is reachable again. Idempotent. */
export async function recordFollow(db: Db, lineUserId: string, language: string | null, now: number): Promise<void> {
  await db
    .insert(users)
    .values({ lineUserId, status: 'following', language, followedAt: now, createdAt: now, updatedAt: now })
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
    .values({ lineUserId, status: 'blocked', followedAt: now, blockedAt: now, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: users.lineUserId, set: { status: 'blocked', blockedAt: now, updatedAt: now } });
}

/** Consent to one version of the terms, kept both on the resident and in the history. */
export async function recordConsent(db: Db, lineUserId: string, termsVersion: string, now: number): Promise<void> {
  await db.batch([
    db
      .insert(users)
      .values({
        lineUserId,
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
