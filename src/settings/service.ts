import type { Db } from '../db/client';
import { users } from '../db/schema';
import type { Lang } from '../i18n';
import { newHandle } from '../residents/handles';

export interface Preferences {
  ward: string | null;
  interests: string[];
  language: Lang;
}

/**
 * Saves a resident's 設定. Idempotent (a retried event writes the same values). A resident
 * who talks to us without a follow event on record (friends from before this backend) gets
 * their row here: they are in a chat with us, so they follow the account.
 */
export async function savePreferences(db: Db, lineUserId: string, prefs: Preferences, now: number): Promise<void> {
  const values = { ward: prefs.ward, interests: prefs.interests, language: prefs.language, updatedAt: now };
  await db
    .insert(users)
    .values({ lineUserId, handle: newHandle(), status: 'following', followedAt: now, createdAt: now, ...values })
    .onConflictDoUpdate({ target: users.lineUserId, set: values });
}
