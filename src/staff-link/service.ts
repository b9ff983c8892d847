import { and, asc, count, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { auditRecord } from '../admin/audit';
import { BOOTSTRAP_STAFF_ID, type StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { auditLog, staff, staffLineAccounts, staffLinkCodes } from '../db/schema';
import { hashLinkCode, LINK_CODE_TTL_MS, newHandle, newLinkCode } from './codes';

/** A staff member links at most a few LINE accounts of their own (a phone, a work phone …). */
export const MAX_LINKED_ACCOUNTS = 10;

/** Used codes are kept a day, so a retried chat event still finds the code it used. */
const USED_CODE_RETENTION_MS = 24 * 60 * 60 * 1000;

async function linkedCount(d: Db, staffId: string): Promise<number> {
  const row = await d
    .select({ n: count() })
    .from(staffLineAccounts)
    .where(eq(staffLineAccounts.staffId, staffId))
    .get();
  return row?.n ?? 0;
}

/**
 * A new link code for the caller, shown once. It replaces any unused one before it, so a
 * staff member has at most one live code to guess at.
 */
export async function issueLinkCode(
  d: Db,
  by: StaffPrincipal,
  now: number,
): Promise<{ code: string; expiresAt: number }> {
  if (by.id === BOOTSTRAP_STAFF_ID) {
    throw problem(
      400,
      'The bootstrap token is configuration, not a person: create your own staff account (POST /api/v1/staff) and link with its token.',
    );
  }
  if ((await linkedCount(d, by.id)) >= MAX_LINKED_ACCOUNTS) {
    throw problem(
      409,
      `You have ${MAX_LINKED_ACCOUNTS} linked LINE accounts: unlink one first (DELETE /api/v1/staff/me/line-users/{handle}).`,
    );
  }
  const code = newLinkCode();
  const expiresAt = now + LINK_CODE_TTL_MS;
  await d.batch([
    d
      .delete(staffLinkCodes)
      .where(
        or(
          and(eq(staffLinkCodes.staffId, by.id), isNull(staffLinkCodes.usedAt)),
          lt(staffLinkCodes.expiresAt, now - USED_CODE_RETENTION_MS),
        ),
      ),
    d.insert(staffLinkCodes).values({ codeHash: await hashLinkCode(code), staffId: by.id, createdAt: now, expiresAt }),
    auditRecord(d, by, 'staff.link_code.issue', 'staff', by.id, { expiresAt: new Date(expiresAt).toISOString() }),
  ]);
  return { code, expiresAt };
}

export type RedeemResult = { kind: 'linked'; staffName: string } | { kind: 'invalid' } | { kind: 'full' };

/**
 * 「職員 <code>」 from `lineUserId`: links that LINE account to the code's staff member.
 * A wrong, expired or used code, or one of a revoked account, is `invalid`, all alike.
 * Idempotent: the same event run again finds the code used by this same account and
 * answers `linked` again.
 */
export async function redeemLinkCode(d: Db, lineUserId: string, code: string, now: number): Promise<RedeemResult> {
  const codeHash = await hashLinkCode(code);
  const row = await d
    .select({
      staffId: staffLinkCodes.staffId,
      expiresAt: staffLinkCodes.expiresAt,
      usedAt: staffLinkCodes.usedAt,
      staffName: staff.name,
      revokedAt: staff.revokedAt,
    })
    .from(staffLinkCodes)
    .innerJoin(staff, eq(staff.id, staffLinkCodes.staffId))
    .where(eq(staffLinkCodes.codeHash, codeHash))
    .get();
  if (!row || row.revokedAt !== null) return { kind: 'invalid' };
  if (row.usedAt === null) {
    if (row.expiresAt <= now) return { kind: 'invalid' };
    const existing = await d
      .select({ handle: staffLineAccounts.handle })
      .from(staffLineAccounts)
      .where(and(eq(staffLineAccounts.staffId, row.staffId), eq(staffLineAccounts.lineUserId, lineUserId)))
      .get();
    // The code stays unused, so the staff member can unlink one and send it again.
    if (!existing && (await linkedCount(d, row.staffId)) >= MAX_LINKED_ACCOUNTS) return { kind: 'full' };
    await claim(d, codeHash, lineUserId, existing?.handle ?? null, now);
  }
  // Whoever claimed the code, now or in an earlier run of this event, is the one it linked.
  const claimed = await d
    .select({ lineUserId: staffLineAccounts.lineUserId })
    .from(staffLinkCodes)
    .innerJoin(staffLineAccounts, eq(staffLineAccounts.handle, staffLinkCodes.handle))
    .where(eq(staffLinkCodes.codeHash, codeHash))
    .get();
  return claimed?.lineUserId === lineUserId ? { kind: 'linked', staffName: row.staffName } : { kind: 'invalid' };
}

/**
 * Marks the code used and links the account in one D1 batch. The link and its audit row
 * are inserted only if this batch's update took the code (its handle is ours), so two
 * LINE accounts sending the same code at once cannot both be linked.
 */
async function claim(d: Db, codeHash: string, lineUserId: string, existingHandle: string | null, now: number) {
  const handle = existingHandle ?? newHandle();
  const take = d
    .update(staffLinkCodes)
    .set({ usedAt: now, handle })
    .where(and(eq(staffLinkCodes.codeHash, codeHash), isNull(staffLinkCodes.usedAt)));
  if (existingHandle) {
    await take;
    return;
  }
  const ours = sql`FROM ${staffLinkCodes} WHERE ${staffLinkCodes.codeHash} = ${codeHash} AND ${staffLinkCodes.handle} = ${handle}`;
  await d.batch([
    take,
    // Columns in the tables' order; audit_log's id is left to SQLite.
    d.insert(staffLineAccounts).select(sql`SELECT ${handle}, staff_id, ${lineUserId}, ${now} ${ours}`),
    // The audit row names the handle; the LINE user ID stays out of it.
    d
      .insert(auditLog)
      .select(
        sql`SELECT NULL, ${now}, staff_id, 'staff.line_account.link', 'staff', staff_id, json_object('handle', ${handle}) ${ours}`,
      ),
  ]);
}

export async function listLinkedAccounts(d: Db, staffId: string): Promise<{ handle: string; linkedAt: number }[]> {
  return d
    .select({ handle: staffLineAccounts.handle, linkedAt: staffLineAccounts.linkedAt })
    .from(staffLineAccounts)
    .where(eq(staffLineAccounts.staffId, staffId))
    .orderBy(asc(staffLineAccounts.linkedAt), asc(staffLineAccounts.handle))
    .all();
}

/** For sending only: the LINE user IDs never leave through the staff API. */
export async function linkedLineAccounts(d: Db, staffId: string): Promise<{ handle: string; lineUserId: string }[]> {
  return d
    .select({ handle: staffLineAccounts.handle, lineUserId: staffLineAccounts.lineUserId })
    .from(staffLineAccounts)
    .where(eq(staffLineAccounts.staffId, staffId))
    .orderBy(asc(staffLineAccounts.handle))
    .all();
}

/** Unlinks one of the caller's own accounts; false when the caller has no account with that handle. */
export async function unlinkAccount(d: Db, by: StaffPrincipal, handle: string): Promise<boolean> {
  const mine = and(eq(staffLineAccounts.handle, handle), eq(staffLineAccounts.staffId, by.id));
  const row = await d.select({ handle: staffLineAccounts.handle }).from(staffLineAccounts).where(mine).get();
  if (!row) return false;
  await d.batch([
    d.delete(staffLineAccounts).where(mine),
    auditRecord(d, by, 'staff.line_account.unlink', 'staff', by.id, { handle }),
  ]);
  return true;
}
