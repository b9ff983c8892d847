import { z } from '@hono/zod-openapi';
import type { StaffPrincipal } from '../admin/auth';
import { audit } from '../admin/audit';
import { problem } from '../admin/errors';
import { badRequestResponse, iso, isoTime, json, notFoundResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { RESTRICTION_SCOPES, type RestrictionScope } from '../db/schema';
import type { Db } from '../db/client';
import { HANDLE, lineUserIdOf } from './handles';
import { addRestriction, getRestriction, inForce, liftRestriction, listRestrictions } from './restrictions';

/**
 * Staff routes about one resident, named by their handle (`res_…`), never by LINE user ID.
 * Restrictions (terms §1): admin, or report_manager for the `reports` scope. The LINE user
 * ID itself: admin only, for LINE's support, and every such read is audited.
 */

const tags = ['Residents'];

const HandleParam = z.object({
  handle: z.string().regex(HANDLE, 'a resident handle, res_ and 24 hex digits').openapi({
    example: 'res_0123456789abcdef01234567',
  }),
});
const RestrictionParam = HandleParam.extend({ id: z.uuid() });

const Scope = z.enum(RESTRICTION_SCOPES).openapi({
  description: '`reports`: damage reports; `communities`: associations; `all`: every service that needs consent',
});

const RestrictionBody = z
  .strictObject({
    scope: Scope,
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Lifted by itself at this moment; left out: until lifted' }),
    reason: z.string().trim().min(1).max(500).openapi({ description: 'For staff; the resident is never told' }),
  })
  .openapi('RestrictionInput');

const Restriction = z
  .object({ id: z.string(), scope: Scope, until: isoTime().nullable(), reason: z.string() })
  .openapi('Restriction');

const RestrictionEntry = Restriction.extend({
  createdAt: isoTime(),
  liftedAt: isoTime().nullable(),
  active: z.boolean().openapi({ description: 'In force now: neither lifted nor past `until`' }),
}).openapi('RestrictionEntry');

/** The LINE user ID behind a handle, or 404 naming the handle. */
async function resident(d: Db, handle: string) {
  const lineUserId = await lineUserIdOf(d, handle);
  if (!lineUserId) throw problem(404, `No resident with handle ${handle}.`);
  return { lineUserId, handle };
}

function mayRestrict(by: StaffPrincipal, scope: RestrictionScope): void {
  if (scope !== 'reports' && !by.roles.includes('admin'))
    throw problem(403, `Only an admin may restrict the scope ${scope}; report_manager may restrict reports.`);
}

export const residentRoutes = createRouter()
  .openapi(
    staffRoute(['admin'], {
      method: 'get',
      path: '/residents/{handle}/line-user-id',
      tags,
      summary: 'The LINE user ID behind a handle, for LINE support (admin, audited) / LINEユーザーIDの確認',
      request: { params: HandleParam },
      responses: {
        200: { description: 'The LINE user ID', content: json(z.object({ lineUserId: z.string() })) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const r = await resident(c.var.db, c.req.valid('param').handle);
      await audit(c.var.db, c.var.staff, 'resident.line_user_id.read', 'resident', r.handle, { resident: r.handle });
      return c.json({ lineUserId: r.lineUserId }, 200);
    },
  )
  .openapi(
    staffRoute(['report_manager'], {
      method: 'post',
      path: '/residents/{handle}/restrictions',
      tags,
      summary: 'Restrict a resident (terms §1; report_manager: reports only) / 利用制限',
      request: { params: HandleParam, body: { required: true, content: json(RestrictionBody) } },
      responses: {
        201: { description: 'In force', content: json(Restriction) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      mayRestrict(c.var.staff, body.scope);
      const r = await resident(c.var.db, c.req.valid('param').handle);
      const until = body.until === undefined ? null : Date.parse(body.until);
      const row = await addRestriction(c.var.db, c.var.staff, r, { ...body, until }, Date.now());
      return c.json({ id: row.id, scope: row.scope, until: iso(row.until), reason: row.reason }, 201);
    },
  )
  .openapi(
    staffRoute(['report_manager'], {
      method: 'get',
      path: '/residents/{handle}/restrictions',
      tags,
      summary: 'A resident’s restrictions, newest first, lifted ones too (audited) / 利用制限の一覧',
      request: { params: HandleParam },
      responses: {
        200: { description: 'The restrictions', content: json(z.object({ items: z.array(RestrictionEntry) })) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const r = await resident(c.var.db, c.req.valid('param').handle);
      const rows = await listRestrictions(c.var.db, r.lineUserId);
      await audit(c.var.db, c.var.staff, 'resident.restrictions.read', 'resident', r.handle, { resident: r.handle });
      const now = Date.now();
      const items = rows.map((x) => ({
        id: x.id,
        scope: x.scope,
        until: iso(x.until),
        reason: x.reason,
        createdAt: iso(x.createdAt),
        liftedAt: iso(x.liftedAt),
        active: inForce(x, now),
      }));
      return c.json({ items }, 200);
    },
  )
  .openapi(
    staffRoute(['report_manager'], {
      method: 'delete',
      path: '/residents/{handle}/restrictions/{id}',
      tags,
      summary: 'Lift a restriction at once / 利用制限の解除',
      request: { params: RestrictionParam },
      responses: { 204: { description: 'Lifted' }, ...badRequestResponse, ...notFoundResponse },
    }),
    async (c) => {
      const { handle, id } = c.req.valid('param');
      const r = await resident(c.var.db, handle);
      const row = await getRestriction(c.var.db, r.lineUserId, id);
      if (!row) throw problem(404, `No restriction ${id} for ${handle}.`);
      mayRestrict(c.var.staff, row.scope);
      await liftRestriction(c.var.db, c.var.staff, handle, row, Date.now());
      return c.body(null, 204);
    },
  );
