import { and, asc, count, eq, gt, isNull, or } from 'drizzle-orm';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { communities, communityMembers, guardianLinks, pupils, schools, users } from '../db/schema';
import { matchesSchoolAudience, matchesSegment, type Audience, type CommunityAudience } from './audience';

/** How a broadcast reaches its audience: one LINE broadcast call, or multicasts to these IDs. */
export type Recipients = { mode: 'broadcast'; estimate: number } | { mode: 'multicast'; userIds: string[] };

interface Resolver<A extends Audience> {
  /** Throws a problem (400) when the audience names what does not exist or cannot be combined. */
  check(d: Db, audience: A): Promise<void>;
  /** `page`: rows per D1 read (PAGE; smaller in tests, to cross page boundaries). */
  resolve(d: Db, audience: A, page: number): Promise<Recipients>;
}

/** Rows are read in pages: a city's (or a large school's) worth of rows in one D1 answer would be too large. */
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
  async resolve(d, audience, page) {
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
        .limit(page)
        .all();
      for (const r of rows) if (matchesSegment(r, audience)) userIds.push(r.id);
      if (rows.length < page) break;
      after = rows[rows.length - 1]!.id;
    }
    return { mode: 'multicast', userIds };
  },
};

/**
 * The linked guardians of the school's current pupils that match, each guardian once (two
 * children in the audience are one message), never a blocked one. Only the roster columns
 * the audience needs are read: notices and their health data never enter the pipeline.
 */
const school: Resolver<Extract<Audience, { type: 'school' }>> = {
  async check(d, audience) {
    const row = await d.select({ id: schools.id }).from(schools).where(eq(schools.id, audience.schoolId)).get();
    if (!row) throw problem(400, `audience.schoolId: there is no school ${audience.schoolId}.`);
  },
  async resolve(d, audience, page) {
    const guardians = new Set<string>();
    // Keyset over (pupil, guardian): a pupil's two guardians may straddle a page boundary.
    let after = { pupil: '', guardian: '' };
    for (;;) {
      const rows = await d
        .select({
          pupil: pupils.id,
          grade: pupils.grade,
          class: pupils.class,
          groups: pupils.groups,
          guardian: guardianLinks.lineUserId,
        })
        .from(pupils)
        .innerJoin(guardianLinks, eq(guardianLinks.pupilId, pupils.id))
        .innerJoin(users, eq(users.lineUserId, guardianLinks.lineUserId))
        .where(
          and(
            eq(pupils.schoolId, audience.schoolId),
            isNull(pupils.graduatedAt),
            isNull(pupils.removedAt),
            eq(users.status, 'following'),
            or(
              gt(pupils.id, after.pupil),
              and(eq(pupils.id, after.pupil), gt(guardianLinks.lineUserId, after.guardian)),
            ),
          ),
        )
        .orderBy(asc(pupils.id), asc(guardianLinks.lineUserId))
        .limit(page)
        .all();
      for (const r of rows) if (matchesSchoolAudience(r, audience)) guardians.add(r.guardian);
      if (rows.length < page) break;
      const last = rows[rows.length - 1]!;
      after = { pupil: last.pupil, guardian: last.guardian };
    }
    return { mode: 'multicast', userIds: [...guardians].sort() };
  },
};

/** The associations a community audience covers: the one named, and with `includeChildren` a federation's units. */
export async function coveredCommunities(d: Db, audience: CommunityAudience): Promise<string[]> {
  if (!audience.includeChildren) return [audience.communityId];
  const units = await d
    .select({ id: communities.id })
    .from(communities)
    .where(eq(communities.parentId, audience.communityId))
    .all();
  return [audience.communityId, ...units.map((u) => u.id)];
}

/** Members who still follow, each resident once however many of the covered associations they joined. */
const community: Resolver<Extract<Audience, { type: 'community' }>> = {
  async check(d, audience) {
    const row = await d
      .select({ kind: communities.kind })
      .from(communities)
      .where(eq(communities.id, audience.communityId))
      .get();
    if (!row) throw problem(400, `audience.communityId: there is no association ${audience.communityId}.`);
    if (audience.includeChildren && row.kind !== 'federation')
      throw problem(400, 'audience.includeChildren: only a federation has units to include; this is a unit.');
  },
  async resolve(d, audience, page) {
    const covered = await coveredCommunities(d, audience);
    const members = new Set<string>();
    // One query per association keeps the bound parameters few (D1 allows 100) for a federation of any size.
    for (const id of covered) {
      let after = '';
      for (;;) {
        const rows = await d
          .select({ id: communityMembers.lineUserId })
          .from(communityMembers)
          .innerJoin(users, eq(users.lineUserId, communityMembers.lineUserId))
          .where(
            and(
              eq(communityMembers.communityId, id),
              eq(users.status, 'following'),
              gt(communityMembers.lineUserId, after),
            ),
          )
          .orderBy(asc(communityMembers.lineUserId))
          .limit(page)
          .all();
        for (const r of rows) members.add(r.id);
        if (rows.length < page) break;
        after = rows[rows.length - 1]!.id;
      }
    }
    return { mode: 'multicast', userIds: [...members].sort() };
  },
};

/** One resolver per audience type; the dispatcher, batches, retry keys and windows are shared. */
const RESOLVERS: { [T in Audience['type']]: Resolver<Extract<Audience, { type: T }>> } = {
  all,
  segment,
  school,
  community,
};

export function checkAudience(d: Db, audience: Audience): Promise<void> {
  return (RESOLVERS[audience.type] as Resolver<Audience>).check(d, audience);
}

export function resolveRecipients(d: Db, audience: Audience, page = PAGE): Promise<Recipients> {
  return (RESOLVERS[audience.type] as Resolver<Audience>).resolve(d, audience, page);
}
