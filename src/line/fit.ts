import type { messagingApi } from '@line/bot-sdk';
import { clipFor, LINE_LIMITS } from './limits';
import type { Msg } from './messages';

/** Where a message was cut, so the resident knows there was more. */
export const SHORTENED_NOTE = '…（以下省略）';

/**
 * Our answer made to fit LINE's limits (src/line/limits.ts), so LINE never refuses it with a
 * 400 and the resident never hears nothing: too many messages, a text too long, a quick reply
 * with too many items or labels too long are cut, with a note where words were left out.
 * Returns what was changed, for the log; an answer within the limits comes back as it was.
 */
export function fitToLine(messages: Msg[]): { messages: Msg[]; changes: string[] } {
  const changes: string[] = [];
  let out = messages;
  const max = LINE_LIMITS.messagesPerRequest;
  if (out.length > max) {
    changes.push(`messages: ${out.length} → ${max}`);
    // LINE shows a quick reply only on the last message, and ours carry the question there.
    const kept = out.slice(0, max - 1);
    const lastKept = kept[max - 2]!;
    if (lastKept.type === 'text') kept[max - 2] = { ...lastKept, text: `${lastKept.text}${SHORTENED_NOTE}` };
    out = [...kept, out.at(-1)!];
  }
  out = out.map((m, i) => fitMessage(m, `messages[${i}]`, changes));
  return { messages: changes.length ? out : messages, changes };
}

function fitMessage(m: Msg, at: string, changes: string[]): Msg {
  let msg = m;
  if (msg.type === 'text') {
    const text = clipFor('text', msg.text, LINE_LIMITS.textChars, SHORTENED_NOTE);
    if (text !== msg.text) {
      changes.push(`${at}.text: ${msg.text.length} UTF-16 units`);
      msg = { ...msg, text };
    }
  }
  if (msg.type === 'template') msg = fitTemplate(msg, at, changes);
  const items = msg.quickReply?.items;
  if (items) {
    let fitted = items;
    const most = LINE_LIMITS.quickReplyItems;
    if (fitted.length > most) {
      changes.push(`${at}.quickReply.items: ${fitted.length} → ${most}`);
      // The last item is 中止 in our questions: it stays.
      fitted = [...fitted.slice(0, most - 1), fitted.at(-1)!];
    }
    fitted = fitted.map((it, i) => ({
      ...it,
      ...(it.action && { action: fitAction(it.action, `${at}.quickReply.items[${i}].action`, changes) }),
    }));
    msg = { ...msg, quickReply: { items: fitted } };
  }
  return msg;
}

function fitTemplate(msg: messagingApi.TemplateMessage, at: string, changes: string[]): Msg {
  const altText = clipFor('altText', msg.altText, LINE_LIMITS.altTextChars);
  if (altText !== msg.altText) changes.push(`${at}.altText`);
  const t = msg.template;
  let template: messagingApi.Template = t;
  if (t.type === 'buttons') {
    const withTitle = !!(t.title || t.thumbnailImageUrl);
    const max = withTitle ? LINE_LIMITS.buttonsTextCharsWithTitle : LINE_LIMITS.buttonsTextChars;
    const b = t as messagingApi.ButtonsTemplate;
    const text = clipFor('template.text', b.text, max);
    const title = b.title === undefined ? undefined : clipFor('template.title', b.title, LINE_LIMITS.buttonsTitleChars);
    if (text !== b.text || title !== b.title) changes.push(`${at}.template.text`);
    template = {
      ...b,
      text,
      ...(title !== undefined && { title }),
      actions: b.actions.map((a, i) => fitAction(a, `${at}.template.actions[${i}]`, changes)),
    };
  } else if (t.type === 'confirm') {
    const c = t as messagingApi.ConfirmTemplate;
    const text = clipFor('template.text', c.text, LINE_LIMITS.confirmTextChars);
    if (text !== c.text) changes.push(`${at}.template.text`);
    template = { ...c, text, actions: c.actions.map((a, i) => fitAction(a, `${at}.template.actions[${i}]`, changes)) };
  }
  return { ...msg, altText, template };
}

function fitAction<A extends messagingApi.Action>(action: A, at: string, changes: string[]): A {
  const label = action.label === undefined ? undefined : clipFor('action.label', action.label, LINE_LIMITS.labelChars);
  const p = action as messagingApi.PostbackAction;
  const displayText =
    p.displayText === undefined
      ? undefined
      : clipFor('action.displayText', p.displayText, LINE_LIMITS.displayTextChars);
  if (label === action.label && displayText === p.displayText) return action;
  changes.push(`${at}.label`);
  return { ...action, label, ...(displayText !== undefined && { displayText }) };
}
