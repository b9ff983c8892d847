import { events, fake, say } from './line';

type Msg = Record<string, any>;

/** The labels of a message's quick reply buttons, in order ([] when it has none). */
export function quickLabels(msg: Msg | undefined): string[] {
  return (msg?.quickReply?.items ?? []).map((i: Msg) => i.action.label as string);
}

/** The last message sent to the user. */
export async function lastMessage(userId: string): Promise<Msg> {
  const msgs = await fake.messagesTo(userId);
  const last = msgs.at(-1);
  if (!last) throw new Error(`nothing was sent to ${userId}`);
  return last;
}

/**
 * Taps a quick reply button of the last message, as LINE would: a postback with the
 * button's data. Fails when the button is not there, so a test cannot tap what a resident
 * could not see.
 */
export async function tap(userId: string, label: string) {
  const last = await lastMessage(userId);
  const item = (last.quickReply?.items ?? []).find((i: Msg) => i.action.label === label);
  if (!item) throw new Error(`no quick reply "${label}" in ${JSON.stringify(quickLabels(last))}`);
  if (item.action.type !== 'postback') throw new Error(`quick reply "${label}" is a ${item.action.type} action`);
  return say(userId, events.postback(userId, item.action.data as string));
}
