import { and, asc, eq, isNull } from 'drizzle-orm';
import { hashAccessCode, readAccessCode } from '../access-codes';
import type { Db } from '../db/client';
import { guardianLinks, pupils, schools } from '../db/schema';
import { MAX_GUARDIANS_PER_PUPIL } from './rules';

/**
 * Guardians and their children: a registration code from the school links a guardian's
 * LINE account to a pupil, at most two guardians per pupil. A guardian may have several
 * children, at several schools.
 */

/** A pupil as the guardian sees them in the chat, with the school settings a notice needs. */
export interface Child {
  pupilId: string;
  name: string;
  grade: number;
  class: string;
  schoolId: string;
  schoolName: string;
  phone: string;
  cutoff: string;
  afterCutoff: 'refuse' | 'accept_late';
  noteEnabled: boolean;
  reasons: string[] | null;
}

const CHILD_FIELDS = {
  pupilId: pupils.id,
  name: pupils.name,
  grade: pupils.grade,
  class: pupils.class,
  schoolId: schools.id,
  schoolName: schools.name,
  phone: schools.phone,
  cutoff: schools.cutoff,
  afterCutoff: schools.afterCutoff,
  noteEnabled: schools.noteEnabled,
  reasons: schools.reasons,
};

const current = and(isNull(pupils.graduatedAt), isNull(pupils.removedAt));

export type CodeLookup =
  { kind: 'found'; child: Child } | { kind: 'not_code' } | { kind: 'unknown' } | { kind: 'expired' };

/**
 * The pupil a typed registration code belongs to. A re-issued code's old value has no row
 * any more, so it is `unknown` like a mistyped one; a graduated or transferred pupil's too.
 */
export async function findByCode(d: Db, text: string, now: number): Promise<CodeLookup> {
  const code = readAccessCode(text);
  if (!code) return { kind: 'not_code' };
  const row = await d
    .select({ ...CHILD_FIELDS, expiresAt: pupils.codeExpiresAt })
    .from(pupils)
    .innerJoin(schools, eq(schools.id, pupils.schoolId))
    .where(and(eq(pupils.codeHash, await hashAccessCode(code)), current))
    .get();
  if (!row) return { kind: 'unknown' };
  if (row.expiresAt === null || row.expiresAt <= now) return { kind: 'expired' };
  const { expiresAt: _, ...child } = row;
  return { kind: 'found', child };
}

export async function getChild(d: Db, lineUserId: string, pupilId: string): Promise<Child | undefined> {
  return (await childrenOf(d, lineUserId)).find((c) => c.pupilId === pupilId);
}

/** The guardian's children still at school, in the order they were linked. */
export async function childrenOf(d: Db, lineUserId: string): Promise<Child[]> {
  return d
    .select(CHILD_FIELDS)
    .from(guardianLinks)
    .innerJoin(pupils, eq(pupils.id, guardianLinks.pupilId))
    .innerJoin(schools, eq(schools.id, pupils.schoolId))
    .where(and(eq(guardianLinks.lineUserId, lineUserId), current))
    .orderBy(asc(guardianLinks.linkedAt), asc(pupils.id))
    .all();
}

export type LinkResult = 'linked' | 'already' | 'full';

/**
 * Links the guardian to the pupil unless two others already are. One statement, so two
 * guardians registering at the same moment cannot make three.
 */
export async function linkGuardian(env: Env, pupilId: string, lineUserId: string, now: number): Promise<LinkResult> {
  const res = await env.DB.prepare(
    `INSERT INTO guardian_links (pupil_id, line_user_id, linked_at)
     SELECT ?, ?, ? WHERE (SELECT count(*) FROM guardian_links WHERE pupil_id = ?) < ?
     ON CONFLICT (pupil_id, line_user_id) DO NOTHING`,
  )
    .bind(pupilId, lineUserId, now, pupilId, MAX_GUARDIANS_PER_PUPIL)
    .run();
  if (res.meta.changes > 0) return 'linked';
  const mine = await env.DB.prepare(`SELECT 1 AS x FROM guardian_links WHERE pupil_id = ? AND line_user_id = ?`)
    .bind(pupilId, lineUserId)
    .first();
  return mine ? 'already' : 'full';
}

export async function unlinkGuardian(d: Db, pupilId: string, lineUserId: string): Promise<void> {
  await d
    .delete(guardianLinks)
    .where(and(eq(guardianLinks.pupilId, pupilId), eq(guardianLinks.lineUserId, lineUserId)));
}

/**
 * Which of the pupil's guardians this is, as staff may see it: `guardian:1` for the first
 * linked, `guardian:2` for the second. Never the LINE ID.
 */
export async function guardianMarker(d: Db, pupilId: string, lineUserId: string): Promise<string> {
  const links = await d
    .select({ lineUserId: guardianLinks.lineUserId })
    .from(guardianLinks)
    .where(eq(guardianLinks.pupilId, pupilId))
    .orderBy(asc(guardianLinks.linkedAt), asc(guardianLinks.lineUserId))
    .all();
  const i = links.findIndex((l) => l.lineUserId === lineUserId);
  return i < 0 ? 'guardian' : `guardian:${i + 1}`;
}

/** A pupil still at school, by id (the one a code found, when the guardian says はい). */
export async function currentPupil(d: Db, pupilId: string): Promise<Child | undefined> {
  return d
    .select(CHILD_FIELDS)
    .from(pupils)
    .innerJoin(schools, eq(schools.id, pupils.schoolId))
    .where(and(eq(pupils.id, pupilId), current))
    .get();
}
