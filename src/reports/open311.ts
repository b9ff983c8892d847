import { and, asc, desc, eq, gte, inArray, isNull, lte } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { db as makeDb, type Db } from '../db/client';
import {
  reportCategories,
  reportDepartments,
  reportPhotos,
  reports,
  reportStatusHistory,
  type ReportStatus,
} from '../db/schema';
import { jstIsoString } from '../calendar/jst';
import { clip } from '../line/limits';
import { listColumns } from './queries';
import { CLOSED_STATUSES, OPEN_STATUSES, open311Status, redactPersonalData, REPORT_NUMBER } from './rules';
import { log } from '../http/log';

/**
 * Open311 GeoReport v2, read-only, at /open311/v2: what other civic tools may know about
 * damage reports. Anonymised by construction: the queries below select only public columns
 * (never the reporter, never internal notes), skip hidden reports and hidden photos, and
 * public descriptions have phone numbers and e-mail addresses blanked.
 * Answers are the spec's bare JSON arrays; errors are `[{code, description}]`.
 */

export const open311 = new Hono<{ Bindings: Env }>();

const MAX_RESULTS = 1000;
const IN_SLICE = 90;
/** service_request_id lists longer than this are cut (D1's parameter limit, and no client needs more). */
const MAX_IDS = 50;
/** GeoReport v2: without a date range, the last 90 days. */
const DEFAULT_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;

function errors(c: Context, status: 400 | 404, description: string) {
  return c.json([{ code: status, description }], status);
}

open311.use('*', async (c, next) => {
  await next();
  // Public data for any origin; browsers may fetch it from other civic tools.
  c.header('access-control-allow-origin', '*');
  if (c.res.status === 200) c.header('cache-control', 'public, max-age=60');
});

open311.onError((err, c) => {
  log.error('open311 error', { path: c.req.path, error: err.message });
  return c.json([{ code: 500, description: 'Internal error' }], 500);
});

open311.get('/discovery.json', (c) => {
  const base = `${new URL(c.req.url).origin}/open311/v2`;
  return c.json({
    changeset: '2026-11-28T00:00:00+09:00',
    contact: `${c.env.CONTACT_EMAIL ?? 'dx@city.okayama.jp'}（岡山市 政策局政策部デジタル推進課）`,
    key_service: 'Read-only; no API key needed.',
    endpoints: [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: base,
        changeset: '2026-11-28T00:00:00+09:00',
        type: 'production',
        formats: ['application/json'],
      },
    ],
  });
});

async function services(db: Db) {
  const rows = await db
    .select()
    .from(reportCategories)
    .where(eq(reportCategories.active, true))
    .orderBy(asc(reportCategories.sortOrder))
    .all();
  const parents = new Map(rows.filter((r) => r.parentCode === null).map((r) => [r.code, r]));
  return rows
    .filter((r) => r.parentCode !== null && parents.has(r.parentCode))
    .sort(
      (a, b) =>
        parents.get(a.parentCode!)!.sortOrder - parents.get(b.parentCode!)!.sortOrder || a.sortOrder - b.sortOrder,
    )
    .map((r) => {
      const group = parents.get(r.parentCode!)!;
      return {
        service_code: r.code,
        service_name: `${group.nameJa}：${r.nameJa}`,
        description: `${group.nameJa}の損傷（${r.nameJa}） / ${group.nameEn}: ${r.nameEn}`,
        metadata: false,
        type: 'realtime' as const,
        keywords: [group.nameJa, r.nameJa, group.nameEn, r.nameEn].join(','),
        group: group.nameJa,
      };
    });
}

open311.get('/services.json', async (c) => c.json(await services(makeDb(c.env.DB))));

open311.get('/services/:file', async (c) => {
  const m = /^(.+)\.json$/.exec(c.req.param('file'));
  if (!m) return errors(c, 404, 'Only the .json format is offered.');
  const list = await services(makeDb(c.env.DB));
  if (!list.some((s) => s.service_code === m[1])) return errors(c, 404, `No service with service_code ${m[1]}.`);
  // No extra attributes: metadata is false for every service.
  return c.json({ service_code: m[1]!, attributes: [] });
});

