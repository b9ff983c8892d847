import { z } from '@hono/zod-openapi';
import { audit } from '../admin/audit';
import { badRequestResponse, conflictResponse, json, notFoundResponse, problemAnswer } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { config } from '../config';
import { absenceRoutes } from './absence-routes';
import { createSchool, importSchools, listSchools, schoolFor, schoolJson, updateSchool } from './registry';
import { rollOver } from './rollover';
import { importPupils, listPupils, pupilJson, reissueCode, removePupil, updatePupil } from './roster';
import {
  IssuedCode,
  Pupil,
  PupilChange,
  PupilParam,
  PupilQuery,
  PupilRow,
  RolloverBody,
  RolloverResult,
  School,
  SchoolChange,
  SchoolInput,
  SchoolParam,
} from './schemas';

/**
 * The staff door for schools (`/api/v1/schools`). The registry is the admin's; a school's
 * roster, rollover and notices are its own `school_staff`'s too (scopes.schools), and another
 * school's staff get 403 on every route, before anything is looked up. Reads are audited.
 * Routes parse, call a service and answer; the notices' routes are in absence-routes.ts.
 */

const tags = ['Schools'];
const STAFF = ['school_staff'] as const;

/**
 * An import body is a JSON array or `text/csv` with a header row. It is read by the service
 * (readImport), not by the route's validator, so that an error can name `rows[2].grade` or
 * `line 3: grade`; the document still shows the row schema.
 */
const importBody = (component: string, columns: string) => ({
  required: true,
  content: {
    'application/json': { schema: { type: 'array' as const, items: { $ref: `#/components/schemas/${component}` } } },
    'text/csv': { schema: { type: 'string' as const, description: `A header row naming columns of: ${columns}` } },
  },
});
const importErrors = {
  ...badRequestResponse,
  415: problemAnswer('Neither JSON nor text/csv'),
};

const router = createRouter();
router.openAPIRegistry.register('PupilRow', PupilRow);
router.openAPIRegistry.register('SchoolInput', SchoolInput);

