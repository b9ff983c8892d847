import { and, asc, eq, isNull } from 'drizzle-orm';
import type { StaffPrincipal } from '../admin/auth';
import { auditRecord } from '../admin/audit';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { reportCategories, reportDepartments } from '../db/schema';

/**
 * The reports catalog: categories (道路, 公園, その他), their subtypes, and the departments
 * reports are mailed to. Residents choose from its active part; admins change it through
 * catalog-routes.ts. It lives in D1, not in code, because the city changes it.
 */

export type Category = typeof reportCategories.$inferSelect;
export type Department = typeof reportDepartments.$inferSelect;
/** What staff send for a category or a department; the timestamps are ours. */
export type CategoryFields = Omit<Category, 'createdAt' | 'updatedAt'>;
export type DepartmentFields = Omit<Department, 'createdAt' | 'updatedAt'>;

/* ───────── what residents choose from ───────── */

/** Active top-level categories (道路, 公園, その他), in their order. */
export async function topCategories(db: Db): Promise<Category[]> {
  return db
    .select()
    .from(reportCategories)
    .where(and(isNull(reportCategories.parentCode), eq(reportCategories.active, true)))
    .orderBy(asc(reportCategories.sortOrder), asc(reportCategories.code))
    .all();
}

export async function subtypes(db: Db, parentCode: string): Promise<Category[]> {
  return db
    .select()
    .from(reportCategories)
    .where(and(eq(reportCategories.parentCode, parentCode), eq(reportCategories.active, true)))
    .orderBy(asc(reportCategories.sortOrder), asc(reportCategories.code))
    .all();
}

export async function getCategory(db: Db, code: string): Promise<Category | undefined> {
  return db.select().from(reportCategories).where(eq(reportCategories.code, code)).get();
}

export async function getDepartment(db: Db, id: string | null | undefined): Promise<Department | undefined> {
  if (!id) return undefined;
  return db.select().from(reportDepartments).where(eq(reportDepartments.id, id)).get();
}

/** A subtype may name its own department; otherwise its category's answers. */
export function departmentIdFor(category: Category | undefined, subtype: Category | undefined): string | null {
  return subtype?.departmentId ?? category?.departmentId ?? null;
}

/* ───────── what admins change ───────── */

/** Every category and subtype, inactive ones included, grouped by parent. */
export async function listCategories(db: Db): Promise<Category[]> {
  return db
    .select()
    .from(reportCategories)
    .orderBy(asc(reportCategories.parentCode), asc(reportCategories.sortOrder), asc(reportCategories.code))
    .all();
}

export async function listDepartments(db: Db): Promise<Department[]> {
  return db.select().from(reportDepartments).orderBy(asc(reportDepartments.id)).all();
}

/** What staff read beside the codes: category and subtype names (Japanese) and department names. */
export interface CatalogNames {
  category: ReadonlyMap<string, string>;
  department: ReadonlyMap<string, string>;
}

/** The whole catalog is a few dozen rows: one read per staff answer is cheaper than joins on every list. */
export async function catalogNames(db: Db): Promise<CatalogNames> {
  const [cats, depts] = await Promise.all([
    db.select({ code: reportCategories.code, name: reportCategories.nameJa }).from(reportCategories).all(),
    db.select({ id: reportDepartments.id, name: reportDepartments.name }).from(reportDepartments).all(),
  ]);
  return {
    category: new Map(cats.map((c) => [c.code, c.name])),
    department: new Map(depts.map((d) => [d.id, d.name])),
  };
}

/** Subtypes hang under a top-level category only: the resident's menu has two levels. */
export async function createCategory(db: Db, by: StaffPrincipal, fields: CategoryFields, now: number) {
  if (await getCategory(db, fields.code)) throw problem(409, 'A category with this code exists.');
  if (fields.parentCode) {
    const parent = await getCategory(db, fields.parentCode);
    if (!parent || parent.parentCode !== null) throw problem(400, 'parentCode: must name a top-level category.');
  }
  await requireDepartment(db, fields.departmentId);
  const row: Category = { ...fields, createdAt: now, updatedAt: now };
  await db.batch([
    db.insert(reportCategories).values(row),
    auditRecord(db, by, 'report_category.create', 'report_category', fields.code, fields),
  ]);
  return row;
}

/** Retiring (`active: false`) keeps the category for the reports that name it. */
export async function updateCategory(
  db: Db,
  by: StaffPrincipal,
  code: string,
  change: Partial<Omit<CategoryFields, 'code' | 'parentCode'>>,
  now: number,
) {
  const row = await getCategory(db, code);
  if (!row) throw problem(404, 'No such category.');
  await requireDepartment(db, change.departmentId);
  await db.batch([
    db
      .update(reportCategories)
      .set({ ...change, updatedAt: now })
      .where(eq(reportCategories.code, code)),
    auditRecord(db, by, 'report_category.update', 'report_category', code, change),
  ]);
  return { ...row, ...change, updatedAt: now };
}

export async function createDepartment(db: Db, by: StaffPrincipal, fields: DepartmentFields, now: number) {
  if (await getDepartment(db, fields.id)) throw problem(409, 'A department with this id exists.');
  const row: Department = { ...fields, createdAt: now, updatedAt: now };
  await db.batch([
    db.insert(reportDepartments).values(row),
    auditRecord(db, by, 'report_department.create', 'report_department', fields.id, fields),
  ]);
  return row;
}

export async function updateDepartment(
  db: Db,
  by: StaffPrincipal,
  id: string,
  change: Partial<Omit<DepartmentFields, 'id'>>,
  now: number,
) {
  const row = await getDepartment(db, id);
  if (!row) throw problem(404, 'No such department.');
  await db.batch([
    db
      .update(reportDepartments)
      .set({ ...change, updatedAt: now })
      .where(eq(reportDepartments.id, id)),
    auditRecord(db, by, 'report_department.update', 'report_department', id, change),
  ]);
  return { ...row, ...change, updatedAt: now };
}

async function requireDepartment(db: Db, id: string | null | undefined) {
  if (id && !(await getDepartment(db, id))) throw problem(400, 'departmentId: no such department.');
}
