import { readAccessCode } from '../access-codes';
import { parsePostback } from '../conversation/rules';
import type { ActiveFlow, ConversationState, Flow, HandleContext, HandleResult } from '../conversation/types';
import type { LineEvent } from '../line/events';
import type { Msg } from '../line/messages';
import { checkCode, join, leave, membershipsOf, setDisplayName } from './join';
import { codeLock, readDisplayName } from './rules';
import * as t from './texts';
import type { Command } from './texts';

/**
 * 町内会: a resident with no membership is asked for an invite code; the bot names the
 * association (and a unit's federation) and asks はい／いいえ before joining; after はい,
 * a display name for the leaders or スキップ. With memberships, 「町内会」 lists them with
 * 参加 (another code) and 退会 per association. Refused codes are counted in the
 * conversation state (not the flow), so leaving the flow does not reset the lock.
 */

type Step = 'menu' | 'code' | 'confirm' | 'name' | 'leave';

interface Data {
  communityId?: string;
  inviteId?: string;
  name?: string;
  parentName?: string | null;
}

type Input = { cmd: Command; id?: string } | { text: string } | null;

/** Typed words do what the buttons do, for residents who type instead of tapping. */
const WORDS: ReadonlyMap<string, Command> = new Map([
  ['はい', 'yes'],
  ['いいえ', 'no'],
  ['スキップ', 'skip'],
  ['中止', 'cancel'],
  ['参加', 'join'],
  ['閉じる', 'close'],
  ['yes', 'yes'],
  ['no', 'no'],
  ['skip', 'skip'],
  ['cancel', 'cancel'],
  ['join', 'join'],
  ['close', 'close'],
]);
const COMMANDS: ReadonlySet<string> = new Set<Command>(['join', 'leave', 'yes', 'no', 'skip', 'cancel', 'close']);

function inputOf(event: LineEvent): Input {
  if (event.type === 'postback') {
    const data = parsePostback(event.postback?.data ?? '');
    if (data.action !== 'community' || !data.cmd || !COMMANDS.has(data.cmd)) return null;
    return { cmd: data.cmd as Command, id: data.id };
  }
  if (event.type === 'message' && event.message?.type === 'text') {
    const text = event.message.text ?? '';
    const cmd = WORDS.get(text.normalize('NFKC').trim().toLowerCase());
    return cmd ? { cmd } : { text };
  }
  return null;
}

function at(ctx: HandleContext, state: ConversationState, step: Step, data: Data, messages: Msg[]): HandleResult {
  const flow: ActiveFlow = { name: 'community', step, data: { ...data }, updatedAt: ctx.now };
  return { state: { ...state, flow }, messages };
}

function end(state: ConversationState, messages: Msg[]): HandleResult {
  return { state: { ...state, flow: undefined }, messages };
}

/** The code question, saying at once when the step is locked. */
function askCode(ctx: HandleContext, state: ConversationState, before: string[] = []): HandleResult {
  const lock = codeLock(state.wrongInviteCodesAt, ctx.now);
  const note = lock.locked && before.length === 0 ? [t.lockedText(ctx.lang, lock.until)] : before;
  return at(ctx, { ...state, wrongInviteCodesAt: lock.times }, 'code', {}, [t.askCode(ctx.lang, note)]);
}

async function showMenu(ctx: HandleContext, state: ConversationState, userId: string): Promise<HandleResult> {
  const list = await membershipsOf(ctx.db, userId);
  if (list.length === 0) return askCode(ctx, state);
  return at(ctx, state, 'menu', {}, [t.menu(ctx.lang, list)]);
}

async function onCode(ctx: HandleContext, state: ConversationState, userId: string, text: string) {
  const lock = codeLock(state.wrongInviteCodesAt, ctx.now);
  const kept = { ...state, wrongInviteCodesAt: lock.times };
  // While locked every code is refused unread, valid or not, and the refusal is not counted again.
  if (lock.locked) return askCode(ctx, kept, [t.lockedText(ctx.lang, lock.until)]);
  const code = readAccessCode(text);
  const check = code
    ? await checkCode(ctx.db, userId, code, ctx.now)
    : ({ kind: 'refused', reason: 'unknown' } as const);
  if (check.kind === 'ok')
    return at(
      ctx,
      kept,
      'confirm',
      { inviteId: check.inviteId, communityId: check.communityId, name: check.name, parentName: check.parentName },
      [t.confirmJoin(ctx.lang, check.name, check.parentName)],
    );
  if (check.kind === 'already') return askCode(ctx, kept, [t.alreadyText(ctx.lang, check.name)]);
  const counted = { ...kept, wrongInviteCodesAt: [...lock.times, ctx.now] };
  const after = codeLock(counted.wrongInviteCodesAt, ctx.now);
  const words = [t.refusedText(ctx.lang, check.reason)];
  if (after.locked) words.push(t.lockedText(ctx.lang, after.until));
  return askCode(ctx, counted, words);
}

