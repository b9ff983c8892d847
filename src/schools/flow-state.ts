import type { ConversationState, HandleContext, HandleResult } from '../conversation/types';
import type { Msg } from '../line/messages';
import type { Draft, NoticeStep } from './rules';

/** The absence flow's steps and what it keeps between them, shared by the flow's files. */

export type Step = NoticeStep | 'code' | 'code_confirm' | 'unlink_child' | 'unlink_confirm' | 'withdraw_confirm';

export interface AbsenceData {
  /** The notice being written. */
  draft?: Draft;
  /** The pupil a code found, waiting for はい (code_confirm) or the one to unlink (unlink_confirm). */
  pupilId?: string;
  /** After linking: on into the first notice, or done (子どもを追加). */
  afterLink?: 'notice' | 'end';
  /** The first question of a notice also offers 連絡履歴 and 子どもを追加. */
  first?: boolean;
  /** The notice whose withdrawal waits for a confirmation. */
  noticeId?: string;
}

export function go(
  ctx: HandleContext,
  state: ConversationState,
  step: Step,
  data: AbsenceData,
  messages: Msg[],
): HandleResult {
  return {
    state: { ...state, flow: { name: 'absence', step, data: data as Record<string, unknown>, updatedAt: ctx.now } },
    messages,
  };
}

export function end(state: ConversationState, messages: Msg[]): HandleResult {
  return { state: { ...state, flow: undefined }, messages };
}
