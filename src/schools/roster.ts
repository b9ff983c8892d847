import { and, asc, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import { formatAccessCode, hashAccessCode, newAccessCode } from '../access-codes';
import { auditRecord } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import { iso } from '../admin/openapi';
import type { Db } from '../db/client';
import { guardianLinks, pupils } from '../db/schema';
import { csvNumber, readImport, rowErrors, splitList } from './import';
import type { SchoolRow } from './registry';
import { PupilRow, type PupilChange } from './schemas';
import { codeExpiresAt, TOP_GRADE } from './staff-rules';

/**
 * A school's roster: pupils imported in bulk, each with a registration code for its guardians.
 * A code is shown once, in the answer that made it; only its SHA-256 is stored
 * (`pupils.code_hash`, which the chat looks pupils up by), and a re-issue replaces it, so the
 * old one stops working at once. Transfer out (DELETE) and graduation end the links and the code.
 */

export const PUPIL_CSV_COLUMNS = ['grade', 'class', 'number', 'name', 'kana', 'groups'] as const;

export type PupilRecord = typeof pupils.$inferSelect;

export interface IssuedCode {
  id: string;
  grade: number;
  class: string;
  name: string;
  registrationCode: string;
  codeExpiresAt: string;
}

async function freshCode(now: number, codeDays: number) {
  const code = newAccessCode();
  return { code, hash: await hashAccessCode(code), expiresAt: codeExpiresAt(now, codeDays) };
}

export async function importPupils(
  d: Db,
  by: StaffPrincipal,
  school: SchoolRow,
  contentType: string,
  text: string,
  now: number,
  codeDays: number,
): Promise<IssuedCode[]> {
  const { rows, ref } = readImport(contentType, text, PupilRow, PUPIL_CSV_COLUMNS, {
    grade: csvNumber,
    number: csvNumber,
    groups: splitList,
  });
  const top = TOP_GRADE[school.kind];
  rowErrors(
    rows.flatMap((r, i) =>
      r.grade > top ? [`${ref(i, 'grade')}: this school (${school.kind}) has grades 1–${top}`] : [],
    ),
  );
  const made: PupilRecord[] = [];
  const issued: IssuedCode[] = [];
  for (const r of rows) {
    const c = await freshCode(now, codeDays);
    const id = crypto.randomUUID();
    made.push({
      id,
      schoolId: school.id,
      grade: r.grade,
      class: r.class,
      number: r.number ?? null,
      name: r.name,
      kana: r.kana,
      groups: r.groups ?? [],
      codeHash: c.hash,
      codeExpiresAt: c.expiresAt,
      graduatedAt: null,
      removedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    issued.push({
      id,
      grade: r.grade,
      class: r.class,
      name: r.name,
      registrationCode: formatAccessCode(c.code),
      codeExpiresAt: iso(c.expiresAt),
    });
  }
  const inserts = [];
  // 14 columns a row: 7 rows keep a statement under D1's 100 bound parameters. One batch: all or nothing.
  for (let i = 0; i < made.length; i += 7) inserts.push(d.insert(pupils).values(made.slice(i, i + 7)));
  await d.batch([
    ...inserts,
    auditRecord(d, by, 'school.pupils.import', 'school', school.id, { count: made.length }),
  ] as unknown as Parameters<Db['batch']>[0]);
  return issued;
}

export interface PupilFilter {
  grade?: number;
  class?: string;
  graduated: 'exclude' | 'include' | 'only';
}

const guardianCount = sql<number>`(SELECT count(*) FROM ${guardianLinks} WHERE ${guardianLinks.pupilId} = ${pupils.id})`;

export async function listPupils(d: Db, schoolId: string, f: PupilFilter) {
  const where: (SQL | undefined)[] = [eq(pupils.schoolId, schoolId), isNull(pupils.removedAt)];
  if (f.grade !== undefined) where.push(eq(pupils.grade, f.grade));
  if (f.class !== undefined) where.push(eq(pupils.class, f.class));
  if (f.graduated === 'exclude') where.push(isNull(pupils.graduatedAt));
  if (f.graduated === 'only') where.push(isNotNull(pupils.graduatedAt));
  return d
    .select({ pupil: pupils, guardianCount })
    .from(pupils)
    .where(and(...where))
    .orderBy(asc(pupils.grade), asc(pupils.class), asc(pupils.number), asc(pupils.kana))
    .all();
}

export function pupilJson(p: PupilRecord, guardians: number) {
  return {
    id: p.id,
    grade: p.grade,
    class: p.class,
    number: p.number ?? null,
    name: p.name,
    kana: p.kana,
    groups: p.groups,
    guardianCount: guardians,
    codeExpiresAt: p.codeHash ? iso(p.codeExpiresAt) : null,
    graduatedAt: iso(p.graduatedAt),
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

/** A pupil on this school's roster (transferred ones are gone); 404 otherwise, whatever other school it is on. */
async function pupilOf(d: Db, schoolId: string, pupilId: string): Promise<PupilRecord> {
  const p = await d
    .select()
    .from(pupils)
    .where(and(eq(pupils.id, pupilId), eq(pupils.schoolId, schoolId), isNull(pupils.removedAt)))
    .get();
  if (!p) throw problem(404, 'No such pupil at this school.');
  return p;
}

export async function pupilWithCount(d: Db, schoolId: string, pupilId: string) {
  const row = await d
    .select({ pupil: pupils, guardianCount })
    .from(pupils)
    .where(and(eq(pupils.id, pupilId), eq(pupils.schoolId, schoolId), isNull(pupils.removedAt)))
    .get();
  if (!row) throw problem(404, 'No such pupil at this school.');
  return pupilJson(row.pupil, row.guardianCount);
}

export async function updatePupil(
  d: Db,
  by: StaffPrincipal,
  school: SchoolRow,
  pupilId: string,
  change: PupilChange,
  now: number,
) {
  await pupilOf(d, school.id, pupilId);
  if (change.grade !== undefined && change.grade > TOP_GRADE[school.kind])
    throw problem(400, `grade: this school (${school.kind}) has grades 1–${TOP_GRADE[school.kind]}`);
  await d.batch([
    d
      .update(pupils)
      .set({ ...change, updatedAt: now })
      .where(eq(pupils.id, pupilId)),
    auditRecord(d, by, 'school.pupil.update', 'pupil', pupilId, { schoolId: school.id, fields: Object.keys(change) }),
  ]);
  return pupilWithCount(d, school.id, pupilId);
}

/** Transfer out: off the roster, the code void, the guardians' links ended. Their notices stay until retention. */
export async function removePupil(d: Db, by: StaffPrincipal, schoolId: string, pupilId: string, now: number) {
  await pupilOf(d, schoolId, pupilId);
  await d.batch([
    d
      .update(pupils)
      .set({ removedAt: now, codeHash: null, codeExpiresAt: null, updatedAt: now })
      .where(eq(pupils.id, pupilId)),
    d.delete(guardianLinks).where(eq(guardianLinks.pupilId, pupilId)),
    auditRecord(d, by, 'school.pupil.remove', 'pupil', pupilId, { schoolId }),
  ]);
}

/** A new code for a pupil; the old one stops working in the same write. */
export async function reissueCode(
  d: Db,
  by: StaffPrincipal,
  schoolId: string,
  pupilId: string,
  now: number,
  codeDays: number,
): Promise<IssuedCode> {
  const p = await pupilOf(d, schoolId, pupilId);
  if (p.graduatedAt !== null) throw problem(409, 'The pupil has graduated; no code is issued any more.');
  const c = await freshCode(now, codeDays);
  await d.batch([
    d
      .update(pupils)
      .set({ codeHash: c.hash, codeExpiresAt: c.expiresAt, updatedAt: now })
      .where(eq(pupils.id, pupilId)),
    auditRecord(d, by, 'school.pupil.code', 'pupil', pupilId, { schoolId }),
  ]);
  return {
    id: p.id,
    grade: p.grade,
    class: p.class,
    name: p.name,
    registrationCode: formatAccessCode(c.code),
    codeExpiresAt: iso(c.expiresAt),
  };
}
