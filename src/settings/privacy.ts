import { parsePostback } from '../conversation/rules';
import type { ActiveFlow, ConversationState, HandleContext, HandleResult } from '../conversation/types';
import { LANGS } from '../i18n';
import type { LineEvent } from '../line/events';
import type { Msg } from '../line/messages';
import { eraseResident, stateAfterErasure } from '../residents/erase';
import { withdrawConsent } from '../residents/service';
import { residentSummary } from '../residents/summary';
import * as p from './privacy-texts';
import { normalize, type Draft } from './rules';

/**
 * 設定 → 個人情報: the resident's own rights (policy §8). 登録内容の確認 shows what the city
 * holds; データの削除 and 同意の撤回 act only after a confirmation. Each is a button of the
 * privacy menu and also starts by itself when typed (rules.ts KEYWORDS, `entry`).
 */

export type PrivacyStep = 'privacy' | 'privacy_delete' | 'privacy_withdraw';
export const PRIVACY_STEPS: ReadonlySet<string> = new Set<PrivacyStep>([
  'privacy',
  'privacy_delete',
  'privacy_withdraw',
]);
export type PrivacyEntry = 'privacy' | 'summary' | 'delete' | 'withdraw';
export const PRIVACY_ENTRIES: ReadonlySet<string> = new Set<PrivacyEntry>(['privacy', 'summary', 'delete', 'withdraw']);

function ask(ctx: HandleContext, state: ConversationState, step: PrivacyStep, draft: Draft, extra: Msg[] = []) {
  const flow: ActiveFlow = { name: 'settings', step, data: { draft }, updatedAt: ctx.now };
  const question =
    step === 'privacy'
      ? p.privacyMenu(ctx.lang)
      : step === 'privacy_delete'
        ? p.confirmDelete(ctx.lang)
        : p.confirmWithdraw(ctx.lang);
  return { state: { ...state, flow }, messages: [...extra, question] };
}

const done = (state: ConversationState, messages: Msg[]): HandleResult => ({
  state: { ...state, flow: undefined },
  messages,
});

/** A tap or a typed word as a privacy op; typed words match the buttons' labels in both languages. */
export function privacyOpOf(event: LineEvent): p.PrivacyOp | null {
  if (event.type === 'postback') {
    const data = parsePostback(event.postback?.data ?? '');
    const ops: p.PrivacyOp[] = ['summary', 'delete', 'withdraw', 'confirm', 'back', 'cancel'];
    return data.action === 'privacy' && ops.includes(data.op as p.PrivacyOp) ? (data.op as p.PrivacyOp) : null;
  }
  if (event.type !== 'message' || event.message?.type !== 'text') return null;
  const t = normalize(event.message.text ?? '');
  for (const lang of LANGS) {
    const l = p.privacyLabels(lang);
    if (t === normalize(l.deleteYes) || t === normalize(l.withdrawYes)) return 'confirm';
    for (const op of ['summary', 'delete', 'withdraw', 'back', 'cancel'] as const)
      if (t === normalize(l[op])) return op;
  }
  return t === '中止' || t === 'キャンセル' ? 'cancel' : null;
}

async function summary(ctx: HandleContext, state: ConversationState): Promise<HandleResult> {
  const userId = ctx.resident?.lineUserId;
  const s = userId
    ? await residentSummary(ctx.db, userId)
    : {
        ward: null,
        interests: [],
        language: null,
        consent: null,
        reports: [],
        moreReports: 0,
        children: [],
        communities: [],
      };
  return done(state, p.summaryMessages(s, { wards: ctx.config.wards, interests: ctx.config.interests }, ctx.lang));
}

async function open(ctx: HandleContext, state: ConversationState, op: 'summary' | 'delete' | 'withdraw', draft: Draft) {
  if (op === 'summary') return summary(ctx, state);
  if (op === 'delete') return ask(ctx, state, 'privacy_delete', draft);
  if (!ctx.resident?.consentVersion) return done(state, [p.nothingToWithdraw(ctx.lang)]);
  return ask(ctx, state, 'privacy_withdraw', draft);
}

export async function startPrivacy(
  ctx: HandleContext,
  state: ConversationState,
  entry: PrivacyEntry,
  draft: Draft,
): Promise<HandleResult> {
  return entry === 'privacy' ? ask(ctx, state, 'privacy', draft) : open(ctx, state, entry, draft);
}

/**
 * One event in a privacy step. `backToSettings` is the settings menu the privacy menu's 戻る
 * returns to, with the unsaved draft.
 */
export async function onPrivacyEvent(
  ctx: HandleContext,
  state: ConversationState & { flow: ActiveFlow },
  event: LineEvent,
  draft: Draft,
  backToSettings: () => HandleResult,
): Promise<HandleResult> {
  const step = state.flow.step as PrivacyStep;
  const op = privacyOpOf(event);
  if (op === 'cancel') return done(state, [p.stopped(ctx.lang)]);
  if (step === 'privacy') {
    if (op === 'back') return backToSettings();
    if (op === 'summary' || op === 'delete' || op === 'withdraw') return open(ctx, state, op, draft);
    return ask(ctx, state, step, draft, [p.hint(ctx.lang)]);
  }
  if (op === 'back') return ask(ctx, state, 'privacy', draft);
  if (op !== 'confirm') return ask(ctx, state, step, draft, [p.hint(ctx.lang)]);
  const userId = event.source!.userId!;
  if (step === 'privacy_withdraw') {
    const withdrew = await withdrawConsent(ctx.db, userId, ctx.now);
    return done(state, [withdrew ? p.withdrawn(ctx.lang) : p.nothingToWithdraw(ctx.lang)]);
  }
  await eraseResident(ctx.env, ctx.db, userId, 'request', ctx.now);
  // The conversation state goes too, but for the guess limits on codes (the same rule as the clean-up's).
  return { state: stateAfterErasure(state, ctx.now), messages: [p.deleted(ctx.lang)] };
}
