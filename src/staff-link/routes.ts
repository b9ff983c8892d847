import { z } from '@hono/zod-openapi';
import { problem } from '../admin/errors';
import { badRequestResponse, conflictResponse, iso, json, notFoundResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { issueLinkCode, listLinkedAccounts, MAX_LINKED_ACCOUNTS, unlinkAccount } from './service';

const LinkCode = z
  .object({
    code: z.string().openapi({
      description: 'Shown only in this answer; send 「職員 <code>」 to the bot from your own LINE within 10 minutes',
      example: '7K3MX9QA',
    }),
    expiresAt: z.iso.datetime(),
  })
  .openapi('LinkCode');

const LinkedAccount = z
  .object({
    handle: z.string().openapi({ description: 'Stands for the LINE account; the LINE user ID is never shown' }),
    linkedAt: z.iso.datetime(),
  })
  .openapi('LinkedLineAccount');

export const staffLinkRoutes = createRouter()
  .openapi(
    // Only those who can send test sends need a linked LINE account; nobody else's is collected.
    staffRoute(['broadcaster', 'approver'], {
      method: 'post',
      path: '/staff/me/link-code',
      tags: ['Staff'],
      summary: 'A one-time code to link your own LINE account / LINE連携コードの発行',
      description:
        'Valid 10 minutes, single use; a new code replaces an unused one. Send 「職員 <code>」 to the bot from ' +
        'the LINE account to link; the bot confirms with your name. Test sends go only to linked accounts.',
      responses: {
        201: { description: 'Issued; the code is shown only here', content: json(LinkCode) },
        ...badRequestResponse,
        ...conflictResponse(`Already ${MAX_LINKED_ACCOUNTS} linked LINE accounts`),
      },
    }),
    async (c) => {
      const { code, expiresAt } = await issueLinkCode(c.var.db, c.var.staff, Date.now());
      // The answer carries a secret: no cache anywhere may keep it.
      return c.json({ code, expiresAt: iso(expiresAt) }, 201, { 'cache-control': 'no-store' });
    },
  )
  .openapi(
    staffRoute([], {
      method: 'get',
      path: '/staff/me/line-users',
      tags: ['Staff'],
      summary: 'Your linked LINE accounts (test sends go here) / 連携済みのLINEアカウント',
      responses: {
        200: {
          description: 'The caller’s linked accounts, oldest first',
          content: json(z.object({ items: z.array(LinkedAccount) })),
        },
      },
    }),
    async (c) => {
      const items = await listLinkedAccounts(c.var.db, c.var.staff.id);
      return c.json({ items: items.map((a) => ({ handle: a.handle, linkedAt: iso(a.linkedAt) })) }, 200);
    },
  )
  .openapi(
    staffRoute([], {
      method: 'delete',
      path: '/staff/me/line-users/{handle}',
      tags: ['Staff'],
      summary: 'Unlink one of your LINE accounts / LINE連携の解除',
      request: { params: z.object({ handle: z.string().min(1).max(64) }) },
      responses: { 204: { description: 'Unlinked' }, ...badRequestResponse, ...notFoundResponse },
    }),
    async (c) => {
      const { handle } = c.req.valid('param');
      if (!(await unlinkAccount(c.var.db, c.var.staff, handle)))
        throw problem(404, `No linked LINE account ${handle}.`);
      return c.body(null, 204);
    },
  );
