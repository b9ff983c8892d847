import { z } from '@hono/zod-openapi';
import { audit, auditCsv, isAuditCursor, listAudit } from './audit';
import { badRequestResponse, iso, isoTime, json, momentMs, momentQuery } from './openapi';
import { createRouter, staffRoute } from './router';

const AuditQuery = z.object({
  staffId: z.string().min(1).max(100).optional(),
  action: z.string().min(1).max(100).optional().openapi({
    description: 'One action, or all under a prefix ending in a dot (`broadcast.`)',
    example: 'broadcast.',
  }),
  since: momentQuery('At or after, e.g. 2026-12-01T00:00:00+09:00; a day (JST) means from its start').optional(),
  until: momentQuery('At or before; a day (JST) means up to its end, that day included').optional(),
  resident: z
    .string()
    .regex(/^res_[0-9a-f]{24}$/, 'a resident handle')
    .optional()
    .openapi({ description: 'Who read or changed this resident’s data (a handle, `res_…`)' }),
  cursor: z.string().refine(isAuditCursor, 'not a cursor from nextCursor').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  format: z
    .enum(['json', 'csv'])
    .default('json')
    .openapi({ description: '`csv`: the matching rows (at most 10,000, newest first) as UTF-8 CSV with BOM' }),
});

/** Rows a CSV export holds at most. */
export const AUDIT_EXPORT_CAP = 10_000;

const AuditEntry = z
  .object({
    id: z.number().int(),
    at: isoTime(),
    staffId: z.string(),
    staffName: z.string().nullable().openapi({ description: 'null for the bootstrap token' }),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('AuditEntry');

export const auditRoutes = createRouter().openapi(
  staffRoute(['admin'], {
    method: 'get',
    path: '/audit',
    tags: ['Audit'],
    summary: 'Read the audit log, newest first / 監査ログ',
    request: { query: AuditQuery },
    responses: {
      200: {
        description: 'One page; pass `nextCursor` as `cursor` for the next (or CSV with `format=csv`)',
        content: {
          ...json(z.object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() })),
          'text/csv': { schema: z.string() },
        },
      },
      ...badRequestResponse,
    },
  }),
  async (c) => {
    const { format, ...q } = c.req.valid('query');
    const csv = format === 'csv';
    const page = await listAudit(c.var.db, {
      ...q,
      since: q.since === undefined ? undefined : momentMs(q.since, 'start'),
      until: q.until === undefined ? undefined : momentMs(q.until, 'end'),
      // An export is one file of everything that matches, up to the cap.
      ...(csv ? { cursor: undefined, limit: AUDIT_EXPORT_CAP } : {}),
    });
    // The log names who touched which resident's records, so reading it is itself audited.
    await audit(c.var.db, c.var.staff, csv ? 'audit.export' : 'audit.list', 'audit_log', null, {
      staffId: q.staffId,
      action: q.action,
      since: q.since,
      until: q.until,
      // Not `resident`: that key marks rows about the resident, and this row is about the log.
      residentFilter: q.resident,
      ...(csv ? { format, count: page.items.length } : {}),
    });
    if (csv)
      return c.body(auditCsv(page.items), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="audit.csv"',
      });
    return c.json({ items: page.items.map((e) => ({ ...e, at: iso(e.at) })), nextCursor: page.nextCursor }, 200);
  },
);
