import { eq } from 'drizzle-orm';
import { problem } from '../admin/errors';
import type { Db } from '../db/client';
import { communities, schools } from '../db/schema';
import { clipFor, lineLength, LINE_LIMITS } from '../line/limits';
import type { Audience } from './audience';
import type { BroadcastMessageInput } from './messages';
import { T } from './texts';

/**
 * What a broadcast sends, composed at send time from what staff wrote: residents must
 * know who speaks through the city's account, so a school's or an association's message
 * starts with 【name】 on its own line, and a broadcast that asks for acknowledgement ends
 * with a 「確認しました」 button. Staff see and edit only their own messages; the sender line
 * follows the name as it is when the message goes out.
 */

export interface Framing {
  /** The school's or association's name; null for the city's own broadcasts. */
  speaker: string | null;
  /** The broadcast whose acknowledgement the button records; null without requestAck. */
  ackFor: string | null;
}

export const nameLine = (name: string) => `【${name}】`;

export const ackData = (broadcastId: string) => `action=ack&b=${broadcastId}`;

/** The appended 「確認しました」 button (one more message). */
export function ackButton(broadcastId: string): BroadcastMessageInput {
  const label = T.ackLabel('ja');
  return {
    type: 'template',
    altText: T.ackPrompt('ja'),
    template: {
      type: 'buttons',
      text: T.ackPrompt('ja'),
      actions: [{ type: 'postback', label, data: ackData(broadcastId), displayText: label }],
    },
  };
}

/**
 * The messages as they go to LINE. The name line goes on the first text message; a message
 * without any text gets the name line as a text of its own in front. A name renamed since
 * the broadcast was checked could push a text over LINE's limit: it is clipped, never refused.
 */
export function composeMessages(messages: BroadcastMessageInput[], f: Framing): BroadcastMessageInput[] {
  let out = messages;
  if (f.speaker !== null) {
    const line = nameLine(f.speaker);
    const first = out.findIndex((m) => m.type === 'text');
    out =
      first < 0
        ? [{ type: 'text', text: clipFor('text', line, LINE_LIMITS.textChars) }, ...out]
        : out.map((m, i) =>
            i === first && m.type === 'text'
              ? { ...m, text: clipFor('text', `${line}\n${m.text}`, LINE_LIMITS.textChars) }
              : m,
          );
  }
  return f.ackFor === null ? out : [...out, ackButton(f.ackFor)];
}

/** Whose name a broadcast carries: the school's, or the named association's (the federation's for a federation post). */
export async function speakerOf(d: Db, audience: Audience): Promise<string | null> {
  if (audience.type === 'school') {
    const s = await d.select({ name: schools.name }).from(schools).where(eq(schools.id, audience.schoolId)).get();
    return s?.name ?? null;
  }
  if (audience.type === 'community') {
    const c = await d
      .select({ name: communities.name })
      .from(communities)
      .where(eq(communities.id, audience.communityId))
      .get();
    return c?.name ?? null;
  }
  return null;
}

/** The most messages of a broadcast's own when it asks for acknowledgement (the button is the fifth). */
export const MAX_OWN_MESSAGES_WITH_ACK = LINE_LIMITS.messagesPerRequest - 1;

/**
 * 400 naming the message when what will be sent breaks LINE's limits once framed: the
 * name line counts toward the first text's 5,000 characters, and the button and a name
 * line of its own count toward the five messages of a request.
 */
export function ensureFramedFits(messages: BroadcastMessageInput[], speaker: string | null, requestAck: boolean): void {
  if (requestAck && messages.length > MAX_OWN_MESSAGES_WITH_ACK) {
    throw problem(
      400,
      `messages: a broadcast that asks for acknowledgement may have at most ${MAX_OWN_MESSAGES_WITH_ACK} messages of its own (the 「確認しました」 button is the ${MAX_OWN_MESSAGES_WITH_ACK + 1}th); it has ${messages.length}.`,
    );
  }
  if (speaker === null) return;
  const line = nameLine(speaker);
  const first = messages.findIndex((m) => m.type === 'text');
  if (first < 0) {
    const total = messages.length + 1 + (requestAck ? 1 : 0);
    if (total > LINE_LIMITS.messagesPerRequest)
      throw problem(
        400,
        `messages: without a text message the sender line ${line} is sent as a message of its own, making ${total} messages; LINE takes at most ${LINE_LIMITS.messagesPerRequest}.`,
      );
    if (lineLength('text', line) > LINE_LIMITS.textChars)
      throw problem(400, `messages: the sender line ${line} is longer than LINE allows.`);
    return;
  }
  const m = messages[first] as Extract<BroadcastMessageInput, { type: 'text' }>;
  const n = lineLength('text', `${line}\n${m.text}`);
  if (n > LINE_LIMITS.textChars) {
    throw problem(
      400,
      `messages.${first}.text: with the sender line ${line} it is ${n} characters (UTF-16 code units, as LINE counts); LINE allows ${LINE_LIMITS.textChars}.`,
    );
  }
}
