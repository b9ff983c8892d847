import { asc, eq } from 'drizzle-orm';
import { auditRecord, audit } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import { config } from '../config';
import type { Db } from '../db/client';
import { staffLineUsers } from '../db/schema';
import { classifyLineError, lineClients, withTimeout } from '../line/client';
import { asLineMessages, type BroadcastMessageInput } from './messages';
import { loadBroadcast } from './service';

/** A staff member registers at most a few of their own LINE accounts for test sends. */
export const MAX_STAFF_LINE_USERS = 10;

export async function listStaffLineUsers(d: Db, staffId: string): Promise<string[]> {
  const rows = await d
    .select({ id: staffLineUsers.lineUserId })
    .from(staffLineUsers)
    .where(eq(staffLineUsers.staffId, staffId))
    .orderBy(asc(staffLineUsers.lineUserId))
    .all();
  return rows.map((r) => r.id);
}

export async function setStaffLineUsers(d: Db, by: StaffPrincipal, ids: string[]): Promise<string[]> {
  const now = Date.now();
  await d.batch([
    d.delete(staffLineUsers).where(eq(staffLineUsers.staffId, by.id)),
    ...ids.map((lineUserId) => d.insert(staffLineUsers).values({ staffId: by.id, lineUserId, createdAt: now })),
    // The IDs are personal data: the log records how many, not which.
    auditRecord(d, by, 'staff.line_users.set', 'staff', by.id, { count: ids.length }),
  ]);
  return [...ids].sort();
}

/**
 * Sends the broadcast now to the caller's own LINE accounts: a preview on a phone,
 * outside the hours rule and outside the batch records (it reaches no resident).
 * 5xx and timeouts are retried with the same key, so a lost answer is not a second copy.
 */
export async function testSend(env: Env, d: Db, by: StaffPrincipal, id: string): Promise<{ sentTo: number }> {
  const row = await loadBroadcast(d, id);
  const to = await listStaffLineUsers(d, by.id);
  if (to.length === 0) throw problem(409, 'Register your own LINE user IDs first: PUT /api/v1/staff/me/line-users.');
  const retryKey = crypto.randomUUID();
  const { api } = lineClients(env);
  const messages = asLineMessages(row.messages as BroadcastMessageInput[]);
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await withTimeout(api.multicast({ to, messages }, retryKey), config(env).broadcastCallTimeoutMs);
      last = '';
      break;
    } catch (err) {
      const e = classifyLineError(err);
      if (e.kind === 'accepted') {
        last = '';
        break;
      }
      if (e.kind === 'rejected') throw problem(422, `LINE refused the message: ${e.message}`);
      last = `${e.status ?? 'network'}: ${e.message}`;
    }
  }
  if (last) throw problem(503, `LINE did not accept the test send (${last}); try again.`);
  await audit(d, by, 'broadcast.test_send', 'broadcast', id, { recipients: to.length });
  return { sentTo: to.length };
}
