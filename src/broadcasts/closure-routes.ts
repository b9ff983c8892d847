import { z } from '@hono/zod-openapi';
import { problem } from '../admin/errors';
import { badRequestResponse, conflictResponse, iso, isoTime, json, notFoundResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { isJstDate } from '../calendar/jst';
import { addClosureDay, deleteClosureDay, listClosureDays } from './closures';

const JstDate = z.string().refine(isJstDate, 'must be a date YYYY-MM-DD').openapi({ example: '2026-12-28' });
const ClosureDay = z
  .object({ date: z.string(), reason: z.string(), createdBy: z.string(), createdAt: isoTime() })
  .openapi('ClosureDay');
/** A new closure day as staff send it (exported so the console reads its form by the same rule). */
export const NewClosureDay = z.strictObject({ date: JstDate, reason: z.string().trim().min(1).max(200) });
const view = (r: { date: string; reason: string; createdBy: string; createdAt: number }) => ({
  ...r,
  createdAt: iso(r.createdAt),
});

/** Extra days the city office is closed: city broadcasts due on them wait for the next office day. */
export const closureRoutes = createRouter()
  .openapi(
    staffRoute(['admin'], {
      method: 'get',
      path: '/closure-days',
      tags: ['Calendar'],
      summary: 'Extra closure days / 臨時閉庁日',
      responses: {
        200: { description: 'All closure days, by date', content: json(z.object({ items: z.array(ClosureDay) })) },
      },
    }),
    async (c) => c.json({ items: (await listClosureDays(c.var.db)).map(view) }, 200),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/closure-days',
      tags: ['Calendar'],
      summary: 'Add a closure day (JST) / 臨時閉庁日の追加',
      request: {
        body: {
          required: true,
          content: json(NewClosureDay),
        },
      },
      responses: {
        201: { description: 'Added', content: json(ClosureDay) },
        ...badRequestResponse,
        ...conflictResponse('Already a closure day'),
      },
    }),
    async (c) => {
      const { date, reason } = c.req.valid('json');
      return c.json(view(await addClosureDay(c.var.db, c.var.staff, date, reason)), 201);
    },
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'delete',
      path: '/closure-days/{date}',
      tags: ['Calendar'],
      summary: 'Remove a closure day / 臨時閉庁日の削除',
      request: { params: z.object({ date: JstDate }) },
      responses: { 204: { description: 'Removed' }, ...badRequestResponse, ...notFoundResponse },
    }),
    async (c) => {
      const { date } = c.req.valid('param');
      if (!(await deleteClosureDay(c.var.db, c.var.staff, date))) throw problem(404, `${date} is not a closure day.`);
      return c.body(null, 204);
    },
  );
