import { and, desc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import type { StaffPrincipal } from '../admin/auth';
import { auditRecord } from '../admin/audit';
import type { Db } from '../db/client';
import { residentRestrictions, type RestrictionScope } from '../db/schema';

/**
 * Moderation of residents (terms §1). A restriction stops a resident from starting the
 * services of its scope: `reports` the damage reports, `communities` the associations,
 * `all` every service that needs consent. 設定 and the resident's own rights (登録内容の確認,
 * データの削除, 同意の撤回) are never restricted.
 */

export type Restriction = typeof residentRestrictions.$inferSelect;

/** The scope a service falls under, or null when no restriction can stop it. */
export function restrictionScopeOf(service: string): Exclude<RestrictionScope, 'all'> | 'other' | null {
  switch (service) {
    case 'report':
      return 'reports';
    case 'community':
      return 'communities';
    case 'settings':
      return null;
    default:
      // A service with no scope of its own (absence notices) stops only under `all`.
      return 'other';
  }
}

/** Whether a restriction is in force at `now`: not lifted and not past its `until`. */
export function inForce(r: Pick<Restriction, 'liftedAt' | 'until'>, now: number): boolean {
  return r.liftedAt === null && (r.until === null || r.until > now);
}

/**
 * Whether `lineUserId` may not use the services of `scope` at `now`. The hook every
 * capability calls where a resident starts something: `'reports'` in the report flow,
 * `'communities'` in the association flow; other services pass `'other'` (only `all` stops them).
 */
export async function isRestricted(
  d: Db,
  lineUserId: string,
  scope: Exclude<RestrictionScope, 'all'> | 'other',
  now: number,
): Promise<boolean> {
  const scopes: RestrictionScope[] = scope === 'other' ? ['all'] : [scope, 'all'];
  const row = await d
    .select({ id: residentRestrictions.id })
    .from(residentRestrictions)
    .where(
      and(
        eq(residentRestrictions.lineUserId, lineUserId),
        isNull(residentRestrictions.liftedAt),
        inArray(residentRestrictions.scope, scopes),
        or(isNull(residentRestrictions.until), gt(residentRestrictions.until, now)),
      ),
    )
    .limit(1)
    .get();
  return !!row;
}

export async function listRestrictions(d: Db, lineUserId: string): Promise<Restriction[]> {
  return d
    .select()
    .from(residentRestrictions)
    .where(eq(residentRestrictions.lineUserId, lineUserId))
    .orderBy(desc(residentRestrictions.createdAt), desc(residentRestrictions.id))
    .all();
}

export async function getRestriction(d: Db, lineUserId: string, id: string): Promise<Restriction | undefined> {
  return d
    .select()
    .from(residentRestrictions)
    .where(and(eq(residentRestrictions.id, id), eq(residentRestrictions.lineUserId, lineUserId)))
    .get();
}

/** A new restriction and its audit row, in one batch. */
export async function addRestriction(
  d: Db,
  by: StaffPrincipal,
  resident: { lineUserId: string; handle: string },
  input: { scope: RestrictionScope; until: number | null; reason: string },
  now: number,
): Promise<Restriction> {
  const row: Restriction = {
    id: crypto.randomUUID(),
    lineUserId: resident.lineUserId,
    scope: input.scope,
    until: input.until,
    reason: input.reason,
    createdBy: by.id,
    createdAt: now,
    liftedAt: null,
    liftedBy: null,
  };
  await d.batch([
    d.insert(residentRestrictions).values(row),
    auditRecord(d, by, 'resident.restrict', 'resident', resident.handle, {
      resident: resident.handle,
      restriction: row.id,
      scope: row.scope,
      until: row.until,
      reason: row.reason,
    }),
  ]);
  return row;
}

/** Lifts a restriction at once; lifting one already lifted changes nothing but is still recorded. */
export async function liftRestriction(d: Db, by: StaffPrincipal, handle: string, r: Restriction, now: number) {
  await d.batch([
    d
      .update(residentRestrictions)
      .set({ liftedAt: now, liftedBy: by.id })
      .where(and(eq(residentRestrictions.id, r.id), isNull(residentRestrictions.liftedAt))),
    auditRecord(d, by, 'resident.restriction.lift', 'resident', handle, {
      resident: handle,
      restriction: r.id,
      scope: r.scope,
    }),
  ]);
}