// What the public feed may show, named one by one: a column added to the staff list does not
// reach the public by itself.
const PUBLIC = [
  'id',
  'number',
  'status',
  'subtypeCode',
  'departmentId',
  'lat',
  'lng',
  'address',
  'description',
  'createdAt',
  'updatedAt',
  'closedAt',
] as const;
const publicColumns = Object.fromEntries(PUBLIC.map((k) => [k, listColumns[k]])) as Pick<
  typeof listColumns,
  (typeof PUBLIC)[number]
>;
type PublicRow = Pick<typeof reports.$inferSelect, keyof typeof publicColumns>;

/** Shapes rows as GeoReport v2 requests: names, agency, the latest public note, the first visible photo. */
async function shape(c: Context<{ Bindings: Env }>, db: Db, rows: PublicRow[]) {
  if (rows.length === 0) return [];
  const [cats, depts] = await Promise.all([
    db.select().from(reportCategories).all(),
    db.select({ id: reportDepartments.id, name: reportDepartments.name }).from(reportDepartments).all(),
  ]);
  // D1 binds at most 100 parameters per statement: ask about the reports in slices.
  const notes: { reportId: string; from: string | null; to: string; note: string | null }[] = [];
  const photos: { id: string; reportId: string | null }[] = [];
  for (let i = 0; i < rows.length; i += IN_SLICE) {
    const ids = rows.slice(i, i + IN_SLICE).map((r) => r.id);
    const [n, p] = await Promise.all([
      db
        .select({
          reportId: reportStatusHistory.reportId,
          from: reportStatusHistory.fromStatus,
          to: reportStatusHistory.toStatus,
          note: reportStatusHistory.publicNote,
        })
        .from(reportStatusHistory)
        .where(inArray(reportStatusHistory.reportId, ids))
        .orderBy(asc(reportStatusHistory.at), asc(reportStatusHistory.id))
        .all(),
      db
        .select({ id: reportPhotos.id, reportId: reportPhotos.reportId })
        .from(reportPhotos)
        .where(and(inArray(reportPhotos.reportId, ids), isNull(reportPhotos.hiddenAt)))
        .orderBy(asc(reportPhotos.sortOrder))
        .all(),
    ]);
    notes.push(...n);
    photos.push(...p);
  }
  const cat = new Map(cats.map((x) => [x.code, x]));
  const dept = new Map(depts.map((x) => [x.id, x.name]));
  // The latest public note since the status last moved: an older one spoke of another status.
  const lastNote = new Map<string, string>();
  for (const n of notes) {
    if (n.note) lastNote.set(n.reportId, n.note);
    else if (n.from !== n.to) lastNote.delete(n.reportId);
  }
  const firstPhoto = new Map<string, string>();
  for (const p of photos) if (p.reportId && !firstPhoto.has(p.reportId)) firstPhoto.set(p.reportId, p.id);
  const origin = new URL(c.req.url).origin;
  return rows.map((r) => {
    const sub = cat.get(r.subtypeCode);
    const parent = sub?.parentCode ? cat.get(sub.parentCode) : undefined;
    const photo = firstPhoto.get(r.id);
    const closed = CLOSED_STATUSES.includes(r.status);
    return {
      service_request_id: r.number,
      status: open311Status(r.status),
      status_notes: lastNote.has(r.id) ? redactPersonalData(lastNote.get(r.id)!) : null,
      service_name: sub ? `${parent?.nameJa ?? ''}：${sub.nameJa}` : null,
      service_code: r.subtypeCode,
      // GeoReport caps it at 4,000; cut between graphemes, so no emoji is left in halves.
      description: r.description ? clip(redactPersonalData(r.description), 4000, 'utf16', '') : null,
      agency_responsible: r.departmentId ? (dept.get(r.departmentId) ?? null) : null,
      service_notice: null,
      requested_datetime: jstIsoString(r.createdAt),
      updated_datetime: jstIsoString(closed && r.closedAt ? r.closedAt : r.updatedAt),
      expected_datetime: null,
      address: r.address,
      address_id: null,
      zipcode: null,
      lat: r.lat,
      long: r.lng,
      media_url: photo ? `${origin}/open311/v2/media/${photo}` : null,
    };
  });
}

