import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { staff, type StaffRole, type StaffScopes } from '../db/schema';
import { auditRecord, audit } from './audit';
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

/** Every account, revoked ones included (with `revokedAt`), never the token hash. */
export async function listStaff(d: Db, by: StaffPrincipal): Promise<StaffRecord[]> {
  const rows = await d
    .select({
      id: staff.id,
      name: staff.name,
      roles: staff.roles,
      scopes: staff.scopes,
      createdAt: staff.createdAt,
      createdBy: staff.createdBy,
      revokedAt: staff.revokedAt,
    })
    .from(staff)
    .orderBy(asc(staff.createdAt), asc(staff.id))
    .all();
  // Staff names are personal data, so reading the list is audited too.
  await audit(d, by, 'staff.list', 'staff', null, { count: rows.length });
  return rows;
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
    auditRecord(d, by, 'staff.revoke', 'staff', id),
  ]);
  return 'revoked';
}
