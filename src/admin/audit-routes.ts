import { z } from '@hono/zod-openapi';
import { audit, isAuditCursor, listAudit } from './audit';
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
  cursor: z.string().refine(isAuditCursor, 'not a cursor from nextCursor').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

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
        description: 'One page; pass `nextCursor` as `cursor` for the next',
        content: json(z.object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() })),
      },
      ...badRequestResponse,
    },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const page = await listAudit(c.var.db, {
      ...q,
      since: q.since === undefined ? undefined : momentMs(q.since, 'start'),
      until: q.until === undefined ? undefined : momentMs(q.until, 'end'),
    });
    // The log names who touched which resident's records, so reading it is itself audited.
    await audit(c.var.db, c.var.staff, 'audit.list', 'audit_log', null, {
      staffId: q.staffId,
      action: q.action,
      since: q.since,
      until: q.until,
    });
    return c.json({ items: page.items.map((e) => ({ ...e, at: iso(e.at) })), nextCursor: page.nextCursor }, 200);
  },
);
