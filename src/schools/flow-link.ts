import { recentTimes, windowLimit } from '../calendar/window-limit';
import type { ConversationState, HandleContext, HandleResult } from '../conversation/types';
import type { Msg } from '../line/messages';
import { ask, cancelItem, choice, classText, pb, T, text } from './chat-texts';
import { answer, type Input } from './flow-input';
import { startNotice } from './flow-notice';
import { end, go, type AbsenceData } from './flow-state';
import { childrenOf, currentPupil, findByCode, linkGuardian, unlinkGuardian, type Child } from './link';
import { MAX_WRONG_CODES, WRONG_CODE_WINDOW_MS } from './rules';

/**
 * Registering a child by the code from the school (はい／いいえ before linking), 子どもを追加
 * and 登録解除. Five wrong codes within an hour lock registration for that LINE account
 * for an hour; the times are kept in the conversation state.
 */

function lockedFor(state: ConversationState, now: number): number | null {
  const recent = recentTimes(state.wrongPupilCodesAt ?? [], now, WRONG_CODE_WINDOW_MS);
  const w = windowLimit(recent, now, MAX_WRONG_CODES, WRONG_CODE_WINDOW_MS);
  return w.allowed ? null : Math.max(1, Math.ceil(w.retryAfterMs / 60_000));
}

const codeQuestion = (ctx: HandleContext, data: AbsenceData, before: Msg[] = []) => [
  ...before,
  ask(data.afterLink === 'end' ? T.askAnotherCode(ctx.lang) : T.askCode(ctx.lang), [cancelItem(ctx.lang)]),
];

export function startLink(ctx: HandleContext, state: ConversationState, then: 'notice' | 'end'): HandleResult {
  const minutes = lockedFor(state, ctx.now);
  if (minutes !== null) return end(state, [text(T.locked(ctx.lang, minutes))]);
  const data: AbsenceData = { afterLink: then };
  return go(ctx, state, 'code', data, codeQuestion(ctx, data));
}

function yesNo(ctx: HandleContext, step: string, body: string): Msg {
  const l = ctx.lang;
  return ask(body, [choice(T.yes(l), pb(step, 'yes')), choice(T.no(l), pb(step, 'no')), cancelItem(l)]);
}

const yesNoOptions = (ctx: HandleContext) => [
  { label: T.yes(ctx.lang), v: 'yes' },
  { label: T.no(ctx.lang), v: 'no' },
];

export async function onCode(
  ctx: HandleContext,
  state: ConversationState,
  data: AbsenceData,
  input: Input,
  userId: string,
): Promise<HandleResult> {
  const l = ctx.lang;
  if (input.kind !== 'text') return go(ctx, state, 'code', data, codeQuestion(ctx, data, [text(T.hintText(l))]));
  const minutes = lockedFor(state, ctx.now);
  if (minutes !== null) return end(state, [text(T.locked(l, minutes))]);
  const found = await findByCode(ctx.db, input.text, ctx.now);
  // Text that cannot be a code at all (a greeting, a name) is no guess: only well-formed codes count.
  if (found.kind === 'not_code') return go(ctx, state, 'code', data, codeQuestion(ctx, data, [text(T.unknownCode(l))]));
  if (found.kind === 'unknown') {
    const wrong = [...recentTimes(state.wrongPupilCodesAt ?? [], ctx.now, WRONG_CODE_WINDOW_MS), ctx.now];
    const next = { ...state, wrongPupilCodesAt: wrong };
    const nowLocked = lockedFor(next, ctx.now);
    if (nowLocked !== null) return end(next, [text(T.locked(l, nowLocked))]);
    return go(ctx, next, 'code', data, codeQuestion(ctx, data, [text(T.unknownCode(l))]));
  }
  if (found.kind === 'expired') return go(ctx, state, 'code', data, codeQuestion(ctx, data, [text(T.expiredCode(l))]));
  const c = found.child;
  const mine = await childrenOf(ctx.db, userId);
  if (mine.some((m) => m.pupilId === c.pupilId)) return linkedDone(ctx, state, data, mine, T.alreadyLinked(l, c.name));
  return go(ctx, state, 'code_confirm', { ...data, pupilId: c.pupilId }, [
    yesNo(ctx, 'code_confirm', T.confirmChild(l, c.schoolName, classText(l, c.grade, c.class), c.name)),
  ]);
}

