/**
 * The worker scripts/bench-schools.ts runs in Miniflare: it calls `listAbsences` (the code
 * behind GET /api/v1/schools/{id}/absences) against its D1 binding and says how long that took
 * inside workerd, where the real worker runs. Bundled by esbuild at bench time.
 */
import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../src/db/schema';
import { absenceJson, countsOf, listAbsences } from '../src/schools/absences-staff';

export default {
  async fetch(request: Request, env: { DB: D1Database }): Promise<Response> {
    const q = (await request.json()) as { schoolId: string; date: string };
    const db = drizzle(env.DB, { schema });
    // Inside workerd the clock moves on I/O, and a D1 query is I/O: this is the query's time.
    const t = Date.now();
    const rows = await listAbsences(db, q.schoolId, { date: q.date });
    const body = JSON.stringify({ items: rows.map(absenceJson), counts: countsOf(rows) });
    return Response.json({ ms: Date.now() - t, rows: rows.length, bytes: body.length });
  },
};
