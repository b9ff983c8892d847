import type { messagingApi } from '@line/bot-sdk';
import { jstText } from '../calendar/jst';
import { texts, type Lang } from '../i18n';
import { clipFor, LINE_LIMITS } from '../line/limits';
import type { Msg } from '../line/messages';
import type { Membership, Refusal } from './join';
import { DISPLAY_NAME_MAX } from './rules';

/** What residents read in 町内会. Japanese first; English where the resident's LINE is English. */

type Item = messagingApi.QuickReplyItem;

export type Command = 'join' | 'leave' | 'yes' | 'no' | 'skip' | 'cancel' | 'close';

/** Postback data of the flow's buttons; `id` names the association a 退会 button is for. */
export function pb(cmd: Command, id?: string): string {
  return `action=community&cmd=${cmd}${id ? `&id=${encodeURIComponent(id)}` : ''}`;
}

const T = texts({
  askCode: {
    ja: '町内会の招待コード（8文字）を入力してください。コードは町内会の役員からお受け取りください。',
    en: 'Please type the invite code of your community association (8 characters). Your association’s leaders hand it out.',
  },
  menu: {
    ja: (list: string) =>
      `参加している町内会\n${list}\n\n別の町内会に参加するときは「参加」を、退会するときは「退会」のボタンを押してください。`,
    en: (list: string) =>
      `Your community associations\n${list}\n\nTo join another, tap "Join". To leave one, tap its "Leave" button.`,
  },
  menuItem: {
    ja: (name: string, parent: string | null, shown: string | null) =>
      `・${name}${parent ? `（${parent}）` : ''}${shown ? `\n　表示名：${shown}` : ''}`,
    en: (name: string, parent: string | null, shown: string | null) =>
      `・${name}${parent ? ` (${parent})` : ''}${shown ? `\n  Shown as: ${shown}` : ''}`,
  },
  joinButton: { ja: '参加', en: 'Join' },
  leaveButton: { ja: (name: string) => `退会：${name}`, en: (name: string) => `Leave: ${name}` },
  close: { ja: '閉じる', en: 'Close' },
  closed: { ja: '町内会のメニューを閉じました。', en: 'Closed the community association menu.' },
  yes: { ja: 'はい', en: 'Yes' },
  no: { ja: 'いいえ', en: 'No' },
  skip: { ja: 'スキップ', en: 'Skip' },
  cancel: { ja: '中止', en: 'Cancel' },
  confirmJoin: {
    ja: (name: string, parent: string | null) =>
      `「${name}」${parent ? `（${parent}）` : ''}に参加しますか？\n参加すると、この町内会からのお知らせがこのLINEに届きます。`,
    en: (name: string, parent: string | null) =>
      `Join “${name}”${parent ? ` (part of ${parent})` : ''}?\nYou will then receive its news in this chat.`,
  },
  askName: {
    ja: (name: string) =>
      `「${name}」に参加しました。\n\n町内会の役員に表示するお名前を${DISPLAY_NAME_MAX}文字以内で入力してください（例：3班 山田）。表示しない場合は「スキップ」を押してください。LINEの名前が役員に伝わることはありません。`,
    en: (name: string) =>
      `You have joined “${name}”.\n\nType the name your association’s leaders should see (up to ${DISPLAY_NAME_MAX} characters), or tap "Skip". Your LINE name is never shown to them.`,
  },
  nameHint: {
    ja: `お名前は1〜${DISPLAY_NAME_MAX}文字で入力してください。表示しない場合は「スキップ」を押してください。`,
    en: `Please type a name of 1 to ${DISPLAY_NAME_MAX} characters, or tap "Skip".`,
  },
  nameSaved: {
    ja: (shown: string) => `役員には「${shown}」と表示されます。\n参加している町内会は「町内会」と送ると確認できます。`,
    en: (shown: string) => `Your leaders will see “${shown}”.\nSend "町内会" to see your associations.`,
  },
  nameSkipped: {
    ja: '表示名なしで参加しました。\n参加している町内会は「町内会」と送ると確認できます。',
    en: 'You joined without a name shown to the leaders.\nSend "町内会" to see your associations.',
  },
  declined: { ja: '参加を取りやめました。', en: 'You did not join.' },
  already: {
    ja: (name: string) => `すでに「${name}」に参加しています。別の町内会のコードがあれば入力してください。`,
    en: (name: string) => `You are already a member of “${name}”. If you have a code for another association, type it.`,
  },
  unknown: {
    ja: 'このコードは見つかりませんでした。入力に誤りがないかご確認のうえ、もう一度入力してください。',
    en: 'We could not find this code. Please check it and type it again.',
  },
  expired: {
    ja: 'このコードは有効期限が切れています。町内会の役員に新しいコードをお尋ねください。別のコードがあれば入力してください。',
    en: 'This code has expired. Please ask your association’s leaders for a new one, or type another code.',
  },
  revoked: {
    ja: 'このコードは使えなくなっています。町内会の役員に新しいコードをお尋ねください。別のコードがあれば入力してください。',
    en: 'This code is no longer valid. Please ask your association’s leaders for a new one, or type another code.',
  },
  usedUp: {
    ja: 'このコードは利用できる人数に達しています。町内会の役員に新しいコードをお尋ねください。別のコードがあれば入力してください。',
    en: 'This code has been used as many times as it allows. Please ask your association’s leaders for a new one, or type another code.',
  },
  locked: {
    ja: (until: string) =>
      `誤ったコードの入力が続いたため、コードの受付を一時停止しています。${until}以降にもう一度お試しください。`,
    en: (until: string) => `Too many wrong codes were typed. Please try again after ${until} (Japan time).`,
  },
  confirmLeave: {
    ja: (name: string) => `「${name}」を退会しますか？`,
    en: (name: string) => `Leave “${name}”?`,
  },
  left: {
    ja: (name: string) =>
      `「${name}」を退会しました。今後この町内会からのお知らせは届きません。もう一度参加するときは、招待コードをお使いください。`,
    en: (name: string) =>
      `You have left “${name}” and will receive nothing more from it. To join again, use an invite code.`,
  },
  stayed: { ja: '退会を取りやめました。', en: 'You are still a member.' },
  notMember: {
    ja: 'この町内会にはすでに参加していません。',
    en: 'You are no longer a member of this association.',
  },
  cancelled: { ja: '町内会の手続きを中止しました。', en: 'Stopped.' },
  hint: { ja: '下のボタンから選んでください。', en: 'Please choose one of the buttons below.' },
});

