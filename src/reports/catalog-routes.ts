import { z } from '@hono/zod-openapi';
import { badRequestResponse, conflictResponse, json, notFoundResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import {
  createCategory,
  createDepartment,
  listCategories,
  listDepartments,
  updateCategory,
  updateDepartment,
} from './catalog';

/**
 * The staff door to the reports catalog (`/api/v1`): report managers read it to triage,
 * admins change it. The work is in catalog.ts.
 */

const Category = z
  .object({
    code: z.string(),
    parentCode: z.string().nullable(),
    nameJa: z.string(),
    nameEn: z.string(),
    departmentId: z.string().nullable(),
    emergencyPhone: z.string().nullable(),
    sortOrder: z.number().int(),
    active: z.boolean(),
  })
  .openapi('ReportCategory');
const code = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and -');
const phone = z.string().regex(/^[0-9+\-() ]{3,20}$/);
// The fields staff may change, without defaults: a PATCH body built from them leaves out what
// it does not name (a default would silently reset the department or the phone).
const categoryFields = {
  nameJa: z.string().trim().min(1).max(40),
  nameEn: z.string().trim().min(1).max(60),
  departmentId: code.nullable(),
  emergencyPhone: phone.nullable(),
  sortOrder: z.number().int().min(0).max(999),
  active: z.boolean(),
};
// Exported so the console reads its forms by the same rules.
export const NewCategory = z.strictObject({
  code,
  parentCode: code.nullable().default(null),
  ...categoryFields,
  departmentId: categoryFields.departmentId.default(null),
  emergencyPhone: categoryFields.emergencyPhone.default(null),
  sortOrder: categoryFields.sortOrder.default(0),
  active: categoryFields.active.default(true),
});
export const CategoryPatch = z.strictObject(categoryFields).partial().openapi('ReportCategoryChange');

const Department = z
  .object({ id: z.string(), name: z.string(), email: z.string(), phone: z.string().nullable() })
  .openapi('ReportDepartment');
const departmentFields = { name: z.string().trim().min(1).max(60), email: z.email(), phone: phone.nullable() };
export const NewDepartment = z.strictObject({
  id: code,
  ...departmentFields,
  phone: departmentFields.phone.default(null),
});
export const DepartmentPatch = z.strictObject(departmentFields).partial().openapi('ReportDepartmentChange');

/** The catalog's timestamps are bookkeeping; the answers leave them out. */
const view = <T extends { createdAt: number; updatedAt: number }>({ createdAt: _c, updatedAt: _u, ...rest }: T) => rest;

const tags = ['Report categories'];

export const reportCatalogRoutes = createRouter()
  .openapi(
    staffRoute(['report_manager'], {
      method: 'get',
      path: '/report-categories',
      tags,
      summary: 'Categories and subtypes / 通報の種類',
      responses: {
        200: { description: 'All, inactive included', content: json(z.object({ items: z.array(Category) })) },
      },
    }),
    async (c) => c.json({ items: (await listCategories(c.var.db)).map(view) }, 200),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/report-categories',
      tags,
      summary: 'Add a category or subtype / 種類の追加',
      request: { body: { required: true, content: json(NewCategory) } },
      responses: {
        201: { description: 'Created', content: json(Category) },
        ...conflictResponse('The code exists'),
        ...badRequestResponse,
      },
    }),
    async (c) => c.json(view(await createCategory(c.var.db, c.var.staff, c.req.valid('json'), Date.now())), 201),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'patch',
      path: '/report-categories/{code}',
      tags,
      summary: 'Rename, re-route, re-order or retire a category / 種類の変更',
      request: { params: z.object({ code }), body: { required: true, content: json(CategoryPatch) } },
      responses: {
        200: { description: 'Changed', content: json(Category) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { code: key } = c.req.valid('param');
      return c.json(view(await updateCategory(c.var.db, c.var.staff, key, c.req.valid('json'), Date.now())), 200);
    },
  )
  .openapi(
    staffRoute(['report_manager'], {
      method: 'get',
      path: '/report-departments',
      tags,
      summary: 'Departments that receive reports / 担当課',
      responses: { 200: { description: 'All', content: json(z.object({ items: z.array(Department) })) } },
    }),
    async (c) => c.json({ items: (await listDepartments(c.var.db)).map(view) }, 200),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/report-departments',
      tags,
      summary: 'Add a department / 担当課の追加',
      request: { body: { required: true, content: json(NewDepartment) } },
      responses: {
        201: { description: 'Created', content: json(Department) },
        ...conflictResponse('The id exists'),
        ...badRequestResponse,
      },
    }),
    async (c) => c.json(view(await createDepartment(c.var.db, c.var.staff, c.req.valid('json'), Date.now())), 201),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'patch',
      path: '/report-departments/{id}',
      tags,
      summary: 'Change a department’s name, e-mail or phone / 担当課の変更',
      request: { params: z.object({ id: code }), body: { required: true, content: json(DepartmentPatch) } },
      responses: {
        200: { description: 'Changed', content: json(Department) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(view(await updateDepartment(c.var.db, c.var.staff, id, c.req.valid('json'), Date.now())), 200);
    },
  );