export const schoolRoutes = router
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/schools',
      tags,
      summary: 'Register a school / 学校の登録',
      request: { body: { required: true, content: json(SchoolInput) } },
      responses: {
        201: { description: 'Registered', content: json(School) },
        ...badRequestResponse,
        ...conflictResponse('A school with this code exists'),
      },
    }),
    async (c) => c.json(schoolJson(await createSchool(c.var.db, c.var.staff, c.req.valid('json'), Date.now())), 201),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/schools/import',
      tags,
      summary: 'Register many schools, all or none (JSON array or CSV) / 学校の一括登録',
      request: {
        body: importBody(
          'SchoolInput',
          'code, name, kind, phone, cutoff, afterCutoff, noteEnabled, reasons (a|b), window, requireApproval',
        ),
      },
      responses: {
        201: { description: 'Every row registered', content: json(z.object({ items: z.array(School) })) },
        ...importErrors,
      },
    }),
    async (c) => {
      const made = await importSchools(
        c.var.db,
        c.var.staff,
        c.req.header('content-type') ?? '',
        await c.req.text(),
        Date.now(),
      );
      return c.json({ items: made.map(schoolJson) }, 201);
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'get',
      path: '/schools',
      tags,
      summary: 'Schools: all for admins, their own for school staff (audited) / 学校一覧',
      responses: { 200: { description: 'The schools', content: json(z.object({ items: z.array(School) })) } },
    }),
    async (c) => {
      const rows = await listSchools(c.var.db, c.var.staff);
      await audit(c.var.db, c.var.staff, 'school.list', 'school', null, { count: rows.length });
      return c.json({ items: rows.map(schoolJson) }, 200);
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'get',
      path: '/schools/{id}',
      tags,
      summary: 'One school (audited) / 学校',
      request: { params: SchoolParam },
      responses: {
        200: { description: 'The school', content: json(School) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const school = await schoolFor(c.var.db, c.var.staff, c.req.valid('param').id);
      await audit(c.var.db, c.var.staff, 'school.read', 'school', school.id);
      return c.json(schoolJson(school), 200);
    },
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'patch',
      path: '/schools/{id}',
      tags,
      summary: 'Change a school’s settings (cut-off, reasons, window …) / 学校の設定変更',
      request: { params: SchoolParam, body: { required: true, content: json(SchoolChange) } },
      responses: {
        200: { description: 'The school as it now is', content: json(School) },
        ...badRequestResponse,
        ...notFoundResponse,
        ...conflictResponse('Another school has this code, or pupils are above the new kind’s top grade'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(schoolJson(await updateSchool(c.var.db, c.var.staff, id, c.req.valid('json'), Date.now())), 200);
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'post',
      path: '/schools/{id}/pupils',
      tags,
      summary:
        'Add pupils, all or none (JSON array or CSV); their registration codes are shown only here / 児童生徒の登録',
      request: { params: SchoolParam, body: importBody('PupilRow', 'grade, class, number, name, kana, groups (a|b)') },
      responses: {
        201: {
          description: 'Every row added, each with its code',
          content: json(z.object({ items: z.array(IssuedCode) })),
        },
        ...importErrors,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const school = await schoolFor(c.var.db, c.var.staff, c.req.valid('param').id);
      const items = await importPupils(
        c.var.db,
        c.var.staff,
        school,
        c.req.header('content-type') ?? '',
        await c.req.text(),
        Date.now(),
        config(c.env).registrationCodeDays,
      );
      // The answer carries the codes: no cache anywhere may keep it.
      return c.json({ items }, 201, { 'cache-control': 'no-store' });
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'get',
      path: '/schools/{id}/pupils',
      tags,
      summary: 'The roster with each pupil’s number of linked guardians (audited) / 名簿',
      request: { params: SchoolParam, query: PupilQuery },
      responses: {
        200: { description: 'The roster', content: json(z.object({ items: z.array(Pupil) })) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const school = await schoolFor(c.var.db, c.var.staff, c.req.valid('param').id);
      const rows = await listPupils(c.var.db, school.id, c.req.valid('query'));
      await audit(c.var.db, c.var.staff, 'school.pupils.read', 'school', school.id, { count: rows.length });
      return c.json({ items: rows.map((r) => pupilJson(r.pupil, r.guardianCount)) }, 200);
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'patch',
      path: '/schools/{id}/pupils/{pupilId}',
      tags,
      summary: 'Change a pupil (class, name, groups …) / 児童生徒の変更',
      request: { params: PupilParam, body: { required: true, content: json(PupilChange) } },
      responses: {
        200: { description: 'The pupil', content: json(Pupil) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id, pupilId } = c.req.valid('param');
      const school = await schoolFor(c.var.db, c.var.staff, id);
      return c.json(await updatePupil(c.var.db, c.var.staff, school, pupilId, c.req.valid('json'), Date.now()), 200);
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'delete',
      path: '/schools/{id}/pupils/{pupilId}',
      tags,
      summary: 'Transfer a pupil out: off the roster, code void, guardian links ended / 転出',
      request: { params: PupilParam },
      responses: { 204: { description: 'Removed' }, ...badRequestResponse, ...notFoundResponse },
    }),
    async (c) => {
      const { id, pupilId } = c.req.valid('param');
      const school = await schoolFor(c.var.db, c.var.staff, id);
      await removePupil(c.var.db, c.var.staff, school.id, pupilId, Date.now());
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'post',
      path: '/schools/{id}/pupils/{pupilId}/code',
      tags,
      summary: 'Issue a new registration code; the old one stops at once / 登録コードの再発行',
      request: { params: PupilParam },
      responses: {
        201: { description: 'The new code, shown only here', content: json(IssuedCode) },
        ...badRequestResponse,
        ...notFoundResponse,
        ...conflictResponse('The pupil has graduated'),
      },
    }),
    async (c) => {
      const { id, pupilId } = c.req.valid('param');
      const school = await schoolFor(c.var.db, c.var.staff, id);
      const code = await reissueCode(
        c.var.db,
        c.var.staff,
        school.id,
        pupilId,
        Date.now(),
        config(c.env).registrationCodeDays,
      );
      return c.json(code, 201, { 'cache-control': 'no-store' });
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'post',
      path: '/schools/{id}/rollover',
      tags,
      summary: 'New school year: everyone up one grade, the top grade graduates (once per year) / 年度更新',
      request: { params: SchoolParam, body: { required: true, content: json(RolloverBody) } },
      responses: {
        200: { description: 'Done, or done before for this year', content: json(RolloverResult) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const school = await schoolFor(c.var.db, c.var.staff, c.req.valid('param').id);
      const { year } = c.req.valid('json');
      return c.json(await rollOver(c.env, c.var.db, c.var.staff, school, year, Date.now()), 200);
    },
  )
  .route('/', absenceRoutes);
