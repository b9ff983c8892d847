import { config } from '../config';
import { readCapped } from '../http/read-capped';
import { MAX_PHOTO_BYTES } from './rules';

/**
 * Fetches an image a resident sent from LINE's content API, at once: LINE deletes content
 * after a while. A 5xx or a network error throws, so the conversation's inbox retries the
 * event; everything the resident can fix by sending again is an answer, not an exception.
 */
export type ContentResult =
  { ok: true; bytes: Uint8Array } | { ok: false; reason: 'not_found' | 'too_large' | 'refused' };

export class ContentUnavailableError extends Error {}

/** Download and reading together; a hung call would otherwise hold the resident's inbox. */
export const CONTENT_TIMEOUT_MS = 30_000;

export async function fetchMessageContent(
  env: Env,
  messageId: string,
  limit = MAX_PHOTO_BYTES,
  timeoutMs = CONTENT_TIMEOUT_MS,
): Promise<ContentResult> {
  try {
    return await download(env, messageId, limit, AbortSignal.timeout(timeoutMs));
  } catch (err) {
    if (err instanceof ContentUnavailableError) throw err;
    throw new ContentUnavailableError(`LINE content API: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function download(env: Env, messageId: string, limit: number, signal: AbortSignal): Promise<ContentResult> {
  const token = env.LINE_CHANNEL_ACCESS_TOKEN;
  if (!token) throw new ContentUnavailableError('LINE_CHANNEL_ACCESS_TOKEN is not configured');
  const url = `${config(env).lineDataApiBaseUrl}/v2/bot/message/${encodeURIComponent(messageId)}/content`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
  if (res.status >= 500 || res.status === 429) {
    await res.body?.cancel();
    throw new ContentUnavailableError(`LINE content API answered ${res.status}`);
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return { ok: false, reason: 'not_found' };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { ok: false, reason: 'refused' };
  }
  const bytes = await readCapped(res.body, res.headers, limit);
  if (!bytes) return { ok: false, reason: 'too_large' };
  return { ok: true, bytes };
}