function linkedDone(ctx: HandleContext, state: ConversationState, data: AbsenceData, children: Child[], said: string) {
  if (data.afterLink === 'notice') return startNotice(ctx, state, children, [text(said)]);
  return end(state, [text(said)]);
}

export async function onCodeConfirm(
  ctx: HandleContext,
  state: ConversationState,
  data: AbsenceData,
  input: Input,
  userId: string,
): Promise<HandleResult> {
  const l = ctx.lang;
  const v = answer(input, yesNoOptions(ctx));
  const pupil = data.pupilId ? await currentPupil(ctx.db, data.pupilId) : undefined;
  if (!pupil) return end(state, [text(T.startOver(l))]);
  if (v === 'no')
    return go(ctx, state, 'code', { afterLink: data.afterLink }, codeQuestion(ctx, data, [text(T.notLinked(l))]));
  if (v !== 'yes')
    return go(ctx, state, 'code_confirm', data, [
      text(T.hintChoose(l)),
      yesNo(
        ctx,
        'code_confirm',
        T.confirmChild(l, pupil.schoolName, classText(l, pupil.grade, pupil.class), pupil.name),
      ),
    ]);
  const result = await linkGuardian(ctx.env, pupil.pupilId, userId, ctx.now);
  if (result === 'full') return end(state, [text(T.full(l, pupil.schoolName, pupil.phone))]);
  const children = await childrenOf(ctx.db, userId);
  const said = data.afterLink === 'notice' ? T.linkedGoOn(l, pupil.name) : T.linked(l, pupil.name);
  return linkedDone(ctx, state, data, children, said);
}

/* ───────── 登録解除 ───────── */

export async function startUnlink(ctx: HandleContext, state: ConversationState, userId: string): Promise<HandleResult> {
  const l = ctx.lang;
  const children = await childrenOf(ctx.db, userId);
  if (children.length === 0) return end(state, [text(T.unlinkNone(l))]);
  if (children.length === 1) return askUnlink(ctx, state, children[0]!);
  return go(ctx, state, 'unlink_child', {}, [
    ask(T.unlinkWhich(l), [
      ...children.slice(0, 12).map((c) => choice(c.name, pb('unlink_child', c.pupilId))),
      cancelItem(l),
    ]),
  ]);
}

function askUnlink(ctx: HandleContext, state: ConversationState, c: Child): HandleResult {
  return go(ctx, state, 'unlink_confirm', { pupilId: c.pupilId }, [
    yesNo(ctx, 'unlink_confirm', T.unlinkAsk(ctx.lang, c.name, c.schoolName)),
  ]);
}

export async function onUnlink(
  ctx: HandleContext,
  state: ConversationState,
  step: 'unlink_child' | 'unlink_confirm',
  data: AbsenceData,
  input: Input,
  userId: string,
): Promise<HandleResult> {
  const l = ctx.lang;
  const children = await childrenOf(ctx.db, userId);
  if (step === 'unlink_child') {
    const v = answer(
      input,
      children.map((c) => ({ label: c.name, v: c.pupilId })),
    );
    const c = children.find((x) => x.pupilId === v);
    if (!c) return startUnlink(ctx, { ...state, flow: undefined }, userId).then((r) => withHint(r, T.hintChoose(l)));
    return askUnlink(ctx, state, c);
  }
  const c = children.find((x) => x.pupilId === data.pupilId);
  if (!c) return end(state, [text(T.unlinkNone(l))]);
  const v = answer(input, yesNoOptions(ctx));
  if (v === 'no') return end(state, [text(T.notUnlinked(l))]);
  if (v !== 'yes') return withHint(askUnlink(ctx, state, c), T.hintChoose(l));
  await unlinkGuardian(ctx.db, c.pupilId, userId);
  return end(state, [text(T.unlinked(l, c.name))]);
}

function withHint(r: HandleResult, hint: string): HandleResult {
  return { ...r, messages: [text(hint), ...r.messages] };
}
