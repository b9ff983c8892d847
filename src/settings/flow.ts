import type { Flow, HandleContext, HandleResult, ConversationState, ActiveFlow } from '../conversation/types';
import { parsePostback } from '../conversation/rules';
import type { LineEvent } from '../line/events';
import type { Msg } from '../line/messages';
import {
  commandFromData,
  commandFromText,
  draftFrom,
  fitOptions,
  transition,
  type Command,
  type Draft,
  type Options,
  type Step,
} from './rules';
import { onPrivacyEvent, PRIVACY_ENTRIES, PRIVACY_STEPS, startPrivacy, type PrivacyEntry } from './privacy';
import { savePreferences } from './service';
import * as t from './texts';

/**
 * 設定: ward, interests and language. Changes are kept in the flow as a draft and written
 * to users only on 完了, so 中止 (or walking away) leaves the saved settings as they were.
 * Every question is asked in the draft's language: choosing English shows English at once.
 */

interface SettingsData {
  draft: Draft;
}

const STEPS: ReadonlySet<string> = new Set<Step>(['menu', 'ward', 'interests', 'language']);

function options(ctx: HandleContext): Options {
  return fitOptions({ wards: ctx.config.wards, interests: ctx.config.interests });
}

function ask(
  ctx: HandleContext,
  state: ConversationState,
  step: Step,
  draft: Draft,
  opts: Options,
  extra: Msg[] = [],
): HandleResult {
  const flow: ActiveFlow = { name: 'settings', step, data: { draft } satisfies SettingsData, updatedAt: ctx.now };
  return { state: { ...state, flow }, messages: [...extra, t.question(step, draft, opts)] };
}

function commandOf(event: LineEvent, step: Step, draft: Draft, opts: Options): Command | null {
  if (event.type === 'postback') return commandFromData(parsePostback(event.postback?.data ?? ''));
  if (event.type === 'message' && event.message?.type === 'text')
    return commandFromText(event.message.text ?? '', step, draft, opts);
  return null;
}

export const settingsFlow: Flow = {
  async start(ctx, state, entry) {
    const opts = options(ctx);
    const r = ctx.resident;
    const draft = draftFrom({ ward: r?.ward ?? null, interests: r?.interests ?? [], language: ctx.lang }, opts);
    // 個人情報 and its items typed or tapped from outside 設定 (rules.ts KEYWORDS).
    if (entry && PRIVACY_ENTRIES.has(entry)) return startPrivacy(ctx, state, entry as PrivacyEntry, draft);
    return ask(ctx, state, 'menu', draft, opts);
  },

  async onEvent(ctx, state, event) {
    const opts = options(ctx);
    const step = state.flow.step as Step;
    const { draft } = state.flow.data as Partial<SettingsData>;
    if (draft && PRIVACY_STEPS.has(step))
      return onPrivacyEvent(ctx, state, event, draft, () => ask(ctx, state, 'menu', draft, opts));
    // A draft of another shape (state saved by an older version) starts over rather than failing the event for good.
    if (!draft || !STEPS.has(step)) return settingsFlow.start(ctx, state);
    const cmd = commandOf(event, step, draft, opts);
    const outcome = cmd ? transition(step, draft, cmd, opts) : ({ kind: 'invalid' } as const);
    switch (outcome.kind) {
      case 'ask':
        return ask(ctx, state, outcome.step, outcome.draft, opts);
      case 'invalid':
        return ask(ctx, state, step, draft, opts, [t.hint(draft.language)]);
      case 'cancel':
        // Nothing was saved, so the resident's saved language is the one to answer in.
        return { state: { ...state, flow: undefined }, messages: [t.cancelled(ctx.lang)] };
      case 'privacy':
        return startPrivacy(ctx, state, 'privacy', outcome.draft);
      case 'save':
        await savePreferences(ctx.db, event.source!.userId!, outcome.draft, ctx.now);
        return { state: { ...state, flow: undefined }, messages: [t.saved(outcome.draft, opts)] };
    }
  },
};
