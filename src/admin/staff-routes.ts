import { z } from '@hono/zod-openapi';
import { STAFF_ROLES } from '../db/schema';
import { problem } from './errors';
import { badRequestResponse, iso, json, notFoundResponse } from './openapi';
import { createRouter, staffRoute } from './router';
import { createStaff, listStaff, revokeStaff } from './staff';

export const StaffRoleSchema = z.enum(STAFF_ROLES).openapi('StaffRole');

const scopeIds = z.array(z.string().min(1).max(100)).max(1000);
export const StaffScopesSchema = z
  .strictObject({
    schools: scopeIds.optional().openapi({ description: 'School IDs a school_staff member may see' }),
    communities: scopeIds.optional().openapi({ description: 'Community IDs a community_leader may see' }),
  })
  .openapi('StaffScopes');

const CreateStaffBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).openapi({ example: '岡山 太郎' }),
    roles: z
      .array(StaffRoleSchema)
      .min(1)
      .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat')
      .openapi({ uniqueItems: true }),
    scopes: StaffScopesSchema.default({}),
  })
  // A scoped role without its scope would see nothing; a scope without its role would
  // grant nothing. Both are mistakes worth refusing at the door.
  .superRefine((body, ctx) => {
    const pairs = [
      ['school_staff', 'schools'],
      ['community_leader', 'communities'],
    ] as const;
    for (const [role, scope] of pairs) {
      const has = body.roles.includes(role);
      const ids = body.scopes[scope] ?? [];
      if (has && ids.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['scopes', scope],
          message: `${role} needs at least one entry in scopes.${scope}`,
        });
      if (!has && ids.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['scopes', scope],
          message: `scopes.${scope} is only allowed with the ${role} role`,
        });
    }
  })
  .openapi('CreateStaff');

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
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  revokedAt: z.iso.datetime().nullable(),
}).openapi('StaffMember');

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
    async (c) => {
      const rows = await listStaff(c.var.db, c.var.staff);
      const items = rows.map((r) => ({
        ...r,
        createdAt: iso(r.createdAt),
        revokedAt: iso(r.revokedAt),
      }));
      return c.json({ items }, 200);
    },
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
      request: { params: z.object({ id: z.string().min(1).max(100) }) },
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
  );
