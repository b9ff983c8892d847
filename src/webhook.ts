import { Hono } from 'hono';
import { DEDUPE_RETENTION_MS, type InboxItem } from './conversation/inbox';
import { handIn } from './ingress/hand-in';
import { conversationUserId, envelopeSchema, eventKey, parseEvent } from './line/events';
import { userRef } from './line/user-ref';
import { verifySignature } from './line/signature';
import { log } from './http/log';
import { readCapped } from './http/read-capped';

/** LINE's own payloads are small; anything near this size is not from LINE. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export const webhook = new Hono<{ Bindings: Env }>();

/**
 * The LINE door. Answers 200 only once every event is durable: in its resident's
 * ConversationDO inbox, or with WEBHOOK_INGRESS=shards in its ingress shard (src/ingress/),
 * which hands each resident's events on, in order, to that inbox. The conversation itself
 * runs afterwards, so the answer stays far inside LINE's 2-second limit. A 5xx makes LINE
 * redeliver, so nothing is lost.
 */
webhook.post('/', async (c) => {
  const secret = c.env.LINE_CHANNEL_SECRET;
  // Without the access token nothing could be answered; 503 lets LINE redeliver once it is set.
  const missing = [
    !secret && 'LINE_CHANNEL_SECRET',
    !c.env.LINE_CHANNEL_ACCESS_TOKEN && 'LINE_CHANNEL_ACCESS_TOKEN',
  ].filter(Boolean);
  if (!secret || missing.length)
    return c.json({ message: `The webhook is not configured: ${missing.join(', ')} missing.` }, 503);

  const body = await readCapped(c.req.raw.body, c.req.raw.headers, MAX_WEBHOOK_BODY_BYTES, 'drain');
  if (body === null) return c.json({ message: `Request body over ${MAX_WEBHOOK_BODY_BYTES} bytes.` }, 413);

  // The signature is checked before anything in the body is looked at.
  if (!(await verifySignature(secret, body, c.req.header('x-line-signature')))) {
    return c.json({ message: 'Invalid or missing x-line-signature.' }, 401);
  }

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return c.json({ message: 'Body is not JSON.' }, 400);
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return c.json({ message: `Not a webhook envelope: ${issue?.path.join('.') || 'body'}: ${issue?.message}` }, 400);
  }

  const now = Date.now();
  const byUser = new Map<string, InboxItem[]>();
  for (const raw of parsed.data.events) {
    const checked = parseEvent(raw);
    if (!checked.ok) {
      log.warn('malformed event dropped', { problem: checked.problem, user: await senderRef(secret, raw) });
      continue;
    }
    const event = checked.event;
    // The inbox forgets a worked event's key after DEDUPE_RETENTION_MS, so an older event could be a
    // replay it no longer recognises; LINE itself redelivers for a far shorter time than that.
    if (now - event.timestamp > DEDUPE_RETENTION_MS) {
      log.warn('event older than the dedupe retention ignored', {
        type: event.type,
        webhookEventId: event.webhookEventId,
        ageMs: now - event.timestamp,
        user: await senderRef(secret, event),
      });
      continue;
    }
    const userId = conversationUserId(event);
    if (!userId) {
      log.info('event ignored', { type: event.type, source: event.source?.type, mode: event.mode });
      continue;
    }
    const items = byUser.get(userId) ?? [];
    items.push({ key: eventKey(event), event });
    byUser.set(userId, items);
  }

  if (byUser.size > 0) await handIn(c.env, byUser, new URL(c.req.url).origin);
  return c.json({ ok: true });
});

/** Which resident sent an event, for the log (never the user ID itself); null when it does not say. */
async function senderRef(secret: string, raw: unknown): Promise<string | null> {
  const userId = (raw as { source?: { userId?: unknown } } | null)?.source?.userId;
  return typeof userId === 'string' ? userRef(secret, userId) : null;
}
