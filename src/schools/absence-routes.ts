import { audit } from '../admin/audit';
import { badRequestResponse, conflictResponse, json, notFoundResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { jstParts } from '../calendar/jst';
import { absenceJson, absencesCsv, confirmAbsence, countsOf, listAbsences, summaryOf } from './absences-staff';
import { schoolFor } from './registry';
import {
  Absence,
  AbsenceList,
  AbsenceParam,
  AbsenceQuery,
  AbsenceSummary,
  ConfirmBody,
  SchoolParam,
  SummaryQuery,
} from './schemas';
import { z } from '@hono/zod-openapi';

/**
 * The school's notices (`/api/v1/schools/{id}/absences…`): the day's list (JSON or CSV), the
 * morning summary, and confirmation. There is no PATCH, PUT or DELETE on a notice: notices
 * are the guardians' and immutable. Every read is audited.
 */

const tags = ['Schools'];
const STAFF = ['school_staff'] as const;
const today = () => jstParts(Date.now()).date;

export const absenceRoutes = createRouter()
  .openapi(
    staffRoute([...STAFF], {
      method: 'get',
      path: '/schools/{id}/absences',
      tags,
      summary: 'The day’s notices (a range is on every day it covers), JSON or CSV (audited) / 欠席等連絡一覧',
      request: { params: SchoolParam, query: AbsenceQuery },
      responses: {
        200: {
          description: 'The day’s list; with format=csv, UTF-8 CSV with BOM (opens in Excel)',
          content: { ...json(AbsenceList), 'text/csv': { schema: z.string() } },
        },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const school = await schoolFor(c.var.db, c.var.staff, c.req.valid('param').id);
      const { format, ...q } = c.req.valid('query');
      const date = q.date ?? today();
      const rows = await listAbsences(c.var.db, school.id, { ...q, date });
      await audit(c.var.db, c.var.staff, 'school.absences.read', 'school', school.id, {
        ...q,
        date,
        format,
        count: rows.length,
      });
      if (format === 'csv')
        return c.body(absencesCsv(rows), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="absences-${date}.csv"`,
        });
      return c.json({ date, items: rows.map(absenceJson), counts: countsOf(rows) }, 200);
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'get',
      path: '/schools/{id}/absences/summary',
      tags,
      summary: 'The morning’s counts by grade, class and type (audited) / 集計',
      request: { params: SchoolParam, query: SummaryQuery },
      responses: {
        200: { description: 'Counts, withdrawn notices left out', content: json(AbsenceSummary) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const school = await schoolFor(c.var.db, c.var.staff, c.req.valid('param').id);
      const date = c.req.valid('query').date ?? today();
      const rows = await listAbsences(c.var.db, school.id, { date });
      await audit(c.var.db, c.var.staff, 'school.absences.summary', 'school', school.id, { date });
      return c.json(summaryOf(date, rows), 200);
    },
  )
  .openapi(
    staffRoute([...STAFF], {
      method: 'post',
      path: '/schools/{id}/absences/{absenceId}/confirm',
      tags,
      summary: 'Confirm a notice (確認済); the guardian is told once, with the comment / 確認',
      request: { params: AbsenceParam, body: { required: false, content: json(ConfirmBody) } },
      responses: {
        200: { description: 'The notice, confirmed (also when it already was)', content: json(Absence) },
        ...badRequestResponse,
        ...notFoundResponse,
        ...conflictResponse('The guardian withdrew the notice'),
      },
    }),
    async (c) => {
      const { id, absenceId } = c.req.valid('param');
      const school = await schoolFor(c.var.db, c.var.staff, id);
      const comment = c.req.valid('json').comment ?? null;
      return c.json(await confirmAbsence(c.env, c.var.db, c.var.staff, school, absenceId, comment, Date.now()), 200);
    },
  );
