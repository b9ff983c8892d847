import { z } from '@hono/zod-openapi';
import { problem } from '../admin/errors';
import { badRequestResponse, iso, isoTime, json, notFoundResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { COMMUNITY_KINDS } from '../db/schema';
import { issueInvite, listInvites, revokeInvite, type InviteView } from './invites';
import { listMembers } from './members';
import {
  createCommunity,
  getCommunity,
  importCommunities,
  listCommunities,
  updateCommunity,
  type Community,
} from './registry';
import { DISTRICT_MAX, IMPORT_MAX_ROWS, NAME_MAX } from './rules';

/**
 * The staff door for community associations (`/api/v1/communities`). Admins keep the
 * registry; leaders (`community_leader`, scoped by `scopes.communities`; a federation's
 * leader also for its units) issue invite codes and see their members. Outside a leader's
 * scope everything answers 403.
 */

const tags = ['Communities'];
const LEADERS = ['community_leader'] as const;

const Name = z.string().trim().min(1).max(NAME_MAX).openapi({ example: '岡山中央学区連合町内会' });
const District = z.string().trim().min(1).max(DISTRICT_MAX).openapi({ example: '岡山中央' });
const Kind = z.enum(COMMUNITY_KINDS).openapi('CommunityKind');
const Id = z.string().min(1).max(100);

const CommunitySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: Kind,
    parentId: z.string().nullable().openapi({ description: 'The federation a unit belongs to' }),
    district: z.string().nullable(),
    createdAt: isoTime(),
    updatedAt: isoTime(),
  })
  .openapi('Community');

const communityJson = (c: Community) => ({
  id: c.id,
  name: c.name,
  kind: c.kind,
  parentId: c.parentId,
  district: c.district,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});

const CreateCommunity = z
  .strictObject({ name: Name, kind: Kind, parentId: Id.optional(), district: District.optional() })
  .openapi('CreateCommunity');

const CommunityChange = z
  .strictObject({ name: Name, parentId: Id.nullable(), district: District.nullable() })
  .partial()
  .openapi('CommunityChange');

const IdParam = z.object({ id: Id });
const InviteParam = z.object({ id: Id, inviteId: Id });

const CreateInvite = z
  .strictObject({
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional().openapi({ description: 'Default: no expiry' }),
    maxUses: z.number().int().min(1).max(100_000).nullable().optional().openapi({ description: 'Default: unlimited' }),
  })
  .openapi('CreateInvite');

const IssuedInvite = z
  .object({
    id: z.string(),
    code: z.string().openapi({
      description: 'Shown only in this answer; 8 characters, may be printed XXXX-XXXX',
      example: 'K7QM4XPA',
    }),
    expiresAt: isoTime().nullable(),
    maxUses: z.number().int().nullable(),
  })
  .openapi('IssuedInvite');

const InviteSchema = z
  .object({
    id: z.string(),
    expiresAt: isoTime().nullable(),
    maxUses: z.number().int().nullable(),
    uses: z.number().int(),
    usesLeft: z.number().int().nullable().openapi({ description: 'null: unlimited' }),
    revokedAt: isoTime().nullable(),
    createdAt: isoTime(),
    state: z.enum(['usable', 'revoked', 'expired', 'used_up']),
  })
  .openapi('Invite');

const inviteJson = (i: InviteView) => ({
  ...i,
  expiresAt: iso(i.expiresAt),
  revokedAt: iso(i.revokedAt),
  createdAt: iso(i.createdAt),
});

const Members = z
  .object({
    count: z.number().int().openapi({ description: 'Members who still follow the account' }),
    items: z.array(
      z.object({
        displayName: z
          .string()
          .nullable()
          .openapi({ description: 'Only what the member chose to show; null if skipped' }),
        joinedAt: isoTime(),
      }),
    ),
  })
  .openapi('CommunityMembers');

