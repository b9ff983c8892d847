import { and, eq, gte, lt, count } from 'drizzle-orm';
import type { Db } from '../db/client';
import { adminLoginFailures, adminSessions } from '../db/schema';
import { principalForStaffId, type StaffPrincipal } from '../admin/auth';
import { sha256Hex } from '../http/digest';
import { randomBase64url } from '../http/bytes';
import { windowLimit } from '../calendar/window-limit';

/** Wrong tokens one address may try in LOGIN_WINDOW_MS before further wrong ones answer 429. */
export const LOGIN_FAILURE_LIMIT = 10;
export const LOGIN_WINDOW_MS = 10 * 60 * 1000;
/** A session's last use is written at most this often: reading a page should not cost a D1 write each time. */
const TOUCH_EVERY_MS = 60 * 1000;

export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

export interface ConsoleSession {
  /** The cookie's value: only this request and the staff member's browser know it. */
  id: string;
  staff: StaffPrincipal;
  /** The CSRF token every form of this session carries. */
  csrf: string;
}

/** 32 random bytes, base64url: a session id or a sign-in form's token. */
export const randomToken = () => randomBase64url(32);

/**
 * The CSRF token of a session: derived from its id, so it needs no storage, differs for every
 * session, and tells nobody the id (SHA-256 has no known preimage).
 */
export function csrfFor(sessionId: string): Promise<string> {
  return sha256Hex(`csrf:${sessionId}`);
}

/** Signs `principal` in: a new session row (another browser's sessions stay). */
export async function createSession(
  d: Db,
  principal: StaffPrincipal,
  limits: SessionLimits,
  now = Date.now(),
): Promise<ConsoleSession> {
  const id = randomToken();
  await d.insert(adminSessions).values({
    idHash: await sha256Hex(id),
    staffId: principal.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + limits.maxHours * 3_600_000,
  });
  return { id, staff: principal, csrf: await csrfFor(id) };
}

/**
 * The session a cookie names, or null when it is unknown, expired, idle too long, or its staff
 * member has been revoked since (the account is read on every request, like a token's).
 */
export async function sessionFor(
  d: Db,
  id: string,
  limits: SessionLimits,
  now = Date.now(),
): Promise<ConsoleSession | null> {
  if (!id || id.length > 100) return null;
  const idHash = await sha256Hex(id);
  const row = await d.select().from(adminSessions).where(eq(adminSessions.idHash, idHash)).get();
  if (!row) return null;
  if (now >= row.expiresAt || now - row.lastSeenAt >= limits.idleMinutes * 60_000) {
    await d.delete(adminSessions).where(eq(adminSessions.idHash, idHash));
    return null;
  }
  const principal = await principalForStaffId(d, row.staffId);
  if (!principal) {
    await d.delete(adminSessions).where(eq(adminSessions.staffId, row.staffId));
    return null;
  }
  if (now - row.lastSeenAt >= TOUCH_EVERY_MS)
    await d.update(adminSessions).set({ lastSeenAt: now }).where(eq(adminSessions.idHash, idHash));
  return { id, staff: principal, csrf: await csrfFor(id) };
}

/** Sign-out: the session is gone on the server, whatever the browser keeps. */
export async function endSession(d: Db, id: string): Promise<void> {
  await d.delete(adminSessions).where(eq(adminSessions.idHash, await sha256Hex(id)));
}

/** Whether one more wrong token from this address is refused (429), and for how long. */
export async function loginThrottle(
  d: Db,
  address: string,
  now = Date.now(),
): Promise<{ allowed: boolean; retryAfterMs: number }> {
  const addressHash = await sha256Hex(`login:${address}`);
  const rows = await d
    .select({ at: adminLoginFailures.at })
    .from(adminLoginFailures)
    .where(and(eq(adminLoginFailures.addressHash, addressHash), gte(adminLoginFailures.at, now - LOGIN_WINDOW_MS)))
    .all();
  return windowLimit(
    rows.map((r) => r.at),
    now,
    LOGIN_FAILURE_LIMIT,
    LOGIN_WINDOW_MS,
  );
}

/** Counts a wrong token; rows older than the window are dropped on the way, so the table stays small. */
export async function recordLoginFailure(d: Db, address: string, now = Date.now()): Promise<void> {
  await d.batch([
    d.insert(adminLoginFailures).values({ addressHash: await sha256Hex(`login:${address}`), at: now }),
    d.delete(adminLoginFailures).where(lt(adminLoginFailures.at, now - LOGIN_WINDOW_MS)),
  ]);
}

/** How many sessions a staff member holds (tests and the staff page). */
export async function sessionCount(d: Db, staffId: string): Promise<number> {
  const row = await d.select({ n: count() }).from(adminSessions).where(eq(adminSessions.staffId, staffId)).get();
  return row?.n ?? 0;
}
