import type { ActiveFlow, Flow } from '../conversation/types';
import { T, text } from './chat-texts';
import { inputOf, isCancel } from './flow-input';
import { onCode, onCodeConfirm, onUnlink, startLink, startUnlink } from './flow-link';
import { isNoticeStep, onNoticeStep, startNotice } from './flow-notice';
import { onWithdrawConfirm, showHistory, startWithdraw } from './flow-history';
import { end, type AbsenceData, type Step } from './flow-state';
import { childrenOf } from './link';

/**
 * 欠席連絡: guardians register their children with the school's code and send absence,
 * lateness and early-leave notices, see them in 連絡履歴 and withdraw them. Entries:
 * none (a notice, or registration first), `history`, `add_child`, `unlink`, `withdraw:<id>`.
 * flow-link.ts registers, flow-notice.ts writes the notice, flow-history.ts lists and withdraws.
 */

const OTHER_STEPS: ReadonlySet<string> = new Set<Step>([
  'code',
  'code_confirm',
  'unlink_child',
  'unlink_confirm',
  'withdraw_confirm',
]);

/** In the type step, 欠席 (also a word that starts this service) is the answer 欠席. */
const TYPE_WORDS: ReadonlySet<string> = new Set(['欠席', '遅刻', '早退']);

function wellFormed(flow: ActiveFlow): boolean {
  const data = flow.data as AbsenceData;
  if (typeof data !== 'object' || data === null) return false;
  if (OTHER_STEPS.has(flow.step)) return true;
  if (!isNoticeStep(flow.step)) return false;
  const d = data.draft;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.noticeId === 'string' &&
    (flow.step === 'child' || typeof d.pupilId === 'string')
  );
}

export const absenceFlow: Flow = {
  async start(ctx, state, entry) {
    const userId = ctx.resident?.lineUserId;
    if (!userId) return end(state, []);
    if (entry === 'history') return showHistory(ctx, state, userId);
    if (entry === 'add_child') return startLink(ctx, state, 'end');
    if (entry === 'unlink') return startUnlink(ctx, state, userId);
    if (entry?.startsWith('withdraw:')) return startWithdraw(ctx, state, userId, entry.slice('withdraw:'.length));
    const children = await childrenOf(ctx.db, userId);
    if (children.length === 0) return startLink(ctx, state, 'notice');
    return startNotice(ctx, state, children);
  },

  async onEvent(ctx, state, event) {
    const userId = event.source!.userId!;
    const input = inputOf(event);
    const step = state.flow.step as Step;
    const data = state.flow.data as AbsenceData;
    // A draft saved by an older version (or damaged) starts over rather than failing the event forever.
    if (!wellFormed(state.flow)) return end(state, [text(T.startOver(ctx.lang))]);
    if (isCancel(input)) return end(state, [text(T.cancelled(ctx.lang))]);
    // A button from an earlier question is not an answer to this one: treated as a wrong input.
    const current = input.kind === 'choice' && input.step !== step ? ({ kind: 'other' } as const) : input;
    switch (step) {
      case 'code':
        return onCode(ctx, state, data, current, userId);
      case 'code_confirm':
        return onCodeConfirm(ctx, state, data, current, userId);
      case 'unlink_child':
      case 'unlink_confirm':
        return onUnlink(ctx, state, step, data, current, userId);
      case 'withdraw_confirm':
        return onWithdrawConfirm(ctx, state, data, current, userId);
      default:
        return onNoticeStep(ctx, state, step, data, current, userId);
    }
  },

  claimsText(flow, typed) {
    return flow.step === 'type' && TYPE_WORDS.has(typed.trim());
  },
};
