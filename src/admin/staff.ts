import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { adminSessions, broadcasts, staff, type BroadcastStatus, type StaffRole, type StaffScopes } from '../db/schema';
import { auditRecord, audit } from './audit';
import { problem } from './errors';
import { BOOTSTRAP_STAFF_ID, hashToken, newStaffToken, type StaffPrincipal } from './auth';

export interface NewStaff {
  name: string;
  roles: StaffRole[];
  scopes: StaffScopes;
}

export interface StaffRecord extends NewStaff {
  id: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  /** Moderation (terms §1): while set, the account has lost the community_leader role. */
  suspendedAt: number | null;
}

/** What a PATCH may change: the account's fields, and the suspension. */
export interface StaffChange extends Partial<NewStaff> {
  suspended?: boolean;
}

/**
 * Creates a staff account. The token is returned here and nowhere else: D1 keeps only
 * its SHA-256, so a lost token is replaced by a new account, never recovered.
 */
export async function createStaff(
  d: Db,
  by: StaffPrincipal,
  input: NewStaff,
): Promise<NewStaff & { id: string; token: string }> {
  const id = crypto.randomUUID();
  const token = newStaffToken();
  await d.batch([
    d
      .insert(staff)
      .values({ id, ...input, tokenHash: await hashToken(token), createdAt: Date.now(), createdBy: by.id }),
    auditRecord(d, by, 'staff.create', 'staff', id, { name: input.name, roles: input.roles, scopes: input.scopes }),
  ]);
  return { id, token, ...input };
}

const recordColumns = {
  id: staff.id,
  name: staff.name,
  roles: staff.roles,
  scopes: staff.scopes,
  createdAt: staff.createdAt,
  createdBy: staff.createdBy,
  revokedAt: staff.revokedAt,
  suspendedAt: staff.suspendedAt,
};

/** Every account, revoked ones included (with `revokedAt`), never the token hash. */
export async function listStaff(d: Db, by: StaffPrincipal): Promise<StaffRecord[]> {
  const rows = await d.select(recordColumns).from(staff).orderBy(asc(staff.createdAt), asc(staff.id)).all();
  // Staff names are personal data, so reading the list is audited too.
  await audit(d, by, 'staff.list', 'staff', null, { count: rows.length });
  return rows;
}

/**
 * One page of accounts, newest first, revoked ones included: for the console, whose list pages
 * instead of loading every account. Audited like `listStaff` (`detail` adds e.g. `via`).
 */
export async function listStaffPage(
  d: Db,
  by: StaffPrincipal,
  page: { offset: number; limit: number },
  detail: Record<string, unknown> = {},
): Promise<{ items: StaffRecord[]; more: boolean }> {
  const rows = await d
    .select(recordColumns)
    .from(staff)
    .orderBy(desc(staff.createdAt), desc(staff.id))
    .limit(page.limit + 1)
    .offset(page.offset)
    .all();
  const items = rows.slice(0, page.limit);
  await audit(d, by, 'staff.list', 'staff', null, { count: items.length, offset: page.offset, ...detail });
  return { items, more: rows.length > page.limit };
}

function refuseBootstrap(id: string) {
  if (id === BOOTSTRAP_STAFF_ID)
    throw problem(
      400,
      'The bootstrap token is configuration, not an account: rotate it with `wrangler secret put ADMIN_BOOTSTRAP_TOKEN`.',
    );
}

async function record(d: Db, id: string): Promise<StaffRecord> {
  refuseBootstrap(id);
  const row = await d.select(recordColumns).from(staff).where(eq(staff.id, id)).get();
  if (!row) throw problem(404, `No staff account ${id}.`);
  return row;
}

/** One account, never its token (only the hash is stored), audited like the list. */
export async function getStaff(d: Db, by: StaffPrincipal, id: string): Promise<StaffRecord> {
  const row = await record(d, id);
  await audit(d, by, 'staff.read', 'staff', id);
  return row;
}

/**
 * Which scope entries `roles` and `scopes` lack or have in vain: a scoped role without its
 * scope would see nothing, a scope without its role would grant nothing.
 */
export function scopeIssues(roles: readonly StaffRole[], scopes: StaffScopes): { path: string[]; message: string }[] {
  const pairs = [
    ['school_staff', 'schools'],
    ['community_leader', 'communities'],
  ] as const;
  const issues: { path: string[]; message: string }[] = [];
  for (const [role, scope] of pairs) {
    const has = roles.includes(role);
    const ids = scopes[scope] ?? [];
    if (has && ids.length === 0)
      issues.push({ path: ['scopes', scope], message: `${role} needs at least one entry in scopes.${scope}` });
    if (!has && ids.length > 0)
      issues.push({ path: ['scopes', scope], message: `scopes.${scope} is only allowed with the ${role} role` });
  }
  return issues;
}

