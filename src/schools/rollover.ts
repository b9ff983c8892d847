import { and, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import { auditRecord } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import type { Db } from '../db/client';
import { guardianLinks, pupils, schoolPushes, schoolRollovers } from '../db/schema';
import { languagesOf, sendSchoolPushes } from './notify';
import type { SchoolRow } from './registry';
import { TOP_GRADE } from './staff-rules';
import { graduatedMessage } from './staff-texts';

/**
 * The new school year: the top grade graduates (code void, guardian links ended, each guardian
 * told once), everyone else moves up one grade. One D1 batch, whose first statement records
 * the year: a second call for the same year (or two at once) fails on that row's key and
 * changes nothing.
 */

export interface RolloverResult {
  year: number;
  promoted: number;
  graduated: number;
  alreadyDone: boolean;
}

export async function rollOver(
  env: Env,
  d: Db,
  by: StaffPrincipal,
  school: SchoolRow,
  year: number,
  now: number,
): Promise<RolloverResult> {
  const done = async () =>
    d
      .select({ at: schoolRollovers.at })
      .from(schoolRollovers)
      .where(and(eq(schoolRollovers.schoolId, school.id), eq(schoolRollovers.year, year)))
      .get();
  if (await done()) return { year, promoted: 0, graduated: 0, alreadyDone: true };

  const top = TOP_GRADE[school.kind];
  const current = and(eq(pupils.schoolId, school.id), isNull(pupils.graduatedAt), isNull(pupils.removedAt));
  const leaving = await d
    .select({ id: pupils.id, name: pupils.name })
    .from(pupils)
    .where(and(current, gte(pupils.grade, top)))
    .all();
  const leavingIds = leaving.map((p) => p.id);
  const links: { pupilId: string; lineUserId: string }[] = [];
  for (let i = 0; i < leavingIds.length; i += 90) {
    links.push(
      ...(await d
        .select({ pupilId: guardianLinks.pupilId, lineUserId: guardianLinks.lineUserId })
        .from(guardianLinks)
        .where(inArray(guardianLinks.pupilId, leavingIds.slice(i, i + 90)))
        .all()),
    );
  }
  const langs = await languagesOf(
    d,
    links.map((l) => l.lineUserId),
  );
  const names = new Map(leaving.map((p) => [p.id, p.name]));
  const pushes = links.map((l) => ({
    id: crypto.randomUUID(),
    schoolId: school.id,
    kind: 'graduated' as const,
    refId: l.pupilId,
    lineUserId: l.lineUserId,
    messages: [graduatedMessage(langs.get(l.lineUserId) ?? 'ja', school.name, names.get(l.pupilId) ?? '')],
    status: 'pending' as const,
    attempts: 0,
    createdAt: now,
  }));
  const promotedCount = await d.$count(pupils, current);

  const stmts = [
    d.insert(schoolRollovers).values({ schoolId: school.id, year, at: now, by: by.id }),
    d
      .update(pupils)
      .set({ graduatedAt: now, codeHash: null, codeExpiresAt: null, updatedAt: now })
      .where(and(current, gte(pupils.grade, top))),
    d
      .update(pupils)
      .set({ grade: sql`${pupils.grade} + 1`, updatedAt: now })
      .where(current),
    ...chunks(leavingIds, 90).map((ids) => d.delete(guardianLinks).where(inArray(guardianLinks.pupilId, ids))),
    // 10 columns a push: 9 rows a statement stay under D1's 100 bound parameters.
    ...chunks(pushes, 9).map((rows) => d.insert(schoolPushes).values(rows).onConflictDoNothing()),
    auditRecord(d, by, 'school.rollover', 'school', school.id, {
      year,
      graduated: leaving.length,
      promoted: promotedCount - leaving.length,
      guardiansTold: pushes.length,
    }),
  ];
  try {
    await d.batch(stmts as unknown as Parameters<Db['batch']>[0]);
  } catch (err) {
    // Another call recorded this year between our check and our batch: nothing of ours was written.
    if (await done()) return { year, promoted: 0, graduated: 0, alreadyDone: true };
    throw err;
  }
  await sendSchoolPushes(
    env,
    d,
    pushes.map((p) => p.id),
    now,
  );
  return { year, promoted: promotedCount - leaving.length, graduated: leaving.length, alreadyDone: false };
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
