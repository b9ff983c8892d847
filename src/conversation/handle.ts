import { answerAck } from '../broadcasts/acks';
import { langOf } from '../i18n';
import type { LineEvent } from '../line/events';
import { hasConsented, recordConsent, recordFollow, recordUnfollow } from '../residents/service';
import { answerLinkCommand } from '../staff-link/chat';
import { FLOWS } from './flows';
import { isService, needsConsent, parsePostback, policyAnswerDue, startData, startFromText, type Start } from './rules';
import * as t from './texts';
import type { ActiveFlow, ConversationState, HandleContext, HandleResult } from './types';

/**
 * The conversation's front door: takes one event and the resident's state, does the
 * event's effects (idempotent: a retried event may run them again) and returns the next
 * state and the messages to send.
 */
export async function handleEvent(
  ctx: HandleContext,
  state: ConversationState,
  event: LineEvent,
  language?: string | null,
): Promise<HandleResult> {
  const userId = event.source!.userId!;
  switch (event.type) {
    case 'follow': {
      await recordFollow(ctx.db, userId, language ?? null, ctx.now);
      const lang = langOf(ctx.resident?.language ?? language);
      // A resident who already accepted the current terms is welcomed back without being asked again.
      const consented = hasConsented(ctx.resident, ctx.config.termsVersion);
      return {
        state: { ...state, flow: undefined },
        messages: consented ? [t.greeting(lang)] : [t.greeting(lang), consentPromptFor({ ...ctx, lang })],
      };
    }
    case 'unfollow':
      await recordUnfollow(ctx.db, userId, ctx.now);
      // Drafts die with the block; nothing can be sent to a blocked resident anyway. The throttles
      // stay: blocking and following again must not reset the count of wrong link codes.
      return { state: { ...state, flow: undefined }, messages: [] };
    case 'postback':
      return handlePostback(ctx, state, event);
    case 'message':
      return handleMessage(ctx, state, event);
    default:
      return { state, messages: [] };
  }
}

function consentPromptFor(ctx: HandleContext, resume?: Start) {
  return t.consentPrompt(ctx.lang, ctx.config.termsVersion, `${ctx.origin}/terms`, resume && startData(resume));
}

/** The service a postback starts: `action=start&service=…&entry=…`. */
function startOf(data: Record<string, string>): Start | null {
  if (!isService(data.service)) return null;
  return data.entry ? { service: data.service, entry: data.entry } : { service: data.service };
}

async function handlePostback(ctx: HandleContext, state: ConversationState, event: LineEvent): Promise<HandleResult> {
  const data = parsePostback(event.postback?.data ?? '');
  // 「確認しました」 under a school message or an association post: at any time, also inside a
  // flow (which goes on untouched), and without consent (it is a receipt, not a service).
  if (data.action === 'ack') {
    return { state, messages: [await answerAck(ctx.db, data.b, event.source!.userId!, ctx.lang, ctx.now)] };
  }
  if (data.action === 'consent') {
    const version = ctx.config.termsVersion;
    // A button from an older version of the terms does not count as consent to the current one.
    const resume = data.then ? startOf(parsePostback(data.then)) : null;
    if (data.v && data.v !== version) return { state, messages: [consentPromptFor(ctx, resume ?? undefined)] };
    await recordConsent(ctx.db, event.source!.userId!, version, ctx.now);
    if (!resume) return { state, messages: [t.consentThanks(ctx.lang)] };
    // The resident asked for a service before accepting: it goes on by itself.
    const consented = { ...ctx, resident: ctx.resident && { ...ctx.resident, consentVersion: version } };
    const started = await startService(consented, state, resume, true);
    return { state: started.state, messages: [t.consentAccepted(ctx.lang), ...started.messages] };
  }
  const start = data.action === 'start' ? startOf(data) : null;
  if (start) return startService(ctx, state, start);
  if (state.flow) return continueFlow(ctx, state as FlowState, event);
  return { state, messages: [] };
}

async function handleMessage(ctx: HandleContext, state: ConversationState, event: LineEvent): Promise<HandleResult> {
  const text = event.message?.type === 'text' ? (event.message.text ?? '') : null;
  // A staff member linking their own phone is not using a resident service: no consent to
  // the residents' terms, and it is read before any flow, so a draft does not swallow it.
  const link = text === null ? null : await staffLink(ctx, state, event.source!.userId!, text);
  if (link) return link;
  const start = text !== null ? startFromText(text) : null;
  // Inside a flow, the flow's own options win over the words that start services.
  const claimed = start && state.flow && FLOWS[state.flow.name]?.claimsText?.(state.flow, text!);
  if (start && !claimed) return startService(ctx, state, start);
  if (state.flow) return continueFlow(ctx, state as FlowState, event);
  // Outside any flow, every kind of message gets the policy §6 answer, at most once an hour.
  if (!policyAnswerDue(state.lastPolicyAnswerAt, ctx.now)) return { state, messages: [] };
  return {
    state: { ...state, lastPolicyAnswerAt: ctx.now },
    messages: [t.policyAnswer(ctx.lang, ctx.config.contactEmail)],
  };
}

async function staffLink(
  ctx: HandleContext,
  state: ConversationState,
  userId: string,
  text: string,
): Promise<HandleResult | null> {
  const answer = await answerLinkCommand(ctx.db, userId, text, state.wrongLinkCodesAt, ctx.lang, ctx.now);
  if (!answer) return null;
  return { state: { ...state, wrongLinkCodesAt: answer.wrongCodes }, messages: answer.messages };
}

type FlowState = ConversationState & { flow: ActiveFlow };

/** A draft left alone this long is dropped; the flow itself tells the resident. */
export const FLOW_IDLE_LIMIT_MS = 30 * 60 * 1000;

function expired(flow: ActiveFlow, now: number): boolean {
  return now - flow.updatedAt > FLOW_IDLE_LIMIT_MS;
}

async function startService(
  ctx: HandleContext,
  state: ConversationState,
  start: Start,
  /** Consent was recorded by this very event (the resident row read before it is stale). */
  justConsented = false,
): Promise<HandleResult> {
  const { service, entry } = start;
  if (!justConsented && needsConsent(service) && !hasConsented(ctx.resident, ctx.config.termsVersion)) {
    return { state, messages: [t.consentNeeded(ctx.lang), consentPromptFor(ctx, start)] };
  }
  const flow = FLOWS[service];
  if (!flow) return { state, messages: [t.serviceNotReady(ctx.lang, service)] };
  return flow.start(ctx, { ...state, flow: undefined }, entry);
}

async function continueFlow(ctx: HandleContext, state: FlowState, event: LineEvent): Promise<HandleResult> {
  const flow = FLOWS[state.flow.name];
  if (!flow) return { state: { ...state, flow: undefined }, messages: [] };
  if (expired(state.flow, ctx.now))
    return { state: { ...state, flow: undefined }, messages: [t.flowExpired(ctx.lang)] };
  return flow.onEvent(ctx, state, event);
}