async function onConfirm(ctx: HandleContext, state: ConversationState, userId: string, data: Data, input: Input) {
  if (input && 'cmd' in input && input.cmd === 'no') return end(state, [t.declined(ctx.lang)]);
  if (!(input && 'cmd' in input && input.cmd === 'yes') || !data.inviteId || !data.communityId)
    return at(ctx, state, 'confirm', data, [
      t.hint(ctx.lang),
      t.confirmJoin(ctx.lang, data.name ?? '', data.parentName ?? null),
    ]);
  const result = await join(ctx.db, userId, data.inviteId, ctx.now);
  if (result === 'joined' || result === 'already')
    return at(ctx, state, 'name', { communityId: data.communityId, name: data.name }, [
      t.askName(ctx.lang, data.name ?? ''),
    ]);
  // Used up or revoked between the code and はい: the resident is back at the code step, not blamed for it.
  return askCode(ctx, state, [t.refusedText(ctx.lang, result)]);
}

async function onName(ctx: HandleContext, state: ConversationState, userId: string, data: Data, input: Input) {
  if (input && 'cmd' in input && input.cmd === 'skip') return end(state, [t.nameSkipped(ctx.lang)]);
  const shown = input && 'text' in input ? readDisplayName(input.text) : null;
  if (!shown || !data.communityId) return at(ctx, state, 'name', data, [t.nameHint(ctx.lang)]);
  await setDisplayName(ctx.db, userId, data.communityId, shown);
  return end(state, [t.nameSaved(ctx.lang, shown)]);
}

async function onMenu(ctx: HandleContext, state: ConversationState, userId: string, input: Input) {
  if (input && 'cmd' in input) {
    if (input.cmd === 'join') return askCode(ctx, state);
    if (input.cmd === 'close') return end(state, [t.closed(ctx.lang)]);
    if (input.cmd === 'leave' && input.id) {
      const m = (await membershipsOf(ctx.db, userId)).find((x) => x.communityId === input.id);
      if (!m) return end(state, [t.notMember(ctx.lang)]);
      return at(ctx, state, 'leave', { communityId: m.communityId, name: m.name }, [t.confirmLeave(ctx.lang, m.name)]);
    }
  }
  const list = await membershipsOf(ctx.db, userId);
  if (list.length === 0) return askCode(ctx, state);
  return at(ctx, state, 'menu', {}, [t.hint(ctx.lang), t.menu(ctx.lang, list)]);
}

async function onLeave(ctx: HandleContext, state: ConversationState, userId: string, data: Data, input: Input) {
  const cmd = input && 'cmd' in input ? input.cmd : null;
  if (cmd === 'no') return end(state, [t.stayed(ctx.lang)]);
  if (cmd !== 'yes' || !data.communityId)
    return at(ctx, state, 'leave', data, [t.hint(ctx.lang), t.confirmLeave(ctx.lang, data.name ?? '')]);
  // A retried はい finds the row gone and still answers that they have left.
  await leave(ctx.db, userId, data.communityId);
  return end(state, [t.left(ctx.lang, data.name ?? '')]);
}

export const communityFlow: Flow = {
  async start(ctx, state, entry) {
    const userId = ctx.resident?.lineUserId;
    if (!userId) return askCode(ctx, state);
    if (entry === 'join') return askCode(ctx, state);
    return showMenu(ctx, state, userId);
  },

  async onEvent(ctx, state, event) {
    const userId = event.source!.userId!;
    const step = state.flow.step as Step;
    const data = state.flow.data as Data;
    const input = inputOf(event);
    if (input && 'cmd' in input && input.cmd === 'cancel') return end(state, [t.cancelled(ctx.lang)]);
    switch (step) {
      case 'code':
        if (input && 'text' in input) return onCode(ctx, state, userId, input.text);
        return askCode(ctx, state);
      case 'confirm':
        return onConfirm(ctx, state, userId, data, input);
      case 'name':
        return onName(ctx, state, userId, data, input);
      case 'leave':
        return onLeave(ctx, state, userId, data, input);
      case 'menu':
        return onMenu(ctx, state, userId, input);
      default:
        // A step of an older version of the flow starts over rather than failing the event for good.
        return showMenu(ctx, state, userId);
    }
  },
};
