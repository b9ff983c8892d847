import { startData } from '../conversation/rules';
import type { ConversationState, HandleContext, HandleResult } from '../conversation/types';
import { ask, cancelItem, choice, daysText, pb, statusName, T, text, typeName } from './chat-texts';
import { answer, type Input } from './flow-input';
import { end, go, type AbsenceData } from './flow-state';
import { ownNotice, recentNotices, withdrawNotice } from './history';
import { withdrawable } from './rules';

/**
 * 連絡履歴: the guardian's notices of the last 30 days with their state, each with a 取消
 * button while its (last) day has not passed. The buttons start the service at
 * `withdraw:<id>`, so they work whatever the guardian did since; withdrawal asks first.
 */

export async function showHistory(ctx: HandleContext, state: ConversationState, userId: string): Promise<HandleResult> {
  const l = ctx.lang;
  const items = await recentNotices(ctx.db, userId, ctx.now);
  if (items.length === 0) return end(state, [text(T.historyEmpty(l))]);
  const lines = items.map(
    (n) =>
      `${n.number}\n${n.pupilName} ${daysText(l, n.date, n.dateTo)} ${typeName(l, n.type)}【${statusName(l, n.status)}】`,
  );
  const open = items.filter((n) => withdrawable(n, ctx.now)).slice(0, 13);
  const buttons = open.map((n) =>
    choice(T.withdrawButton(l, n.number), startData({ service: 'absence', entry: `withdraw:${n.id}` })),
  );
  const body = [T.historyHead(l), '', ...lines, ...(open.length ? ['', T.historyHint(l)] : [])].join('\n');
  return end(state, [ask(body, buttons)]);
}

const whatOf = (
  l: HandleContext['lang'],
  n: { pupilName: string; date: string; dateTo: string | null; type: 'absence' | 'late' | 'early_leave' },
) => `${n.pupilName} ${daysText(l, n.date, n.dateTo)} ${typeName(l, n.type)}`;

export async function startWithdraw(
  ctx: HandleContext,
  state: ConversationState,
  userId: string,
  id: string,
): Promise<HandleResult> {
  const l = ctx.lang;
  const n = await ownNotice(ctx.db, userId, id);
  if (!n) return end(state, [text(T.noticeNotFound(l))]);
  if (n.status === 'withdrawn') return end(state, [text(T.alreadyWithdrawn(l))]);
  if (!withdrawable(n, ctx.now)) return end(state, [text(T.tooLateToWithdraw(l))]);
  return go(ctx, state, 'withdraw_confirm', { noticeId: id }, [
    ask(T.withdrawAsk(l, n.number, whatOf(l, n)), [
      choice(T.withdrawYes(l), pb('withdraw_confirm', 'yes')),
      choice(T.withdrawNo(l), pb('withdraw_confirm', 'no')),
      cancelItem(l),
    ]),
  ]);
}

export async function onWithdrawConfirm(
  ctx: HandleContext,
  state: ConversationState,
  data: AbsenceData,
  input: Input,
  userId: string,
): Promise<HandleResult> {
  const l = ctx.lang;
  const v = answer(input, [
    { label: T.withdrawYes(l), v: 'yes' },
    { label: T.withdrawNo(l), v: 'no' },
  ]);
  if (v === 'no') return end(state, [text(T.kept(l))]);
  if (v !== 'yes') {
    const r = await startWithdraw(ctx, state, userId, data.noticeId ?? '');
    return { ...r, messages: [text(T.hintChoose(l)), ...r.messages] };
  }
  const n = await ownNotice(ctx.db, userId, data.noticeId ?? '');
  const result = await withdrawNotice(ctx.db, userId, data.noticeId ?? '', ctx.now);
  if (result === 'withdrawn') return end(state, [text(T.withdrawn(l, n!.number))]);
  if (result === 'already') return end(state, [text(T.alreadyWithdrawn(l))]);
  if (result === 'too_late') return end(state, [text(T.tooLateToWithdraw(l))]);
  return end(state, [text(T.noticeNotFound(l))]);
}