/** A W3C/ISO date-time with a zone; anything else is a 400, not a silently empty answer. */
function parseDate(s: string | undefined): number | null | undefined {
  if (s === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

open311.get('/requests.json', async (c) => {
  const db = makeDb(c.env.DB);
  const q = c.req.query();
  const where = [isNull(reports.hiddenAt)];
  if (q.service_request_id) {
    const wanted = q.service_request_id
      .split(',')
      .map((s) => s.trim())
      .filter((s) => REPORT_NUMBER.test(s))
      .slice(0, MAX_IDS);
    if (wanted.length === 0) return c.json([]);
    where.push(inArray(reports.number, wanted));
  } else {
    const start = parseDate(q.start_date);
    const end = parseDate(q.end_date);
    if (start === null || end === null)
      return errors(
        c,
        400,
        'start_date and end_date must be W3C date-times with a time zone, e.g. 2026-11-01T00:00:00+09:00.',
      );
    const until = end ?? Date.now() + 1;
    const since = start ?? until - DEFAULT_WINDOW_MS;
    where.push(gte(reports.createdAt, since), lte(reports.createdAt, until));
    if (q.service_code)
      where.push(
        inArray(
          reports.subtypeCode,
          q.service_code.split(',').map((s) => s.trim()),
        ),
      );
    if (q.status) {
      const wanted = q.status.split(',').map((s) => s.trim());
      if (wanted.some((s) => s !== 'open' && s !== 'closed')) return errors(c, 400, 'status must be open or closed.');
      const statuses: ReportStatus[] = [
        ...(wanted.includes('open') ? OPEN_STATUSES : []),
        ...(wanted.includes('closed') ? CLOSED_STATUSES : []),
      ];
      where.push(inArray(reports.status, statuses));
    }
  }
  const rows = await db
    .select(publicColumns)
    .from(reports)
    .where(and(...where))
    .orderBy(desc(reports.createdAt), desc(reports.id))
    .limit(MAX_RESULTS)
    .all();
  return c.json(await shape(c, db, rows));
});

open311.get('/requests/:file', async (c) => {
  const m = /^(.+)\.json$/.exec(c.req.param('file'));
  if (!m) return errors(c, 404, 'Only the .json format is offered.');
  const db = makeDb(c.env.DB);
  const rows = REPORT_NUMBER.test(m[1]!)
    ? await db
        .select(publicColumns)
        .from(reports)
        .where(and(eq(reports.number, m[1]!), isNull(reports.hiddenAt)))
        .all()
    : [];
  if (rows.length === 0) return errors(c, 404, `No service request ${m[1]}.`);
  return c.json(await shape(c, db, rows));
});

/** The photo behind `media_url`: only visible photos of visible reports, metadata already removed. */
open311.get('/media/:photoId', async (c) => {
  const db = makeDb(c.env.DB);
  const id = c.req.param('photoId');
  if (!/^[0-9a-f-]{36}$/.test(id)) return errors(c, 404, 'No such media.');
  const row = await db
    .select({ key: reportPhotos.r2Key, type: reportPhotos.contentType })
    .from(reportPhotos)
    .innerJoin(reports, eq(reports.id, reportPhotos.reportId))
    .where(and(eq(reportPhotos.id, id), isNull(reportPhotos.hiddenAt), isNull(reports.hiddenAt)))
    .get();
  const obj = row ? await c.env.PHOTOS.get(row.key) : null;
  if (!row || !obj) return errors(c, 404, 'No such media.');
  return c.body(obj.body, 200, { 'content-type': row.type, 'x-content-type-options': 'nosniff' });
});

open311.all('*', (c) => errors(c, 404, 'No such GeoReport v2 resource. Start at /open311/v2/discovery.json.'));
