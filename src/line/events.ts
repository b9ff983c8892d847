import { z } from 'zod';

/**
 * The webhook envelope, checked only as far as we rely on it. Events are kept
 * loose (passthrough) on purpose: LINE adds event types and fields over time and
 * an unknown one must be acknowledged, not rejected.
 */
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

export const envelopeSchema = z.object({
  destination: z.string(),
  events: z.array(eventSchema),
});

export type LineEvent = z.infer<typeof eventSchema> & {
  message?: LineMessageContent;
  postback?: { data: string; params?: Record<string, string> };
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
