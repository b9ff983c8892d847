import { asc, eq, inArray, or } from 'drizzle-orm';
import { auditRecord } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { communities, type CommunityKind } from '../db/schema';
import { issueDetail, parseCsv, planImport, IMPORT_MAX_ROWS } from './rules';
import { ensureCommunityAccess } from './scope';

/**
 * The registry of associations: federations (学区・地区連合町内会) and units (単位町内会).
 * Admins keep it; leaders read the associations they lead.
 */

export type Community = typeof communities.$inferSelect;

export interface NewCommunity {
  name: string;
  kind: CommunityKind;
  parentId?: string | null;
  district?: string | null;
}

export async function findCommunity(d: Db, id: string): Promise<Community | undefined> {
  return d.select().from(communities).where(eq(communities.id, id)).get();
}

/** A unit's parent must be a stored federation; a federation has none. */
async function checkParent(d: Db, kind: CommunityKind, parentId: string | null | undefined, self?: string) {
  if (!parentId) return;
  if (kind === 'federation') throw problem(400, 'parentId: a federation has no parent');
  if (parentId === self) throw problem(400, 'parentId: an association cannot be its own parent');
  const parent = await findCommunity(d, parentId);
  if (!parent) throw problem(400, `parentId: no association ${parentId}`);
  if (parent.kind !== 'federation') throw problem(400, 'parentId: a unit may belong only to a federation');
}

export async function createCommunity(d: Db, by: StaffPrincipal, input: NewCommunity, now = Date.now()) {
  await checkParent(d, input.kind, input.parentId);
  const row: Community = {
    id: crypto.randomUUID(),
    name: input.name,
    kind: input.kind,
    parentId: input.parentId ?? null,
    district: input.district ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await d.batch([
    d.insert(communities).values(row),
    auditRecord(d, by, 'community.create', 'community', row.id, { name: row.name, kind: row.kind }),
  ]);
  return row;
}

/** Admins: every association; a leader: those they lead (a federation's leader also its units). */
export async function listCommunities(d: Db, by: StaffPrincipal): Promise<Community[]> {
  const order = [asc(communities.kind), asc(communities.name), asc(communities.id)];
  if (by.roles.includes('admin'))
    return d
      .select()
      .from(communities)
      .orderBy(...order)
      .all();
  const own = by.roles.includes('community_leader') ? (by.scopes.communities ?? []) : [];
  if (own.length === 0) return [];
  // By the leader's own ids and their units' parent, not by every led id: a federation may
  // have more units than D1 binds parameters in one statement.
  return d
    .select()
    .from(communities)
    .where(or(inArray(communities.id, own), inArray(communities.parentId, own)))
    .orderBy(...order)
    .all();
}

/** 403 outside the caller's scope (whether or not it exists), 404 inside it when it does not. */
export async function getCommunity(d: Db, by: StaffPrincipal, id: string): Promise<Community> {
  await ensureCommunityAccess(d, by, id);
  const row = await findCommunity(d, id);
  if (!row) throw problem(404, `No association ${id}.`);
  return row;
}

export interface CommunityChange {
  name?: string;
  parentId?: string | null;
  district?: string | null;
}

export async function updateCommunity(d: Db, by: StaffPrincipal, id: string, change: CommunityChange) {
  const row = await getCommunity(d, by, id);
  if (change.parentId !== undefined) await checkParent(d, row.kind, change.parentId, id);
  const next: Community = { ...row, ...change, updatedAt: Date.now() };
  await d.batch([
    d
      .update(communities)
      .set({ ...change, updatedAt: next.updatedAt })
      .where(eq(communities.id, id)),
    auditRecord(d, by, 'community.update', 'community', id, { ...change }),
  ]);
  return next;
}

/**
 * Bulk import: every row is checked before anything is written, and the rows and one audit
 * row go in one D1 batch, so a refused import stores nothing.
 */
export async function importCommunities(
  d: Db,
  by: StaffPrincipal,
  body: { format: 'json'; rows: unknown[] } | { format: 'csv'; text: string },
  now = Date.now(),
): Promise<Community[]> {
  let raws: unknown[];
  let lines: number[] | undefined;
  if (body.format === 'csv') {
    const parsed = parseCsv(body.text);
    if ('message' in parsed) throw problem(400, `line ${parsed.line}: ${parsed.message}`);
    raws = parsed.records;
    lines = parsed.lines;
  } else raws = body.rows;
  if (raws.length === 0) throw problem(400, 'The import has no rows.');
  if (raws.length > IMPORT_MAX_ROWS) throw problem(400, `At most ${IMPORT_MAX_ROWS} rows per import.`);
  const known = await d
    .select({ id: communities.id, name: communities.name, kind: communities.kind })
    .from(communities);
  const plan = planImport(raws, known, () => crypto.randomUUID());
  if ('issue' in plan) throw problem(400, issueDetail(plan.issue, body.format, lines));
  const rows: Community[] = plan.rows.map((r) => ({ ...r, createdAt: now, updatedAt: now }));
  // D1 caps bound parameters per statement (100): 7 columns a row, so at most 14 rows an insert.
  const chunks: Community[][] = [];
  for (let i = 0; i < rows.length; i += 14) chunks.push(rows.slice(i, i + 14));
  await d.batch([
    auditRecord(d, by, 'community.import', 'community', null, { count: rows.length, format: body.format }),
    ...chunks.map((c) => d.insert(communities).values(c)),
  ]);
  return rows;
}
