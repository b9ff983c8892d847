import { and, asc, count, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import { matchesSegment, type Audience } from './audience';

/** How a broadcast reaches its audience: one LINE broadcast call, or multicasts to these IDs. */
export type Recipients = { mode: 'broadcast'; estimate: number } | { mode: 'multicast'; userIds: string[] };

/** An audience we can describe but not yet resolve: a 422 for staff, a failed broadcast for the dispatcher. */
export class AudienceUnavailableError extends Error {}

interface Resolver<A extends Audience> {
  /** Throws AudienceUnavailableError when this audience cannot be resolved (yet). */
  check(d: Db, audience: A): Promise<void>;
  resolve(d: Db, audience: A): Promise<Recipients>;
}

/** Residents are read in pages: a city's worth of rows in one D1 answer would be too large. */
const PAGE = 5_000;

const all: Resolver<Extract<Audience, { type: 'all' }>> = {
  async check() {},
  async resolve(d) {
    // LINE sends "all friends" itself; our count of following residents only sizes the quota check.
    const row = await d.select({ n: count() }).from(users).where(eq(users.status, 'following')).get();
    return { mode: 'broadcast', estimate: row?.n ?? 0 };
  },
};

const segment: Resolver<Extract<Audience, { type: 'segment' }>> = {
  async check() {},
  async resolve(d, audience) {
    const userIds: string[] = [];
    let after = '';
    for (;;) {
      const rows = await d
        .select({
          id: users.lineUserId,
          status: users.status,
          ward: users.ward,
          interests: users.interests,
          language: users.language,
        })
        .from(users)
        .where(and(eq(users.status, 'following'), gt(users.lineUserId, after)))
        .orderBy(asc(users.lineUserId))
        .limit(PAGE)
        .all();
      for (const r of rows) if (matchesSegment(r, audience)) userIds.push(r.id);
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    return { mode: 'multicast', userIds };
  },
};

/** Until a registry exists, a resolver says so instead of pretending. */
function notYet<A extends Audience>(what: string): Resolver<A> {
  const fail = async (): Promise<never> => {
    throw new AudienceUnavailableError(`${what} audiences need the ${what} registry, which is not built yet`);
  };
  return { check: fail, resolve: fail };
}

/**
 * One resolver per audience type. The school and community registries (separate issues)
 * plug in here: replace `notYet` with a resolver that reads their member tables and
 * returns `{mode:'multicast', userIds}`; nothing else in the dispatcher changes.
 */
const RESOLVERS: { [T in Audience['type']]: Resolver<Extract<Audience, { type: T }>> } = {
  all,
  segment,
  school: notYet('school'),
  community: notYet('community association'),
};

export function checkAudience(d: Db, audience: Audience): Promise<void> {
  return (RESOLVERS[audience.type] as Resolver<Audience>).check(d, audience);
}

export function resolveRecipients(d: Db, audience: Audience): Promise<Recipients> {
  return (RESOLVERS[audience.type] as Resolver<Audience>).resolve(d, audience);
}
