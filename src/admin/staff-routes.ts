import { z } from '@hono/zod-openapi';
import { STAFF_ROLES } from '../db/schema';
import { problem } from './errors';
import { badRequestResponse, conflictResponse, iso, isoTime, json, notFoundResponse } from './openapi';
import { createRouter, staffRoute } from './router';
import {
  createStaff,
  getStaff,
  listStaff,
  revokeStaff,
  rotateStaffToken,
  scopeIssues,
  type StaffRecord,
  updateStaff,
} from './staff';

export const StaffRoleSchema = z.enum(STAFF_ROLES).openapi('StaffRole');

const scopeIds = z.array(z.string().min(1).max(100)).max(1000);
export const StaffScopesSchema = z
  .strictObject({
    schools: scopeIds.optional().openapi({ description: 'School IDs a school_staff member may see' }),
    communities: scopeIds.optional().openapi({ description: 'Community IDs a community_leader may see' }),
  })
  .openapi('StaffScopes');

/**
 * Control characters (C0, DEL, C1) and the bidirectional marks, embeddings, overrides and
 * isolates: in a name they reorder or hide what the audit log and the docs page show.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_IN_NAME = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
const StaffName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .superRefine((name, ctx) => {
    const ch = UNSAFE_IN_NAME.exec(name)?.[0];
    if (ch)
      ctx.addIssue({
        code: 'custom',
        message: `must not contain control characters or bidirectional formatting marks (found ${codePoint(ch)})`,
      });
  })
  .openapi({ example: '岡山 太郎' });
const StaffRoles = z
  .array(StaffRoleSchema)
  .min(1)
  .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat')
  .openapi({ uniqueItems: true });

/** Exported so the console reads its forms by the same rules. */
export const CreateStaffBody = z
  .strictObject({ name: StaffName, roles: StaffRoles, scopes: StaffScopesSchema.default({}) })
  // A scoped role without its scope would see nothing; a scope without its role would
  // grant nothing. Both are mistakes worth refusing at the door.
  .superRefine((body, ctx) => {
    for (const issue of scopeIssues(body.roles, body.scopes)) ctx.addIssue({ code: 'custom', ...issue });
  })
  .openapi('CreateStaff');

/** No defaults: what the body leaves out stays as it is (roles and scopes are judged as stored). */
export const StaffChange = z
  .strictObject({
    name: StaffName,
    roles: StaffRoles,
    scopes: StaffScopesSchema,
    suspended: z.boolean().openapi({
      description:
        'Moderation (terms §1): true suspends (the community_leader role stops at once; the account’s broadcasts not yet sent are cancelled), false lifts it',
    }),
  })
  .partial()
  .openapi('StaffChange');

const StaffIdentity = z.object({
  id: z.string().openapi({ description: 'UUID, or `bootstrap` for the bootstrap token' }),
  name: z.string(),
  roles: z.array(StaffRoleSchema),
  scopes: StaffScopesSchema,
});

const CreatedStaff = StaffIdentity.extend({
  token: z.string().openapi({ description: 'Shown only in this answer; only its SHA-256 is stored', example: 'okc_…' }),
}).openapi('CreatedStaff');

const StaffMember = StaffIdentity.extend({
  createdAt: isoTime(),
  createdBy: z.string(),
  revokedAt: isoTime().nullable(),
  suspendedAt: isoTime().nullable(),
}).openapi('StaffMember');

const memberJson = (r: StaffRecord) => ({
  id: r.id,
  name: r.name,
  roles: r.roles,
  scopes: r.scopes,
  createdAt: iso(r.createdAt),
  createdBy: r.createdBy,
  revokedAt: iso(r.revokedAt),
  suspendedAt: iso(r.suspendedAt),
});

const StaffId = z.object({ id: z.string().min(1).max(100) });

export const staffRoutes = createRouter()
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/staff',
      tags: ['Staff'],
      summary: 'Create a staff account and its token / 職員アカウントとトークンの発行',
      request: { body: { required: true, content: json(CreateStaffBody) } },
      responses: {
        201: { description: 'Created; the token is shown only here', content: json(CreatedStaff) },
        ...badRequestResponse,
      },
    }),
    async (c) => {
      const created = await createStaff(c.var.db, c.var.staff, c.req.valid('json'));
      // The answer carries a secret: no cache anywhere may keep it.
      return c.json(created, 201, { 'cache-control': 'no-store' });
    },
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'get',
      path: '/staff',
      tags: ['Staff'],
      summary: 'List staff accounts, revoked ones included / 職員一覧',
      responses: {
        200: { description: 'Every account, without tokens', content: json(z.object({ items: z.array(StaffMember) })) },
      },
    }),
    async (c) => c.json({ items: (await listStaff(c.var.db, c.var.staff)).map(memberJson) }, 200),
  )
  .openapi(
    staffRoute([], {
      method: 'get',
      path: '/staff/me',
      tags: ['Staff'],
      summary: 'Who am I: the caller’s own account / 自分のアカウント',
      responses: { 200: { description: 'The caller', content: json(StaffIdentity.openapi('StaffIdentity')) } },
    }),
    (c) => {
      const { id, name, roles, scopes } = c.var.staff;
      return c.json({ id, name, roles, scopes }, 200);
    },
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'delete',
      path: '/staff/{id}',
      tags: ['Staff'],
      summary: 'Revoke a staff token at once / 職員トークンの失効',
      request: { params: StaffId },
      responses: {
        204: { description: 'Revoked (or already revoked)' },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const result = await revokeStaff(c.var.db, c.var.staff, id);
      if (result === 'not_found') throw problem(404, `No staff account ${id}.`);
      if (result === 'bootstrap') {
        throw problem(
          400,
          'The bootstrap token is configuration, not an account: rotate it with `wrangler secret put ADMIN_BOOTSTRAP_TOKEN`.',
        );
      }
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'get',
      path: '/staff/{id}',
      tags: ['Staff'],
      summary: 'One staff account, without its token (audited) / 職員アカウント',
      request: { params: StaffId },
      responses: {
        200: { description: 'The account', content: json(StaffMember) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => c.json(memberJson(await getStaff(c.var.db, c.var.staff, c.req.valid('param').id)), 200),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'patch',
      path: '/staff/{id}',
      tags: ['Staff'],
      summary:
        'Rename, change roles and scopes, suspend (from the account’s next request) / 職員アカウントの変更・利用停止',
      request: { params: StaffId, body: { required: true, content: json(StaffChange) } },
      responses: {
        200: { description: 'The account as it now is', content: json(StaffMember) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const changed = await updateStaff(c.var.db, c.var.staff, c.req.valid('param').id, c.req.valid('json'));
      return c.json(memberJson(changed), 200);
    },
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/staff/{id}/token',
      tags: ['Staff'],
      summary: 'Issue a new token; the old one stops at once / トークンの再発行',
      request: { params: StaffId },
      responses: {
        201: {
          description: 'The new token, shown only here',
          content: json(z.object({ token: z.string().openapi({ example: 'okc_…' }) }).openapi('RotatedToken')),
        },
        ...badRequestResponse,
        ...notFoundResponse,
        ...conflictResponse('The account is revoked'),
      },
    }),
    async (c) => {
      const token = await rotateStaffToken(c.var.db, c.var.staff, c.req.valid('param').id);
      return c.json({ token }, 201, { 'cache-control': 'no-store' });
    },
  );