export const communityRoutes = createRouter()
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/communities',
      tags,
      summary: 'Register an association (federation or unit) / 町内会の登録',
      request: { body: { required: true, content: json(CreateCommunity) } },
      responses: { 201: { description: 'Registered', content: json(CommunitySchema) }, ...badRequestResponse },
    }),
    async (c) => c.json(communityJson(await createCommunity(c.var.db, c.var.staff, c.req.valid('json'))), 201),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'post',
      path: '/communities/import',
      tags,
      summary: 'Import associations in bulk (JSON array or CSV name,kind,parent,district); all or nothing / 一括登録',
      request: {
        body: {
          required: false,
          content: {
            // Read leniently here: every row is checked by planImport, which names a refused row as `rows[2].kind`.
            ...json(z.array(z.unknown()).openapi({ description: 'Rows of `{name, kind, parent?, district?}`' })),
            'text/csv': { schema: z.string().openapi({ example: 'name,kind,parent,district\n…' }) },
          },
        },
      },
      responses: {
        201: {
          description: `Every row stored (at most ${IMPORT_MAX_ROWS})`,
          content: json(z.object({ count: z.number().int(), items: z.array(CommunitySchema) })),
        },
        400: {
          description:
            'A refused row, named as `rows[2].kind` (JSON, zero-based) or `line 3: kind` (CSV); nothing stored',
          content: badRequestResponse[400].content,
        },
      },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      const body = type.toLowerCase().startsWith('text/csv')
        ? { format: 'csv' as const, text: await c.req.text() }
        : { format: 'json' as const, rows: c.req.valid('json') as unknown[] };
      if (body.format === 'json' && !Array.isArray(body.rows))
        throw problem(400, 'Send a JSON array of rows, or text/csv.');
      const rows = await importCommunities(c.var.db, c.var.staff, body);
      return c.json({ count: rows.length, items: rows.map(communityJson) }, 201);
    },
  )
  .openapi(
    staffRoute([...LEADERS], {
      method: 'get',
      path: '/communities',
      tags,
      summary: 'Associations: all for admins, those a leader leads (a federation and its units) / 町内会一覧',
      responses: { 200: { description: 'The list', content: json(z.object({ items: z.array(CommunitySchema) })) } },
    }),
    async (c) => c.json({ items: (await listCommunities(c.var.db, c.var.staff)).map(communityJson) }, 200),
  )
  .openapi(
    staffRoute([...LEADERS], {
      method: 'get',
      path: '/communities/{id}',
      tags,
      summary: 'One association / 町内会',
      request: { params: IdParam },
      responses: {
        200: { description: 'The association', content: json(CommunitySchema) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => c.json(communityJson(await getCommunity(c.var.db, c.var.staff, c.req.valid('param').id)), 200),
  )
  .openapi(
    staffRoute(['admin'], {
      method: 'patch',
      path: '/communities/{id}',
      tags,
      summary: 'Rename, move a unit to another federation, change the district / 町内会の変更',
      request: { params: IdParam, body: { required: true, content: json(CommunityChange) } },
      responses: {
        200: { description: 'The association as it now is', content: json(CommunitySchema) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const changed = await updateCommunity(c.var.db, c.var.staff, c.req.valid('param').id, c.req.valid('json'));
      return c.json(communityJson(changed), 200);
    },
  )
  .openapi(
    staffRoute([...LEADERS], {
      method: 'post',
      path: '/communities/{id}/invites',
      tags,
      summary: 'Issue an invite code (shown once; default no expiry, unlimited uses) / 招待コードの発行',
      request: { params: IdParam, body: { required: false, content: json(CreateInvite) } },
      responses: {
        201: { description: 'The code, shown only here', content: json(IssuedInvite) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const issued = await issueInvite(c.var.db, c.var.staff, c.req.valid('param').id, {
        expiresAt: body.expiresAt ? Date.parse(body.expiresAt) : null,
        maxUses: body.maxUses ?? null,
      });
      return c.json({ ...issued, expiresAt: iso(issued.expiresAt) }, 201, { 'cache-control': 'no-store' });
    },
  )
  .openapi(
    staffRoute([...LEADERS], {
      method: 'get',
      path: '/communities/{id}/invites',
      tags,
      summary: 'Invite codes with uses left (never the code) / 招待コード一覧',
      request: { params: IdParam },
      responses: {
        200: { description: 'Newest first', content: json(z.object({ items: z.array(InviteSchema) })) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const items = await listInvites(c.var.db, c.var.staff, c.req.valid('param').id);
      return c.json({ items: items.map(inviteJson) }, 200);
    },
  )
  .openapi(
    staffRoute([...LEADERS], {
      method: 'delete',
      path: '/communities/{id}/invites/{inviteId}',
      tags,
      summary: 'Revoke an invite code at once / 招待コードの無効化',
      request: { params: InviteParam },
      responses: {
        204: { description: 'Revoked (or already revoked)' },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { id, inviteId } = c.req.valid('param');
      await revokeInvite(c.var.db, c.var.staff, id, inviteId);
      return c.body(null, 204);
    },
  )
  .openapi(
    staffRoute([...LEADERS], {
      method: 'get',
      path: '/communities/{id}/members',
      tags,
      summary: 'Members who still follow: count and chosen display names only (audited) / 会員一覧',
      request: { params: IdParam },
      responses: {
        200: { description: 'No LINE user ID, no LINE name', content: json(Members) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const { count, items } = await listMembers(c.var.db, c.var.staff, c.req.valid('param').id);
      return c.json({ count, items: items.map((m) => ({ ...m, joinedAt: iso(m.joinedAt) })) }, 200);
    },
  );
