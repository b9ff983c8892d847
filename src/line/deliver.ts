import type { messagingApi } from '@line/bot-sdk';
import { classifyLineError, withTimeout, type LineClients } from './client';
import { log } from '../http/log';
import { fitToLine } from './fit';

/** Reply tokens live about a minute; past this age a reply is not worth trying. */
export const REPLY_TOKEN_FRESH_MS = 50_000;
export const LINE_CALL_TIMEOUT_MS = 10_000;

/**
 * Where a reply token stands. `untried`: not sent yet. `unanswered`: an attempt went out and its
 * answer was lost (timeout, 5xx, network), so LINE may have used the token. `spent`: LINE
 * refused it before it could carry this answer (already used or expired); only push is left.
 */
export type ReplyState = 'untried' | 'unanswered' | 'spent';

export interface OutgoingReply {
  userId: string;
  messages: messagingApi.Message[];
  replyToken?: string;
  /** What earlier attempts of this answer did with the token; `untried` for the first. */
  replyState: ReplyState;
  /** LINE's event timestamp (ms): the reply token's age is measured from it. */
  eventTimestamp: number;
  /** Stored by the caller before the first attempt, so every push retry carries the same key. */
  retryKey: string;
}

export type DeliveryResult =
  | { outcome: 'sent'; via: 'reply' | 'push' }
  | { outcome: 'retry'; replyState: ReplyState; rateLimited: boolean; reason: string }
  | { outcome: 'failed'; replyState: ReplyState; reason: string };

export function replyTokenIsFresh(eventTimestamp: number, now: number): boolean {
  return now - eventTimestamp < REPLY_TOKEN_FRESH_MS;
}

/** LINE's answer to a reply token it will not take (used before, or expired). */
function isInvalidReplyToken(message: string): boolean {
  return /^Invalid reply token/i.test(message);
}

/**
 * Sends a conversation's answer: by reply token while it is fresh, otherwise by push with the
 * stored retry key. Reply tokens are single-use and take no retry key, so a reply whose answer
 * was lost is retried with the same token (the caller's backoff) while it is fresh: if LINE
 * used it, LINE now answers "Invalid reply token", which means the answer is out. Push only
 * when LINE refused the token before it could have carried this answer, or the token is stale.
 */
export async function deliver(
  clients: LineClients,
  out: OutgoingReply,
  now: number,
  timeoutMs = LINE_CALL_TIMEOUT_MS,
): Promise<DeliveryResult> {
  const { messages, changes } = fitToLine(out.messages);
  // Which limits were hit, never who the answer is for.
  if (changes.length) log.warn('answer shortened to fit LINE limits', { changes });
  let replyState = out.replyState;
  if (out.replyToken && replyState !== 'spent' && replyTokenIsFresh(out.eventTimestamp, now)) {
    try {
      await withTimeout(clients.api.replyMessage({ replyToken: out.replyToken, messages }), timeoutMs);
      return { outcome: 'sent', via: 'reply' };
    } catch (err) {
      const e = classifyLineError(err);
      const reason = `reply ${e.status ?? 'network'}: ${e.message}`;
      // LINE may have taken the token: only the same token, tried again, can tell.
      if (e.kind === 'retry') return { outcome: 'retry', replyState: 'unanswered', rateLimited: false, reason };
      // Not taken: the token is still good for another try.
      if (e.kind === 'rate_limited') return { outcome: 'retry', replyState, rateLimited: true, reason };
      if (replyState === 'unanswered' && e.status === 400 && isInvalidReplyToken(e.message)) {
        return { outcome: 'sent', via: 'reply' };
      }
      log.warn('reply refused, falling back to push', { status: e.status, reason: e.message });
      replyState = 'spent';
    }
  }
  try {
    await withTimeout(clients.api.pushMessage({ to: out.userId, messages }, out.retryKey), timeoutMs);
    return { outcome: 'sent', via: 'push' };
  } catch (err) {
    const e = classifyLineError(err);
    if (e.kind === 'accepted') return { outcome: 'sent', via: 'push' };
    if (e.kind === 'rejected') return { outcome: 'failed', replyState, reason: `${e.status}: ${e.message}` };
    return {
      outcome: 'retry',
      replyState,
      rateLimited: e.kind === 'rate_limited',
      reason: `${e.status ?? 'network'}: ${e.message}`,
    };
  }
}
