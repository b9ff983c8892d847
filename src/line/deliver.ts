import type { messagingApi } from '@line/bot-sdk';
import { classifyLineError, withTimeout, type LineClients } from './client';
import { fitToLine } from './fit';

/** Reply tokens live about a minute; past this age a reply is not worth trying. */
export const REPLY_TOKEN_FRESH_MS = 50_000;
export const LINE_CALL_TIMEOUT_MS = 10_000;

export interface OutgoingReply {
  userId: string;
  messages: messagingApi.Message[];
  /** Present only when the reply token has not been tried yet. */
  replyToken?: string;
  /** LINE's event timestamp (ms): the reply token's age is measured from it. */
  eventTimestamp: number;
  /** Stored by the caller before the first attempt, so every push retry carries the same key. */
  retryKey: string;
}

export type DeliveryResult =
  | { outcome: 'sent'; via: 'reply' | 'push' }
  | { outcome: 'retry'; replyTried: boolean; rateLimited: boolean; reason: string }
  | { outcome: 'failed'; replyTried: boolean; reason: string };

export function replyTokenIsFresh(eventTimestamp: number, now: number): boolean {
  return now - eventTimestamp < REPLY_TOKEN_FRESH_MS;
}

/**
 * Sends a conversation's answer: by reply token while it is fresh, otherwise by push
 * with the stored retry key. A failed reply falls through to push at once: reply tokens
 * are single-use, so a reply is never retried.
 */
export async function deliver(clients: LineClients, out: OutgoingReply, now: number): Promise<DeliveryResult> {
  const { messages, changes } = fitToLine(out.messages);
  // Which limits were hit, never who the answer is for.
  if (changes.length) console.warn(JSON.stringify({ msg: 'answer shortened to fit LINE limits', changes }));
  let replyTried = false;
  if (out.replyToken && replyTokenIsFresh(out.eventTimestamp, now)) {
    replyTried = true;
    try {
      await withTimeout(clients.api.replyMessage({ replyToken: out.replyToken, messages }), LINE_CALL_TIMEOUT_MS);
      return { outcome: 'sent', via: 'reply' };
    } catch (err) {
      const e = classifyLineError(err);
      console.warn(JSON.stringify({ msg: 'reply failed, falling back to push', status: e.status, reason: e.message }));
    }
  }
  try {
    await withTimeout(clients.api.pushMessage({ to: out.userId, messages }, out.retryKey), LINE_CALL_TIMEOUT_MS);
    return { outcome: 'sent', via: 'push' };
  } catch (err) {
    const e = classifyLineError(err);
    if (e.kind === 'accepted') return { outcome: 'sent', via: 'push' };
    if (e.kind === 'rejected') return { outcome: 'failed', replyTried, reason: `${e.status}: ${e.message}` };
    return {
      outcome: 'retry',
      replyTried,
      rateLimited: e.kind === 'rate_limited',
      reason: `${e.status ?? 'network'}: ${e.message}`,
    };
  }
}
