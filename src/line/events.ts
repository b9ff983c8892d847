import { z } from 'zod';

/**
 * The webhook envelope and its events, checked only as far as we rely on them, and each
 * event on its own: LINE does not redeliver a delivery answered 4xx, so one malformed
 * event refusing the envelope would lose the well-formed ones beside it. Shapes are loose
 * (extra keys pass) on purpose: LINE adds event types and fields over time and an unknown
 * one must be acknowledged, not rejected.
 */
export const envelopeSchema = z.looseObject({
  destination: z.string(),
  events: z.array(z.unknown()),
});

const sourceSchema = z.looseObject({
  type: z.string(),
  userId: z.string().optional(),
  groupId: z.string().optional(),
  roomId: z.string().optional(),
});

export const eventSchema = z.looseObject({
  type: z.string(),
  timestamp: z.number(),
  mode: z.string().optional(),
  source: sourceSchema.optional(),
  webhookEventId: z.string().optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }).optional(),
  replyToken: z.string().optional(),
});

const messageSchema = z.looseObject({ id: z.string(), type: z.string() });

/**
 * The fields the conversation reads, by message type (LINE's Messaging API reference);
 * a type not listed needs only its id and type. A field of the wrong type would otherwise
 * throw inside a flow (`text.trim is not a function`) every time the event is tried.
 */
const MESSAGE_FIELDS: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['text', z.looseObject({ text: z.string() })],
  [
    'location',
    z.looseObject({
      latitude: z.number(),
      longitude: z.number(),
      address: z.string().optional(),
      title: z.string().optional(),
    }),
  ],
  ['image', z.looseObject({ contentProvider: z.looseObject({ type: z.string() }).optional() })],
]);

const postbackSchema = z.looseObject({ data: z.string(), params: z.record(z.string(), z.unknown()).optional() });

export type ParsedEvent = { ok: true; event: LineEvent } | { ok: false; problem: string };

/** One event checked on its own: its common fields, then those of its message or postback. */
export function parseEvent(raw: unknown): ParsedEvent {
  const base = eventSchema.safeParse(raw);
  if (!base.success) return { ok: false, problem: problemOf(base.error) };
  const event = base.data as LineEvent;
  if (event.type === 'message') {
    const message = messageSchema.safeParse(event.message);
    if (!message.success) return { ok: false, problem: problemOf(message.error, 'message') };
    const fields = MESSAGE_FIELDS.get(message.data.type)?.safeParse(message.data);
    if (fields && !fields.success) return { ok: false, problem: problemOf(fields.error, 'message') };
  }
  if (event.type === 'postback') {
    const postback = postbackSchema.safeParse(event.postback);
    if (!postback.success) return { ok: false, problem: problemOf(postback.error, 'postback') };
  }
  return { ok: true, event };
}

/** Where and what, never the value: the value is the sender's and may be anything. */
function problemOf(error: z.ZodError, under?: string): string {
  const issue = error.issues[0];
  const path = [under, ...(issue?.path ?? [])].filter((p) => p !== undefined).join('.');
  return `${path || 'event'}: ${issue?.message ?? 'invalid'}`;
}

export type LineEvent = z.infer<typeof eventSchema> & {
  message?: LineMessageContent;
  postback?: { data: string; params?: Record<string, unknown> };
};

export interface LineMessageContent {
  id: string;
  type: string;
  text?: string;
  latitude?: number;
  longitude?: number;
  address?: string;
  title?: string;
  contentProvider?: { type: 'line' | 'external'; originalContentUrl?: string };
  [key: string]: unknown;
}

/** Event types a resident's 1:1 chat can produce that the conversation acts on. */
const HANDLED_TYPES = new Set(['message', 'follow', 'unfollow', 'postback']);

/**
 * Which events go to a resident's conversation: 1:1 chats only (policy: services are
 * for residents' own chats, not groups or rooms), active mode only (in standby another
 * channel owns the chat), and only types the conversation acts on.
 */
export function conversationUserId(event: LineEvent): string | null {
  if (event.source?.type !== 'user' || !event.source.userId) return null;
  if (event.mode && event.mode !== 'active') return null;
  if (!HANDLED_TYPES.has(event.type)) return null;
  return event.source.userId;
}

/**
 * The key an event is stored under in its resident's inbox. LINE gives every event a
 * `webhookEventId`; an event without one (older payloads) gets a key derived from what
 * identifies it, so a redelivery of it still maps to the same key. The user ID is left
 * out: the inbox is the resident's own already, and the key appears in the log.
 */
export function eventKey(event: LineEvent): string {
  if (event.webhookEventId) return event.webhookEventId;
  const id = event.message?.id ?? event.replyToken ?? '';
  return `${event.type}:${event.timestamp}:${id}`;
}
