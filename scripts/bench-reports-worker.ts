/**
 * The worker scripts/bench-reports.ts runs in Miniflare: it calls `listReports` (the code
 * behind GET /api/v1/reports) against its D1 binding and says how long that took inside
 * workerd, where the real worker runs. Bundled by esbuild at bench time.
 */
import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../src/db/schema';
import { listReports, type ReportQuery } from '../src/reports/queries';

export default {
  async fetch(request: Request, env: { DB: D1Database }): Promise<Response> {
    const q = (await request.json()) as ReportQuery;
    const db = drizzle(env.DB, { schema });
    // Inside workerd the clock moves on I/O, and a D1 query is I/O: this is the query's time.
    const t = Date.now();
    const page = await listReports(db, q);
    return Response.json({ ms: Date.now() - t, rows: page.items.length });
  },
};
