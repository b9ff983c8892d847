import { z } from '@hono/zod-openapi';
import { audit } from '../admin/audit';
import { problem } from '../admin/errors';
import { badRequestResponse, conflictResponse, iso, json, notFoundResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { REPORT_STATUSES, type ReportStatus } from '../db/schema';
import { resendReportMail } from './mail';
import { exportReports, isReportCursor, listReports, type ReportQuery } from './queries';
import { changeReport, getPhoto, reportDetail, setPhotoHidden, setReportHidden } from './staff';

/**
 * The staff door for damage reports (`/api/v1`). Routes parse and shape; the work is in
 * staff.ts. Reading and triage need `report_manager` (admin always passes). Reads of personal
 * data (reporter, photos) are audited. Categories and departments are in catalog-routes.ts.
 */

const ROLES = ['report_manager'] as const;

const StatusSchema = z.enum(REPORT_STATUSES).openapi('ReportStatus');

const Filters = z.object({
  status: z
    .string()
    .optional()
    .refine(
      (s) => !s || s.split(',').every((x) => (REPORT_STATUSES as readonly string[]).includes(x)),
      `a comma list of ${REPORT_STATUSES.join(', ')}`,
    )
    .openapi({ example: 'received,accepted' }),
  category: z.string().min(1).max(64).optional().openapi({ example: 'road' }),
  subtype: z.string().min(1).max(64).optional(),
  department: z.string().min(1).max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Received at or after (ISO 8601)' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Received before (ISO 8601)' }),
  bbox: z
    .string()
    .regex(/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$/, 'minLng,minLat,maxLng,maxLat')
    .optional()
    .openapi({ example: '133.90,34.64,133.94,34.68' }),
  q: z.string().min(1).max(100).optional().openapi({ description: 'Text in the description, number or address' }),
  hidden: z
    .enum(['exclude', 'include', 'only'])
    .default('include')
    .openapi({ description: 'Reports hidden by moderation' }),
});
type FilterInput = z.infer<typeof Filters>;