function label(s: string): string {
  return clipFor('action.label', s, LINE_LIMITS.labelChars);
}

function button(text: string, data: string): Item {
  return {
    type: 'action',
    action: {
      type: 'postback',
      label: label(text),
      data,
      displayText: clipFor('action.displayText', text, LINE_LIMITS.displayTextChars),
    },
  };
}

function ask(text: string, items: Item[]): Msg {
  return { type: 'text', text: clipFor('text', text, LINE_LIMITS.textChars), quickReply: { items } };
}

const plain = (text: string): Msg => ({ type: 'text', text: clipFor('text', text, LINE_LIMITS.textChars) });

export const askCode = (lang: Lang, before: string[] = []): Msg =>
  ask([...before, T.askCode(lang)].join('\n\n'), [button(T.cancel(lang), pb('cancel'))]);

/** At most 11 退会 buttons beside 参加 and 閉じる, within LINE's 13 quick-reply items. */
export function menu(lang: Lang, list: Membership[]): Msg {
  const lines = list.map((m) => T.menuItem(lang, m.name, m.parentName, m.displayName)).join('\n');
  const leaves = list.slice(0, 11).map((m) => button(T.leaveButton(lang, m.name), pb('leave', m.communityId)));
  return ask(T.menu(lang, lines), [
    button(T.joinButton(lang), pb('join')),
    ...leaves,
    button(T.close(lang), pb('close')),
  ]);
}

const yesNo = (lang: Lang) => [button(T.yes(lang), pb('yes')), button(T.no(lang), pb('no'))];

export const confirmJoin = (lang: Lang, name: string, parent: string | null) =>
  ask(T.confirmJoin(lang, name, parent), yesNo(lang));
export const askName = (lang: Lang, name: string) => ask(T.askName(lang, name), [button(T.skip(lang), pb('skip'))]);
export const nameHint = (lang: Lang) => ask(T.nameHint(lang), [button(T.skip(lang), pb('skip'))]);
export const nameSaved = (lang: Lang, shown: string) => plain(T.nameSaved(lang, shown));
export const nameSkipped = (lang: Lang) => plain(T.nameSkipped(lang));
export const declined = (lang: Lang) => plain(T.declined(lang));
export const confirmLeave = (lang: Lang, name: string) => ask(T.confirmLeave(lang, name), yesNo(lang));
export const left = (lang: Lang, name: string) => plain(T.left(lang, name));
export const stayed = (lang: Lang) => plain(T.stayed(lang));
export const notMember = (lang: Lang) => plain(T.notMember(lang));
export const cancelled = (lang: Lang) => plain(T.cancelled(lang));
export const closed = (lang: Lang) => plain(T.closed(lang));
export const hint = (lang: Lang) => plain(T.hint(lang));

/** Why a code was refused, then the question again: the resident stays at the code step. */
export function refusedText(lang: Lang, reason: Refusal): string {
  switch (reason) {
    case 'unknown':
      return T.unknown(lang);
    case 'expired':
      return T.expired(lang);
    case 'revoked':
      return T.revoked(lang);
    case 'used_up':
      return T.usedUp(lang);
  }
}

export const alreadyText = (lang: Lang, name: string) => T.already(lang, name);

/** Rounded up to the minute, so "after 10:05" is never a minute too early. */
export function lockedText(lang: Lang, until: number): string {
  return T.locked(lang, jstText(Math.ceil(until / 60_000) * 60_000));
}
