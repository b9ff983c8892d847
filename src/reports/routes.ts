import { z } from '@hono/zod-openapi';
import { audit } from '../admin/audit';
import { problem } from '../admin/errors';
import { badRequestResponse, conflictResponse, json, notFoundResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { handleOf } from '../residents/handles';
import { catalogNames } from './catalog';
import { EXPORT_CAP, reportsCsv, reportsGeoJson } from './export';
import { resendReportMail } from './mail';
import { exportReports, listReports, reportIdByNumber } from './queries';
import {
  detailJson,
  filtersOf,
  Filters,
  HideBody,
  IdOrNumberParam,
  IdParam,
  ListQuery,
  PatchBody,
  PhotoParam,
  RECEIPT_NUMBER,
  ReportDetail,
  ReportSummary,
  summaryJson,
} from './schemas';
import { getReport } from './service';
import { changeReport, photoContent, reportDetail, setPhotoHidden, setReportHidden } from './staff';

/**
 * The staff door for damage reports (`/api/v1`). Routes parse, call a service and answer: the
 * work is in staff.ts and queries.ts, the shapes in schemas.ts, the export formats in
 * export.ts. Reading and triage need `report_manager` (admin always passes). Reads of personal
 * data (reporter, photos) are audited. Categories and departments are in catalog-routes.ts.
 */

const ROLES = ['report_manager'] as const;

const tags = ['Reports'];

export const reportRoutes = createRouter()
  .openapi(
    staffRoute([...ROLES], {
      method: 'get',
      path: '/reports',
      tags,
      summary: 'List reports with filters, newest first / 通報一覧',
      request: { query: ListQuery },
      responses: {
        200: {
          description: 'One page',
          content: json(z.object({ items: z.array(ReportSummary), nextCursor: z.string().nullable() })),
        },
        ...badRequestResponse,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listReports(c.var.db, { ...filtersOf(q), sort: q.sort, cursor: q.cursor, limit: q.limit });
      const names = await catalogNames(c.var.db);
      return c.json({ items: page.items.map((r) => summaryJson(r, names)), nextCursor: page.nextCursor }, 200);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'get',
      path: '/reports.geojson',
      tags,
      summary: 'Export as GeoJSON (same filters, at most 10,000) / GeoJSON出力',
      request: { query: Filters },
      responses: {
        200: {
          description: 'A FeatureCollection',
          content: {
            'application/geo+json': {
              schema: z.object({
                type: z.literal('FeatureCollection'),
                features: z.array(z.record(z.string(), z.unknown())),
              }),
            },
          },
        },
        ...badRequestResponse,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await exportReports(c.var.db, filtersOf(q), EXPORT_CAP);
      await audit(c.var.db, c.var.staff, 'report.export', 'report', null, {
        format: 'geojson',
        count: rows.length,
        ...q,
      });
      const res = c.json(reportsGeoJson(rows, await catalogNames(c.var.db)), 200);
      // c.json always says application/json; GeoJSON has its own media type (RFC 7946).
      res.headers.set('content-type', 'application/geo+json; charset=utf-8');
      return res;
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'get',
      path: '/reports.csv',
      tags,
      summary: 'Export as CSV (same filters, at most 10,000) / CSV出力',
      request: { query: Filters },
      responses: {
        200: { description: 'UTF-8 CSV with BOM (opens in Excel)', content: { 'text/csv': { schema: z.string() } } },
        ...badRequestResponse,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await exportReports(c.var.db, filtersOf(q), EXPORT_CAP);
      await audit(c.var.db, c.var.staff, 'report.export', 'report', null, { format: 'csv', count: rows.length, ...q });
      return c.body(reportsCsv(rows, await catalogNames(c.var.db)), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="reports.csv"',
      });
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'get',
      path: '/reports/{id}',
      tags,
      summary: 'One report with reporter, photos and history, by id or receipt number (audited) / 通報詳細',
      request: { params: IdOrNumberParam },
      responses: {
        200: { description: 'The report', content: json(ReportDetail) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id: key } = c.req.valid('param');
      const id = RECEIPT_NUMBER.test(key) ? await reportIdByNumber(c.var.db, key) : key;
      const detail = id === null ? null : await reportDetail(c.var.db, id);
      if (!id || !detail) throw problem(404, 'No such report.');
      const reporter = detail.report.reporterLineUserId;
      // An anonymised report (reporter '') names no one.
      const handle = reporter ? await handleOf(c.var.db, reporter) : null;
      await audit(c.var.db, c.var.staff, 'report.read', 'report', id, handle ? { resident: handle } : undefined);
      return c.json(detailJson(detail, await catalogNames(c.var.db), handle), 200);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'get',
      path: '/reports/{id}/photos/{photoId}',
      tags,
      summary: 'A photo of a report, metadata removed (audited) / 写真',
      request: { params: PhotoParam },
      responses: {
        200: {
          description: 'The image',
          content: {
            'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) },
            'image/png': { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id, photoId } = c.req.valid('param');
      const photo = await photoContent(c.env, c.var.db, id, photoId);
      if (!photo) throw problem(404, 'No such photo.');
      await audit(c.var.db, c.var.staff, 'report.photo.read', 'report_photo', photoId, { reportId: id });
      return c.body(photo.body, 200, {
        'content-type': photo.contentType,
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
      });
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'patch',
      path: '/reports/{id}',
      tags,
      summary: 'Change status, notes or department; the reporter hears of it / 対応状況の更新',
      request: { params: IdParam, body: { required: true, content: json(PatchBody) } },
      responses: {
        200: { description: 'Changed', content: json(z.object({ notified: z.number().int() })) },
        ...conflictResponse('Not an allowed status transition, or the report changed meanwhile'),
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const result = await changeReport(c.env, c.var.db, c.var.staff, id, c.req.valid('json'), Date.now());
      return c.json(result, 200);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'post',
      path: '/reports/{id}/hide',
      tags,
      summary: 'Hide a report from every public view (terms §1) / 通報の非公開',
      request: { params: IdParam, body: { required: true, content: json(HideBody) } },
      responses: { 204: { description: 'Hidden' }, ...badRequestResponse, ...notFoundResponse },
    }),
    async (c) => {
      const { reason } = c.req.valid('json');
      await setReportHidden(c.var.db, c.var.staff, c.req.valid('param').id, true, reason, Date.now());
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'post',
      path: '/reports/{id}/unhide',
      tags,
      summary: 'Show a hidden report again, with the reason (recorded) / 非公開の解除',
      request: { params: IdParam, body: { required: true, content: json(HideBody) } },
      responses: { 204: { description: 'Visible again' }, ...badRequestResponse, ...notFoundResponse },
    }),
    async (c) => {
      const { reason } = c.req.valid('json');
      await setReportHidden(c.var.db, c.var.staff, c.req.valid('param').id, false, reason, Date.now());
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'post',
      path: '/reports/{id}/photos/{photoId}/hide',
      tags,
      summary: 'Hide one photo from every public view / 写真の非公開',
      request: { params: PhotoParam, body: { required: true, content: json(HideBody) } },
      responses: { 204: { description: 'Hidden' }, ...badRequestResponse, ...notFoundResponse },
    }),
    async (c) => {
      const p = c.req.valid('param');
      await setPhotoHidden(c.var.db, c.var.staff, p.id, p.photoId, true, c.req.valid('json').reason, Date.now());
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'post',
      path: '/reports/{id}/photos/{photoId}/unhide',
      tags,
      summary: 'Show a hidden photo again, with the reason (recorded) / 写真の非公開の解除',
      request: { params: PhotoParam, body: { required: true, content: json(HideBody) } },
      responses: { 204: { description: 'Visible again' }, ...badRequestResponse, ...notFoundResponse },
    }),
    async (c) => {
      const p = c.req.valid('param');
      await setPhotoHidden(c.var.db, c.var.staff, p.id, p.photoId, false, c.req.valid('json').reason, Date.now());
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'post',
      path: '/reports/{id}/mail',
      tags,
      summary: 'Send the department e-mail again / 担当課メールの再送',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Outcome of the attempt',
          content: json(z.object({ mailStatus: z.enum(['sent', 'pending', 'failed']) })),
        },
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await getReport(c.var.db, id))) throw problem(404, 'No such report.');
      await audit(c.var.db, c.var.staff, 'report.mail.resend', 'report', id);
      const mailStatus = await resendReportMail(c.env, c.var.db, id, Date.now(), new URL(c.req.url).origin);
      return c.json({ mailStatus }, 200);
    },
  );
