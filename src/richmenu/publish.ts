import { config } from '../config';
import { lineClients, withTimeout } from '../line/client';
import { RICH_MENU_PNG_BASE64 } from './image';
import { RICH_MENU } from './menu';
import { imageProblems, richMenuProblems } from './rules';
import { log } from '../http/log';

export class RichMenuInvalidError extends Error {
  constructor(readonly problems: string[]) {
    super(`The rich menu does not meet LINE's rules: ${problems.join('; ')}`);
  }
}

export function richMenuImage(): Uint8Array {
  return Uint8Array.from(atob(RICH_MENU_PNG_BASE64), (c) => c.charCodeAt(0));
}

/**
 * Makes the menu in src/richmenu/menu.ts every friend's default: create it, upload its
 * image, set it as default, in that order (LINE refuses to make a menu without an image
 * the default). Checked against LINE's rules first, so bad data costs no API call.
 *
 * If a step after creation fails, the new menu is deleted again (best effort): LINE keeps
 * at most 1,000 menus per channel and a half-made one is of no use. The previous default
 * stays in force until the last step succeeds, so residents never see a menu without image.
 */
export async function publishRichMenu(env: Env): Promise<{ richMenuId: string }> {
  const image = richMenuImage();
  const problems = [...richMenuProblems(RICH_MENU), ...imageProblems(image, RICH_MENU.size)];
  if (problems.length) throw new RichMenuInvalidError(problems);

  const { api, blob } = lineClients(env);
  const timeoutMs = config(env).lineCallTimeoutMs;
  const { richMenuId } = await withTimeout(api.createRichMenu(RICH_MENU), timeoutMs);
  try {
    await withTimeout(blob.setRichMenuImage(richMenuId, new Blob([image], { type: 'image/png' })), timeoutMs);
    await withTimeout(api.setDefaultRichMenu(richMenuId), timeoutMs);
  } catch (err) {
    await withTimeout(api.deleteRichMenu(richMenuId), timeoutMs).catch((cleanupErr: unknown) => {
      log.warn('could not delete a half-made rich menu', { richMenuId, error: String(cleanupErr) });
    });
    throw err;
  }
  return { richMenuId };
}