/** A suspended leader's posts that have not gone out yet are withdrawn with the suspension. */
const WITHDRAWN_ON_SUSPENSION: BroadcastStatus[] = ['draft', 'pending_approval', 'scheduled'];

/**
 * Changes what the body names; the rest stays. The new roles hold from the account's next
 * request, since `authenticate` reads them from D1 every time. Roles and scopes are judged
 * together as they will be stored. `suspended: true` (moderation, terms §1) sets
 * `suspended_at` and cancels the account's broadcasts that have not gone out, each with
 * its audit row, in the same D1 batch; `suspended: false` lifts it.
 */
export async function updateStaff(
  d: Db,
  by: StaffPrincipal,
  id: string,
  change: StaffChange,
  now = Date.now(),
): Promise<StaffRecord> {
  const row = await record(d, id);
  const { suspended, ...fields } = change;
  const suspendedAt = suspended === undefined ? row.suspendedAt : suspended ? (row.suspendedAt ?? now) : null;
  // An empty body names nothing to change (drizzle refuses an empty SET with a 500 otherwise).
  if (Object.values(change).every((v) => v === undefined)) throw problem(400, 'Nothing to change.');
  const next = { ...row, ...fields, suspendedAt };
  const issue = scopeIssues(next.roles, next.scopes)[0];
  if (issue) throw problem(400, `${issue.path.join('.')}: ${issue.message}`);
  const pending =
    suspended === true
      ? await d
          .select({ id: broadcasts.id, status: broadcasts.status })
          .from(broadcasts)
          .where(and(eq(broadcasts.createdBy, id), inArray(broadcasts.status, WITHDRAWN_ON_SUSPENSION)))
          .all()
      : [];
  await d.batch([
    d
      .update(staff)
      .set({ ...fields, suspendedAt })
      .where(eq(staff.id, id)),
    auditRecord(d, by, 'staff.update', 'staff', id, { ...change }),
    ...(suspended === undefined || (suspended === true) === (row.suspendedAt !== null)
      ? []
      : [auditRecord(d, by, suspended ? 'staff.suspend' : 'staff.unsuspend', 'staff', id)]),
    ...pending.flatMap((b) => [
      d
        .update(broadcasts)
        .set({ status: 'cancelled', cancelledBy: by.id, cancelledAt: now })
        .where(and(eq(broadcasts.id, b.id), inArray(broadcasts.status, WITHDRAWN_ON_SUSPENSION))),
      auditRecord(d, by, 'broadcast.cancel', 'broadcast', b.id, { from: b.status, reason: 'staff suspended' }),
    ]),
  ]);
  return next;
}

/**
 * A new token for an account: the old one stops at once (its hash is replaced in the same
 * statement), the new one is returned here only. A revoked account stays revoked.
 */
export async function rotateStaffToken(d: Db, by: StaffPrincipal, id: string): Promise<string> {
  const row = await record(d, id);
  if (row.revokedAt !== null) throw problem(409, `Staff account ${id} is revoked; create a new account instead.`);
  const token = newStaffToken();
  const [updated] = await d.batch([
    d
      .update(staff)
      .set({ tokenHash: await hashToken(token) })
      .where(and(eq(staff.id, id), isNull(staff.revokedAt)))
      .returning({ id: staff.id }),
    auditRecord(d, by, 'staff.token.rotate', 'staff', id),
  ]);
  if (updated.length === 0) throw problem(409, `Staff account ${id} is revoked; create a new account instead.`);
  return token;
}

export type RevokeResult = 'revoked' | 'already_revoked' | 'not_found' | 'bootstrap';

/**
 * Revokes a token at once: `authenticate` reads D1 on every request, so the next
 * request with it is refused. Revoking an already revoked account changes nothing
 * (and so writes no audit row). The bootstrap token is configuration, not a row.
 */
export async function revokeStaff(d: Db, by: StaffPrincipal, id: string): Promise<RevokeResult> {
  if (id === BOOTSTRAP_STAFF_ID) return 'bootstrap';
  const row = await d.select({ revokedAt: staff.revokedAt }).from(staff).where(eq(staff.id, id)).get();
  if (!row) return 'not_found';
  if (row.revokedAt !== null) return 'already_revoked';
  await d.batch([
    d.update(staff).set({ revokedAt: Date.now() }).where(eq(staff.id, id)),
    // Every console session of the account ends with it (sessions also re-check the account on each request).
    d.delete(adminSessions).where(eq(adminSessions.staffId, id)),
    auditRecord(d, by, 'staff.revoke', 'staff', id),
  ]);
  return 'revoked';
}