const ListQuery = Filters.extend({
  sort: z.enum(['newest', 'oldest']).default('newest'),
  cursor: z.string().refine(isReportCursor, 'not a cursor from nextCursor').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

function filtersOf(q: FilterInput): Omit<ReportQuery, 'sort' | 'limit' | 'cursor'> {
  return {
    status: q.status ? (q.status.split(',') as ReportStatus[]) : undefined,
    category: q.category,
    subtype: q.subtype,
    department: q.department,
    from: q.from ? Date.parse(q.from) : undefined,
    to: q.to ? Date.parse(q.to) : undefined,
    bbox: q.bbox ? (q.bbox.split(',').map(Number) as [number, number, number, number]) : undefined,
    q: q.q,
    hidden: q.hidden,
  };
}

const ReportSummary = z
  .object({
    id: z.string(),
    number: z.string().openapi({ example: 'R-2026-000123' }),
    status: StatusSchema,
    categoryCode: z.string(),
    subtypeCode: z.string(),
    departmentId: z.string().nullable(),
    duplicateOf: z.string().nullable(),
    lat: z.number(),
    lng: z.number(),
    address: z.string().nullable(),
    description: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    closedAt: z.string().nullable(),
    hidden: z.boolean(),
    hiddenReason: z.string().nullable(),
    mailStatus: z.enum(['pending', 'sent', 'failed']),
  })
  .openapi('ReportSummary');

type SummaryRow = Awaited<ReturnType<typeof listReports>>['items'][number];
function summary(r: SummaryRow): z.infer<typeof ReportSummary> {
  const { hiddenAt, createdAt, updatedAt, closedAt, ...rest } = r;
  return {
    ...rest,
    createdAt: iso(createdAt),
    updatedAt: iso(updatedAt),
    closedAt: iso(closedAt),
    hidden: hiddenAt !== null,
  };
}

const Photo = z.object({
  id: z.string(),
  url: z.string(),
  contentType: z.string(),
  bytes: z.number(),
  hidden: z.boolean(),
  hiddenReason: z.string().nullable(),
});
const HistoryEntry = z.object({
  at: z.string(),
  actor: z.string(),
  from: StatusSchema.nullable(),
  to: StatusSchema,
  publicNote: z.string().nullable(),
  internalNote: z.string().nullable(),
  departmentId: z.string().nullable(),
});
const ReportDetail = ReportSummary.extend({
  reporter: z.object({ lineUserId: z.string() }).openapi({ description: 'Personal data: every read is audited' }),
  supporters: z.number().int().openapi({ description: 'Residents who added themselves to this report' }),
  duplicates: z
    .array(z.object({ id: z.string(), number: z.string() }))
    .openapi({ description: 'Reports filed as duplicates of this one' }),
  nearby: z
    .array(z.object({ id: z.string(), number: z.string(), status: StatusSchema, distanceM: z.number().int() }))
    .openapi({
      description:
        'Reports of the same category within 30 m and 30 days, nearest first (residents are shown these as possible duplicates)',
    }),
  photos: z.array(Photo),
  history: z.array(HistoryEntry),
  mail: z.object({
    status: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number(),
    lastError: z.string().nullable(),
    sentAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  }),
}).openapi('ReportDetail');

const IdParam = z.object({ id: z.uuid() });
const PhotoParam = z.object({ id: z.uuid(), photoId: z.uuid() });

const PatchBody = z
  .strictObject({
    status: StatusSchema.optional(),
    publicNote: z.string().max(1000).optional().openapi({ description: 'Pushed to the reporter and supporters' }),
    internalNote: z.string().max(2000).optional().openapi({ description: 'Staff only; never leaves the staff API' }),
    department: z.string().min(1).max(64).optional(),
    duplicateOf: z.uuid().optional().openapi({ description: 'The original report, with status duplicate' }),
  })
  .openapi('ReportChange');

const HideBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

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
      return c.json({ items: page.items.map(summary), nextCursor: page.nextCursor }, 200);
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
      const body = {
        type: 'FeatureCollection' as const,
        features: rows.map((r) => {
          const { lat, lng, ...props } = summary(r);
          return { type: 'Feature', geometry: { type: 'Point', coordinates: [lng, lat] }, properties: props };
        }),
      };
      const res = c.json(body, 200);
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
      const cols = [
        'number',
        'id',
        'status',
        'categoryCode',
        'subtypeCode',
        'departmentId',
        'lat',
        'lng',
        'address',
        'description',
        'createdAt',
        'updatedAt',
        'closedAt',
        'hidden',
        'duplicateOf',
        'mailStatus',
      ] as const;
      const lines = [
        cols.join(','),
        ...rows.map((r) => {
          const s = summary(r);
          return cols.map((k) => csvCell(s[k])).join(',');
        }),
      ];
      return c.body(`\uFEFF${lines.join('\r\n')}\r\n`, 200, {
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
      summary: 'One report with reporter, photos and history (audited) / 通報詳細',
      request: { params: IdParam },
      responses: {
        200: { description: 'The report', content: json(ReportDetail) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const detail = await reportDetail(c.var.db, id);
      if (!detail) throw problem(404, 'No such report.');
      await audit(c.var.db, c.var.staff, 'report.read', 'report', id);
      const { report: r, photos, history, supporters, duplicates, nearby } = detail;
      return c.json(
        {
          ...summary(r),
          reporter: { lineUserId: r.reporterLineUserId },
          supporters: supporters.length,
          duplicates,
          nearby,
          photos: photos.map((p) => ({
            id: p.id,
            url: `/api/v1/reports/${id}/photos/${p.id}`,
            contentType: p.contentType,
            bytes: p.bytes,
            hidden: p.hiddenAt !== null,
            hiddenReason: p.hiddenReason,
          })),
          history: history.map((h) => ({
            at: iso(h.at),
            actor: h.actor,
            from: h.fromStatus as ReportStatus | null,
            to: h.toStatus as ReportStatus,
            publicNote: h.publicNote,
            internalNote: h.internalNote,
            departmentId: h.departmentId,
          })),
          mail: {
            status: r.mailStatus,
            attempts: r.mailAttempts,
            lastError: r.mailLastError,
            sentAt: iso(r.mailSentAt),
            nextAttemptAt: iso(r.mailNextAt),
          },
        },
        200,
      );
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
      const photo = await getPhoto(c.var.db, id, photoId);
      const obj = photo ? await c.env.PHOTOS.get(photo.r2Key) : null;
      if (!photo || !obj) throw problem(404, 'No such photo.');
      await audit(c.var.db, c.var.staff, 'report.photo.read', 'report_photo', photoId, { reportId: id });
      return c.body(obj.body, 200, {
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
      await setReportHidden(c.var.db, c.var.staff, c.req.valid('param').id, c.req.valid('json').reason, Date.now());
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'post',
      path: '/reports/{id}/unhide',
      tags,
      summary: 'Show a hidden report again / 非公開の解除',
      request: { params: IdParam },
      responses: { 204: { description: 'Visible again' }, ...notFoundResponse },
    }),
    async (c) => {
      await setReportHidden(c.var.db, c.var.staff, c.req.valid('param').id, null, Date.now());
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
      await setPhotoHidden(c.var.db, c.var.staff, p.id, p.photoId, c.req.valid('json').reason, Date.now());
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute([...ROLES], {
      method: 'post',
      path: '/reports/{id}/photos/{photoId}/unhide',
      tags,
      summary: 'Show a hidden photo again / 写真の非公開の解除',
      request: { params: PhotoParam },
      responses: { 204: { description: 'Visible again' }, ...notFoundResponse },
    }),
    async (c) => {
      const p = c.req.valid('param');
      await setPhotoHidden(c.var.db, c.var.staff, p.id, p.photoId, null, Date.now());
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
      const detail = await reportDetail(c.var.db, id);
      if (!detail) throw problem(404, 'No such report.');
      await audit(c.var.db, c.var.staff, 'report.mail.resend', 'report', id);
      const mailStatus = await resendReportMail(c.env, c.var.db, id, Date.now(), new URL(c.req.url).origin);
      return c.json({ mailStatus }, 200);
    },
  );

const EXPORT_CAP = 10_000;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A cell starting with = + - @ is a formula to a spreadsheet: neutralise it.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
