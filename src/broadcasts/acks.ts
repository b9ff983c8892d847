import { and, asc, eq, isNull, min, sql } from 'drizzle-orm';
import { audit } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { broadcastAcks, broadcasts, communities, communityMembers, guardianLinks, pupils } from '../db/schema';
import type { Lang } from '../i18n';
import type { Msg } from '../line/messages';
import { matchesSchoolAudience, type Audience, type SchoolAudience } from './audience';
import { coveredCommunities } from './recipients';
import { ensureMay } from './senders';
import { loadBroadcast } from './service';
import { T } from './texts';

/**
 * Acknowledgements (「確認しました」), generic over audiences: a tap on the button of a broadcast
 * that asked for it records one row per resident (a second tap records nothing and gets the
 * same answer). Only a resident the broadcast is for can record one: a guardian of a pupil in
 * the school audience, a member of an association the post covers.
 */

async function isAddressee(d: Db, audience: Audience, userId: string): Promise<boolean> {
  if (audience.type === 'school') {
    const mine = await d
      .select({ grade: pupils.grade, class: pupils.class, groups: pupils.groups })
      .from(guardianLinks)
      .innerJoin(pupils, eq(pupils.id, guardianLinks.pupilId))
      .where(
        and(
          eq(guardianLinks.lineUserId, userId),
          eq(pupils.schoolId, audience.schoolId),
          isNull(pupils.graduatedAt),
          isNull(pupils.removedAt),
        ),
      )
      .all();
    return mine.some((p) => matchesSchoolAudience(p, audience));
  }
  if (audience.type === 'community') {
    for (const id of await coveredCommunities(d, audience)) {
      const m = await d
        .select({ id: communityMembers.lineUserId })
        .from(communityMembers)
        .where(and(eq(communityMembers.communityId, id), eq(communityMembers.lineUserId, userId)))
        .get();
      if (m) return true;
    }
    return false;
  }
  // City broadcasts do not ask for acknowledgement (refused when saved).
  return false;
}

/** Records a tap; `false` when this broadcast takes no acknowledgement from this resident. */
export async function recordAck(d: Db, broadcastId: string, userId: string, now: number): Promise<boolean> {
  const b = await d
    .select({ audience: broadcasts.audience, requestAck: broadcasts.requestAck })
    .from(broadcasts)
    .where(eq(broadcasts.id, broadcastId))
    .get();
  if (!b?.requestAck || !(await isAddressee(d, b.audience as Audience, userId))) return false;
  await d.insert(broadcastAcks).values({ broadcastId, lineUserId: userId, at: now }).onConflictDoNothing();
  return true;
}

/** The conversation's answer to `action=ack&b=<id>`: brief, the same for the first tap and every later one. */
export async function answerAck(d: Db, broadcastId: string | undefined, userId: string, lang: Lang, now: number) {
  const ok = broadcastId ? await recordAck(d, broadcastId.slice(0, 100), userId, now) : false;
  const msg: Msg = { type: 'text', text: ok ? T.ackThanks(lang) : T.ackUnknown(lang) };
  return msg;
}

export interface SchoolAcks {
  acknowledged: number;
  pending: number;
  items: { pupil: { grade: number; class: string; name: string }; acknowledgedAt: number | null }[];
}
export interface CommunityAcks {
  acknowledged: number;
  items: { displayName: string | null; acknowledgedAt: number }[];
}

/**
 * Per pupil on the roster now in the audience (graduated and removed pupils left out),
 * acknowledged when one of its guardians tapped: the earliest tap counts. A pupil whose
 * guardians never linked is pending too: the teacher phones everyone who has not read it.
 */
async function schoolAcks(d: Db, broadcastId: string, audience: SchoolAudience): Promise<SchoolAcks> {
  const rows = await d
    .select({
      grade: pupils.grade,
      class: pupils.class,
      name: pupils.name,
      groups: pupils.groups,
      at: min(broadcastAcks.at),
    })
    .from(pupils)
    .leftJoin(guardianLinks, eq(guardianLinks.pupilId, pupils.id))
    .leftJoin(
      broadcastAcks,
      and(eq(broadcastAcks.lineUserId, guardianLinks.lineUserId), eq(broadcastAcks.broadcastId, broadcastId)),
    )
    .where(and(eq(pupils.schoolId, audience.schoolId), isNull(pupils.graduatedAt), isNull(pupils.removedAt)))
    .groupBy(pupils.id)
    .orderBy(asc(pupils.grade), asc(pupils.class), sql`${pupils.number} is null`, asc(pupils.number), asc(pupils.kana))
    .all();
  const items = rows
    .filter((r) => matchesSchoolAudience(r, audience))
    .map((r) => ({ pupil: { grade: r.grade, class: r.class, name: r.name }, acknowledgedAt: r.at ?? null }));
  const acknowledged = items.filter((i) => i.acknowledgedAt !== null).length;
  return { acknowledged, pending: items.length - acknowledged, items };
}

/** Who tapped, by the display name they chose to show their leaders (null when they gave none or have left). */
async function communityAcks(
  d: Db,
  broadcastId: string,
  audience: Audience & { type: 'community' },
): Promise<CommunityAcks> {
  const id = audience.communityId;
  const covered = audience.includeChildren
    ? sql`(${communityMembers.communityId} = ${id} or ${communityMembers.communityId} in (select ${communities.id} from ${communities} where ${communities.parentId} = ${id}))`
    : eq(communityMembers.communityId, id);
  const rows = await d
    .select({ at: broadcastAcks.at, displayName: sql<string | null>`max(${communityMembers.displayName})` })
    .from(broadcastAcks)
    .leftJoin(communityMembers, and(eq(communityMembers.lineUserId, broadcastAcks.lineUserId), covered))
    .where(eq(broadcastAcks.broadcastId, broadcastId))
    .groupBy(broadcastAcks.lineUserId)
    .orderBy(asc(broadcastAcks.at))
    .all();
  const items = rows.map((r) => ({ displayName: r.displayName ?? null, acknowledgedAt: r.at }));
  return { acknowledged: items.length, items };
}

/** `GET /broadcasts/:id/acks`: 404 for a broadcast without requestAck (or one the caller may not see). Audited. */
export async function listAcks(
  d: Db,
  by: StaffPrincipal,
  id: string,
): Promise<({ kind: 'school' } & SchoolAcks) | ({ kind: 'community' } & CommunityAcks)> {
  const row = await loadBroadcast(d, id);
  await ensureMay(d, by, row, 'acks');
  const audience = row.audience as Audience;
  if (!row.requestAck || (audience.type !== 'school' && audience.type !== 'community'))
    throw problem(404, `Broadcast ${id} does not ask for acknowledgement.`);
  const answer =
    audience.type === 'school'
      ? { kind: 'school' as const, ...(await schoolAcks(d, id, audience)) }
      : { kind: 'community' as const, ...(await communityAcks(d, id, audience)) };
  await audit(d, by, 'broadcast.acks.read', 'broadcast', id, { acknowledged: answer.acknowledged });
  return answer;
}
