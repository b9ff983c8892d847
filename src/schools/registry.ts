import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm';
import { auditRecord } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import { iso } from '../admin/openapi';
import type { Db } from '../db/client';
import { pupils, schools } from '../db/schema';
import { csvBoolean, readImport, rowErrors, splitList } from './import';
import { SchoolInput, type SchoolChange } from './schemas';
import { mayActForSchool } from './scope';
import { TOP_GRADE } from './staff-rules';

/** The reasons a guardian chooses from when the school has not set its own (`schools.reasons` null). */
export const DEFAULT_REASONS: readonly string[] = ['体調不良', '通院', '家庭の事情', '忌引', 'その他'];

export type SchoolRow = typeof schools.$inferSelect;

export function schoolJson(s: SchoolRow) {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    kind: s.kind,
    phone: s.phone,
    cutoff: s.cutoff,
    afterCutoff: s.afterCutoff,
    noteEnabled: s.noteEnabled,
    reasons: s.reasons ?? null,
    window: s.window ?? null,
    requireApproval: s.requireApproval,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

function rowOf(input: SchoolInput, now: number): SchoolRow {
  return {
    id: crypto.randomUUID(),
    code: input.code,
    name: input.name,
    kind: input.kind,
    phone: input.phone,
    cutoff: input.cutoff,
    afterCutoff: input.afterCutoff,
    noteEnabled: input.noteEnabled,
    reasons: input.reasons ?? null,
    window: input.window ?? null,
    requireApproval: input.requireApproval,
    createdAt: now,
    updatedAt: now,
  };
}

async function takenCodes(d: Db, codes: string[]): Promise<Set<string>> {
  const taken = new Set<string>();
  // D1 binds at most 100 parameters a statement.
  for (let i = 0; i < codes.length; i += 90) {
    const rows = await d
      .select({ code: schools.code })
      .from(schools)
      .where(inArray(schools.code, codes.slice(i, i + 90)))
      .all();
    for (const r of rows) taken.add(r.code);
  }
  return taken;
}

export async function createSchool(d: Db, by: StaffPrincipal, input: SchoolInput, now: number): Promise<SchoolRow> {
  if ((await takenCodes(d, [input.code])).size) throw problem(409, `code: a school with code ${input.code} exists.`);
  const row = rowOf(input, now);
  await d.batch([
    d.insert(schools).values(row),
    auditRecord(d, by, 'school.create', 'school', row.id, { code: row.code }),
  ]);
  return row;
}

export const SCHOOL_CSV_COLUMNS = [
  'code',
  'name',
  'kind',
  'phone',
  'cutoff',
  'afterCutoff',
  'noteEnabled',
  'reasons',
  'window',
  'requireApproval',
] as const;

/**
 * Many schools at once (the city's list), all or nothing: one bad row, a repeated code or a
 * code already registered stores none of them.
 */
export async function importSchools(
  d: Db,
  by: StaffPrincipal,
  contentType: string,
  text: string,
  now: number,
): Promise<SchoolRow[]> {
  const { rows, ref } = readImport(contentType, text, SchoolInput, SCHOOL_CSV_COLUMNS, {
    noteEnabled: csvBoolean,
    requireApproval: csvBoolean,
    reasons: splitList,
  });
  const taken = await takenCodes(
    d,
    rows.map((r) => r.code),
  );
  const seen = new Map<string, number>();
  const errors: string[] = [];
  rows.forEach((r, i) => {
    if (taken.has(r.code)) errors.push(`${ref(i, 'code')}: a school with code ${r.code} exists`);
    else if (seen.has(r.code)) errors.push(`${ref(i, 'code')}: ${r.code} repeats ${ref(seen.get(r.code)!)}`);
    seen.set(r.code, i);
  });
  rowErrors(errors);
  const made = rows.map((r) => rowOf(r, now));
  const inserts = [];
  // 13 columns a row: 7 rows keep a statement under D1's 100 bound parameters.
  for (let i = 0; i < made.length; i += 7) inserts.push(d.insert(schools).values(made.slice(i, i + 7)));
  await d.batch([
    ...inserts,
    auditRecord(d, by, 'school.import', 'school', null, { count: made.length }),
  ] as unknown as Parameters<Db['batch']>[0]);
  return made;
}

/** Admins see every school; school staff only theirs. */
export async function listSchools(d: Db, by: StaffPrincipal): Promise<SchoolRow[]> {
  const all = by.roles.includes('admin');
  const mine = by.scopes.schools ?? [];
  if (!all && mine.length === 0) return [];
  const q = d.select().from(schools);
  return (all ? q : q.where(inArray(schools.id, mine.slice(0, 90)))).orderBy(asc(schools.code)).all();
}

/** The school, after the scope check: another school's staff learn nothing, not even that it exists. */
export async function schoolFor(d: Db, by: StaffPrincipal, id: string): Promise<SchoolRow> {
  if (!mayActForSchool(by, id)) throw problem(403, 'This school is not in your scope.');
  const row = await d.select().from(schools).where(eq(schools.id, id)).get();
  if (!row) throw problem(404, 'No such school.');
  return row;
}

export async function updateSchool(
  d: Db,
  by: StaffPrincipal,
  id: string,
  change: SchoolChange,
  now: number,
): Promise<SchoolRow> {
  const before = await schoolFor(d, by, id);
  if (change.code !== undefined && change.code !== before.code && (await takenCodes(d, [change.code])).size)
    throw problem(409, `code: a school with code ${change.code} exists.`);
  if (change.kind !== undefined && change.kind !== before.kind) {
    // A school whose kind ends at a lower grade than some pupils are in would never graduate them.
    const above = await d.$count(
      pupils,
      and(
        eq(pupils.schoolId, id),
        isNull(pupils.graduatedAt),
        isNull(pupils.removedAt),
        gt(pupils.grade, TOP_GRADE[change.kind]),
      ),
    );
    if (above > 0)
      throw problem(409, `kind: ${above} pupils are above grade ${TOP_GRADE[change.kind]}, the top of ${change.kind}.`);
  }
  const set: Partial<SchoolRow> = { ...change, updatedAt: now };
  await d.batch([
    d.update(schools).set(set).where(eq(schools.id, id)),
    auditRecord(d, by, 'school.update', 'school', id, { fields: Object.keys(change) }),
  ]);
  return { ...before, ...set } as SchoolRow;
}

/** The reasons a guardian chooses from at this school. */
export function reasonsOf(s: Pick<SchoolRow, 'reasons'>): readonly string[] {
  return s.reasons ?? DEFAULT_REASONS;
}
