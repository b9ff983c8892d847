import { z } from '@hono/zod-openapi';
import { iso, isoTime, momentMs, momentQuery } from '../admin/openapi';
import { REPORT_STATUSES, type ReportStatus } from '../db/schema';
import { isReportCursor, type listReports, type ReportQuery } from './queries';
import type { CatalogNames } from './catalog';
import type { reportDetail } from './staff';

/**
 * What the staff report routes take and give: the zod schemas routes.ts declares (and the
 * OpenAPI document is generated from), and the functions that turn rows into those shapes.
 */

const StatusSchema = z.enum(REPORT_STATUSES).openapi('ReportStatus');

export const Filters = z.object({
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
  from: momentQuery('Received at or after this moment; a day (JST) means from its start').optional(),
  to: momentQuery('Received before this moment; a day (JST) means up to its end, that day included').optional(),
  bbox: z
    .string()
    .regex(/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$/, 'minLng,minLat,maxLng,maxLat')
    // A box with min > max holds nothing: say so instead of answering an empty list.
    .superRefine((b, ctx) => {
      const [minLng, minLat, maxLng, maxLat] = b.split(',').map(Number) as [number, number, number, number];
      if (minLng > maxLng || minLat > maxLat)
        ctx.addIssue({ code: 'custom', message: `${b} has a minimum above its maximum (minLng,minLat,maxLng,maxLat)` });
    })
    .optional()
    .openapi({ example: '133.90,34.64,133.94,34.68' }),
  // An empty search box (`q=`) is no filter, not a 400.
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .openapi({ description: 'Text in the description, number or address; empty means no filter' }),
  hidden: z
    .enum(['exclude', 'include', 'only'])
    .default('include')
    .openapi({ description: 'Reports hidden by moderation' }),
});
type FilterInput = z.infer<typeof Filters>;

export const ListQuery = Filters.extend({
  sort: z.enum(['newest', 'oldest']).default('newest'),
  cursor: z.string().refine(isReportCursor, 'not a cursor from nextCursor').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function filtersOf(q: FilterInput): Omit<ReportQuery, 'sort' | 'limit' | 'cursor'> {
  return {
    status: q.status ? (q.status.split(',') as ReportStatus[]) : undefined,
    category: q.category,
    subtype: q.subtype,
    department: q.department,
    from: q.from ? momentMs(q.from, 'start') : undefined,
    to: q.to ? momentMs(q.to, 'next') : undefined,
    bbox: q.bbox ? (q.bbox.split(',').map(Number) as [number, number, number, number]) : undefined,
    q: q.q || undefined,
    hidden: q.hidden,
  };
}

export const ReportSummary = z
  .object({
    id: z.string(),
    number: z.string().openapi({ example: 'R-2026-000123' }),
    status: StatusSchema,
    categoryCode: z.string(),
    categoryName: z.string().nullable().openapi({ description: 'null: a code no longer in the catalog' }),
    subtypeCode: z.string(),
    subtypeName: z.string().nullable(),
    departmentId: z.string().nullable(),
    departmentName: z.string().nullable(),
    duplicateOf: z.string().nullable(),
    lat: z.number(),
    lng: z.number(),
    address: z.string().nullable(),
    description: z.string(),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    closedAt: isoTime().nullable(),
    hidden: z.boolean(),
    hiddenReason: z.string().nullable(),
    mailStatus: z.enum(['pending', 'sent', 'failed']),
  })
  .openapi('ReportSummary');

export type SummaryRow = Awaited<ReturnType<typeof listReports>>['items'][number];

/**
 * Built field by field, never by spreading a row: the detail view hands in the whole report
 * row, whose reporter, moderator and raw mail columns must not leave under the summary.
 */
export function summaryJson(r: SummaryRow, names: CatalogNames): z.infer<typeof ReportSummary> {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    categoryCode: r.categoryCode,
    categoryName: names.category.get(r.categoryCode) ?? null,
    subtypeCode: r.subtypeCode,
    subtypeName: names.category.get(r.subtypeCode) ?? null,
    departmentId: r.departmentId,
    departmentName: (r.departmentId && names.department.get(r.departmentId)) ?? null,
    duplicateOf: r.duplicateOf,
    lat: r.lat,
    lng: r.lng,
    address: r.address,
    description: r.description,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    closedAt: iso(r.closedAt),
    hidden: r.hiddenAt !== null,
    hiddenReason: r.hiddenReason,
    mailStatus: r.mailStatus,
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
  at: isoTime(),
  actor: z.string(),
  from: StatusSchema.nullable(),
  to: StatusSchema,
  publicNote: z.string().nullable(),
  internalNote: z.string().nullable(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
});
export const ReportDetail = ReportSummary.extend({
  reporter: z
    .object({ handle: z.string().openapi({ example: 'res_0123456789abcdef01234567' }) })
    .nullable()
    .openapi({
      description:
        'Who reported it, as the resident’s handle (the same on all their reports; restrictions take it), never the LINE user ID. null: the reporter deleted their data or was anonymised',
    }),
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
    sentAt: isoTime().nullable(),
    nextAttemptAt: isoTime().nullable(),
  }),
}).openapi('ReportDetail');

export const IdParam = z.object({ id: z.uuid() });
/** The receipt number residents quote on the phone (`R-2026-000123`) finds a report like its id. */
export const RECEIPT_NUMBER = /^R-\d{4}-\d{6,}$/;
export const IdOrNumberParam = z.object({
  id: z
    .union([z.uuid(), z.string().regex(RECEIPT_NUMBER)])
    .openapi({ description: 'The report’s id, or its receipt number', example: 'R-2026-000123' }),
});
export const PhotoParam = z.object({ id: z.uuid(), photoId: z.uuid() });

export const PatchBody = z
  .strictObject({
    status: StatusSchema.optional(),
    publicNote: z.string().max(1000).optional().openapi({ description: 'Pushed to the reporter and supporters' }),
    internalNote: z.string().max(2000).optional().openapi({ description: 'Staff only; never leaves the staff API' }),
    department: z.string().min(1).max(64).optional(),
    duplicateOf: z.uuid().optional().openapi({ description: 'The original report, with status duplicate' }),
  })
  .openapi('ReportChange');

export const HideBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

type Detail = NonNullable<Awaited<ReturnType<typeof reportDetail>>>;

/** The detail view: the photos point at their audited route, never at R2. */
export function detailJson(
  { report: r, photos, history, supporters, duplicates, nearby }: Detail,
  names: CatalogNames,
  reporterHandle: string | null,
) {
  return {
    ...summaryJson(r, names),
    reporter: reporterHandle === null ? null : { handle: reporterHandle },
    supporters: supporters.length,
    duplicates,
    nearby,
    photos: photos.map((p) => ({
      id: p.id,
      url: `/api/v1/reports/${r.id}/photos/${p.id}`,
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
      departmentName: (h.departmentId && names.department.get(h.departmentId)) ?? null,
    })),
    mail: {
      status: r.mailStatus,
      attempts: r.mailAttempts,
      lastError: r.mailLastError,
      sentAt: iso(r.mailSentAt),
      nextAttemptAt: iso(r.mailNextAt),
    },
  };
}
