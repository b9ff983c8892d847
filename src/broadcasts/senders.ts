import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { broadcasts, schools, type StaffRole } from '../db/schema';
import { ledCommunities, mayLeadCommunity } from '../communities/scope';
import { mayActForSchool } from '../schools/scope';
import type { Audience } from './audience';

/**
 * Who may do what with a broadcast, decided by its audience, in one place:
 * - city audiences (all, segment): broadcasters write, approvers approve (two-person rule), both read and cancel;
 * - a school's audience: that school's own staff (and admins) do everything; the message goes out
 *   without city approval, or with a second member of the school's staff when the school has
 *   `require_approval`; city staff may read it;
 * - an association's audience: its leaders (a federation's also for its units) post without
 *   approval; city staff (admin, broadcaster) may post too, under the city's two-person rule.
 * Admins pass every check.
 */

export type BroadcastAction = 'read' | 'write' | 'approve' | 'cancel' | 'test' | 'acks';

type Row = Pick<typeof broadcasts.$inferSelect, 'id' | 'audience' | 'createdBy'>;

const holds = (by: StaffPrincipal, ...roles: StaffRole[]) =>
  by.roles.includes('admin') || roles.some((r) => by.roles.includes(r));
const cityStaff = (by: StaffPrincipal) => holds(by, 'broadcaster', 'approver');

/** A leader acting as the association (not an admin acting as the city). */
async function leadsAsLeader(d: Db, by: StaffPrincipal, communityId: string): Promise<boolean> {
  if (!by.roles.includes('community_leader')) return false;
  return mayLeadCommunity(d, { ...by, roles: ['community_leader'] }, communityId);
}

export async function may(
  d: Db,
  by: StaffPrincipal,
  audience: Audience,
  action: BroadcastAction,
  createdBy?: string,
): Promise<boolean> {
  switch (audience.type) {
    case 'school': {
      const own = mayActForSchool(by, audience.schoolId);
      return action === 'read' ? own || cityStaff(by) : own;
    }
    case 'community': {
      const lead = await mayLeadCommunity(d, by, audience.communityId);
      if (action === 'write') return lead || holds(by, 'broadcaster');
      if (action === 'approve') return holds(by, 'approver');
      if (action === 'acks') return lead || (createdBy !== undefined && createdBy === by.id);
      return lead || cityStaff(by);
    }
    default:
      if (action === 'write') return holds(by, 'broadcaster');
      if (action === 'approve') return holds(by, 'approver');
      return cityStaff(by);
  }
}

/** 403 unless `by` may create (or change a broadcast to) this audience. */
export async function ensureMayWrite(d: Db, by: StaffPrincipal, audience: Audience): Promise<void> {
  if (await may(d, by, audience, 'write')) return;
  const what =
    audience.type === 'school'
      ? 'School messages are sent by that school’s own staff.'
      : audience.type === 'community'
        ? 'Association posts are sent by that association’s leaders (or city broadcasters).'
        : 'City broadcasts are composed by broadcasters.';
  throw problem(403, `You may not send to this audience. ${what}`);
}

/**
 * 404 for a broadcast the caller may not see (nothing of it is shown, not even that it
 * exists), 403 for one they see but may not do `action` to.
 */
export async function ensureMay(d: Db, by: StaffPrincipal, row: Row, action: BroadcastAction): Promise<void> {
  const audience = row.audience as Audience;
  if (!(await may(d, by, audience, 'read', row.createdBy))) throw problem(404, `No broadcast ${row.id}.`);
  if (action !== 'read' && !(await may(d, by, audience, action, row.createdBy)))
    throw problem(403, `You may not ${action} this broadcast.`);
}

/**
 * Where a broadcast goes when its author (or last editor) `by` hands it on: a school's or
 * an association's own message needs no city approval; a school with `require_approval`
 * needs a second member of its staff; everything the city writes needs its approver.
 */
export async function statusAfterWrite(
  d: Db,
  by: StaffPrincipal,
  audience: Audience,
): Promise<'pending_approval' | 'scheduled'> {
  if (audience.type === 'school') {
    const s = await d
      .select({ requireApproval: schools.requireApproval })
      .from(schools)
      .where(eq(schools.id, audience.schoolId))
      .get();
    return s?.requireApproval ? 'pending_approval' : 'scheduled';
  }
  if (audience.type === 'community' && (await leadsAsLeader(d, by, audience.communityId))) return 'scheduled';
  return 'pending_approval';
}

const audienceField = (field: 'type' | 'schoolId' | 'communityId') =>
  sql<string>`json_extract(${broadcasts.audience}, ${`$.${field}`})`;

/**
 * The broadcasts `by` may list, as a condition: everything for city staff; otherwise the
 * messages of their own schools and the posts of the associations they lead. Undefined = no limit.
 */
export async function visibleTo(d: Db, by: StaffPrincipal): Promise<SQL | undefined> {
  if (cityStaff(by)) return undefined;
  const parts: SQL[] = [];
  const ownSchools = by.roles.includes('school_staff') ? (by.scopes.schools ?? []) : [];
  if (ownSchools.length > 0)
    parts.push(and(eq(audienceField('type'), 'school'), inArray(audienceField('schoolId'), ownSchools))!);
  const led = await ledCommunities(d, by);
  if (led !== 'all' && led.size > 0)
    parts.push(and(eq(audienceField('type'), 'community'), inArray(audienceField('communityId'), [...led]))!);
  return parts.length > 0 ? or(...parts) : sql`0`;
}
