import { z } from '@hono/zod-openapi';
import { audit } from '../admin/audit';
import { problem } from '../admin/errors';
import { json, problemAnswer, unprocessableResponse } from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { classifyLineError, MissingSecretError } from '../line/client';
import { publishRichMenu, RichMenuInvalidError } from './publish';

export const richMenuRoutes = createRouter().openapi(
  staffRoute(['admin'], {
    method: 'post',
    path: '/richmenu/publish',
    tags: ['Rich menu'],
    summary: 'Publish the residents’ rich menu as every friend’s default / リッチメニューの公開',
    responses: {
      201: {
        description: 'Created, image uploaded and set as default',
        content: json(z.object({ richMenuId: z.string() }).openapi('PublishedRichMenu')),
      },
      ...unprocessableResponse('The menu data or image breaks LINE’s rules; nothing was sent to LINE'),
      502: problemAnswer('LINE refused or failed; a half-made menu was deleted again'),
      503: problemAnswer('A LINE secret (LINE_CHANNEL_ACCESS_TOKEN) is not configured'),
    },
  }),
  async (c) => {
    try {
      const { richMenuId } = await publishRichMenu(c.env);
      await audit(c.var.db, c.var.staff, 'richmenu.publish', 'richmenu', richMenuId);
      return c.json({ richMenuId }, 201);
    } catch (err) {
      if (err instanceof RichMenuInvalidError) throw problem(422, err.message);
      if (err instanceof MissingSecretError)
        throw problem(503, `${err.secret} is not configured (wrangler secret put ${err.secret}).`);
      // LINE's own message says what to fix (e.g. a bad area); it carries no personal data.
      throw problem(502, `LINE did not accept the rich menu: ${classifyLineError(err).message}`);
    }
  },
);
