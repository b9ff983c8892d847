import { sha256, sha256Hex } from '../http/digest';
import { randomBase64url } from '../http/bytes';
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import { db, type Db } from '../db/client';
import { staff, type StaffRole, type StaffScopes } from '../db/schema';
import { problem } from './errors';

/** Who is calling: a staff row, or the bootstrap token acting as `bootstrap`. */
export interface StaffPrincipal {
  id: string;
  name: string;
  roles: StaffRole[];
  scopes: StaffScopes;
}

/** Hono env of every staff router: the worker's bindings, the authenticated caller and the database. */
export interface ApiEnv {
  Bindings: Env;
  Variables: { staff: StaffPrincipal; db: Db };
}

export const BOOTSTRAP_STAFF_ID = 'bootstrap';
const BOOTSTRAP: StaffPrincipal = { id: BOOTSTRAP_STAFF_ID, name: 'bootstrap', roles: ['admin'], scopes: {} };

/**
 * RFC 6750 token68; anything else after `Bearer ` is malformed. The scheme is case-insensitive
 * (RFC 9110 §11.1), and clients pad with spaces. Length-capped so we never hash junk.
 */
const BEARER = /^\s*Bearer +([A-Za-z0-9\-._~+/]{1,512}=*)\s*$/i;

/** What `staff.token_hash` holds: the lowercase hex SHA-256 of the whole token. */
export async function hashToken(token: string): Promise<string> {
  return sha256Hex(token);
}

/** A new staff token: `okc_` + 32 random bytes, base64url. The prefix makes leaked tokens greppable. */
export function newStaffToken(): string {
  return `okc_${randomBase64url()}`;
}

/**
 * Resolves a presented token to a principal, or null. The bootstrap token is compared
 * by digest in constant time (digests have equal length, so even the length of the
 * secret does not leak). Staff tokens are looked up by their hash: the attacker cannot
 * steer the hash, so the index lookup's timing tells them nothing.
 */
export async function principalForToken(d: Db, bootstrapToken: string, token: string): Promise<StaffPrincipal | null> {
  const digest = await sha256(token);
  if (crypto.subtle.timingSafeEqual(digest, await sha256(bootstrapToken))) return BOOTSTRAP;
  const tokenHash = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  return activeStaff(d, eq(staff.tokenHash, tokenHash));
}

/**
 * The principal of a staff id (a console session's), or null once the account is revoked:
 * the same suspension rule as a token, so the console and the API never disagree.
 */
export async function principalForStaffId(d: Db, id: string): Promise<StaffPrincipal | null> {
  if (id === BOOTSTRAP_STAFF_ID) return BOOTSTRAP;
  return activeStaff(d, eq(staff.id, id));
}

async function activeStaff(d: Db, which: SQL): Promise<StaffPrincipal | null> {
  const row = await d
    .select({
      id: staff.id,
      name: staff.name,
      roles: staff.roles,
      scopes: staff.scopes,
      suspendedAt: staff.suspendedAt,
    })
    .from(staff)
    .where(and(which, isNull(staff.revokedAt)))
    .get();
  if (!row) return null;
  const { suspendedAt, ...principal } = row;
  // Moderation (terms §1): a suspended leader keeps their token but no longer leads anything,
  // so every community operation answers 403 through the ordinary role check.
  if (suspendedAt !== null) principal.roles = principal.roles.filter((r) => r !== 'community_leader');
  return principal;
}

/**
 * Sets `c.var.staff` (and `c.var.db`, the one drizzle handle the request's routes use) or
 * stops the request. Runs on every staff route and reads D1 every time, so a revoked token
 * stops working on the very next request.
 */
export const authenticate = createMiddleware<ApiEnv>(async (c, next) => {
  const bootstrapToken = c.env.ADMIN_BOOTSTRAP_TOKEN;
  // Without the bootstrap secret nobody could ever create the first staff account, so the
  // door says plainly what is missing instead of failing some other way.
  if (!bootstrapToken) {
    throw problem(
      503,
      'The staff API is not configured: ADMIN_BOOTSTRAP_TOKEN is not configured (wrangler secret put ADMIN_BOOTSTRAP_TOKEN).',
    );
  }
  const match = BEARER.exec(c.req.header('authorization') ?? '');
  if (!match?.[1]) throw problem(401, 'Send the staff token as `Authorization: Bearer <token>`.');
  const d = db(c.env.DB);
  const principal = await principalForToken(d, bootstrapToken, match[1]);
  if (!principal) throw problem(401, 'The token is unknown or has been revoked.');
  c.set('staff', principal);
  c.set('db', d);
  await next();
});

export function hasRole(principal: StaffPrincipal, roles: readonly StaffRole[]): boolean {
  return principal.roles.includes('admin') || roles.length === 0 || roles.some((r) => principal.roles.includes(r));
}

/**
 * Lets the request through if the caller holds any of `roles`; admin always passes.
 * With no roles, any authenticated staff member passes.
 */
export function requireRole(...roles: StaffRole[]) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const principal = c.get('staff');
    // Defence in depth: a router mounted outside the authenticated part still refuses.
    if (!principal) throw problem(401, 'Send the staff token as `Authorization: Bearer <token>`.');
    if (!hasRole(principal, roles)) throw problem(403, `This operation needs one of the roles: ${roles.join(', ')}.`);
    await next();
  });
}

/** Scopes count only together with the role they belong to; admin sees every school. */
export function canAccessSchool(principal: StaffPrincipal, schoolId: string): boolean {
  if (principal.roles.includes('admin')) return true;
  return principal.roles.includes('school_staff') && (principal.scopes.schools ?? []).includes(schoolId);
}

export function canAccessCommunity(principal: StaffPrincipal, communityId: string): boolean {
  if (principal.roles.includes('admin')) return true;
  return principal.roles.includes('community_leader') && (principal.scopes.communities ?? []).includes(communityId);
}
