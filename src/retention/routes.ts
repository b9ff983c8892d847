import { z } from '@hono/zod-openapi';
import { desc } from 'drizzle-orm';
import { badRequestResponse, iso, isoTime, json } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { retentionRuns } from '../db/schema';

const RetentionRun = z
  .object({
    at: isoTime(),
    removed: z
      .record(z.string(), z.number().int())
      .openapi({ description: 'Records removed per kind (counts, never contents); a missing kind failed that run' }),
  })
  .openapi('RetentionRun');

export const retentionRoutes = createRouter().openapi(
  staffRoute(['admin'], {
    method: 'get',
    path: '/retention-runs',
    tags: ['Retention'],
    summary: 'Runs of the hourly retention clean-up, newest first / 保存期間による削除の記録',
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
    responses: {
      200: { description: 'The latest runs', content: json(z.object({ items: z.array(RetentionRun) })) },
      ...badRequestResponse,
    },
  }),
  async (c) => {
    const rows = await c.var.db
      .select()
      .from(retentionRuns)
      .orderBy(desc(retentionRuns.at), desc(retentionRuns.id))
      .limit(c.req.valid('query').limit)
      .all();
    return c.json({ items: rows.map((r) => ({ at: iso(r.at), removed: r.removed })) }, 200);
  },
);
