import type { Choice } from '../config';
import { jstText } from '../calendar/jst';
import { texts, type Lang } from '../i18n';
import { clipFor, LINE_LIMITS } from '../line/limits';
import type { Msg } from '../line/messages';
import { statusName } from '../reports/texts';
import type { ResidentSummary } from '../residents/summary';

/** What residents read under 設定 → 個人情報, in Japanese and English. */

const T = texts({
  menu: {
    ja:
      '個人情報\n' +
      '・登録内容の確認：市が保有しているあなたの情報を表示します。\n' +
      '・データの削除：設定、同意の記録、お子さまや町内会の登録を削除します。通報は市の業務のため残りますが、あなたとのつながりは消えます。\n' +
      '・同意の撤回：利用規約への同意を撤回します。同意が必要なサービスは、再び同意するまで使えなくなります。',
    en:
      'Your data\n' +
      '・Your records: what the city holds about you.\n' +
      '・Delete my data: your settings, consent records, children and associations are deleted. Your reports stay for the city’s work but are no longer linked to you.\n' +
      '・Withdraw consent: services that need the terms stop until you accept them again.',
  },
  summaryLabel: { ja: '登録内容の確認', en: 'Your records' },
  deleteLabel: { ja: 'データの削除', en: 'Delete my data' },
  withdrawLabel: { ja: '同意の撤回', en: 'Withdraw consent' },
  back: { ja: '戻る', en: 'Back' },
  cancel: { ja: 'やめる', en: 'Cancel' },
  deleteYes: { ja: '削除する', en: 'Delete' },
  withdrawYes: { ja: '撤回する', en: 'Withdraw' },
  deleteQuestion: {
    ja: '削除しますか？\n設定、利用規約への同意の記録、お子さまと町内会の登録、会話の途中の内容が削除されます。元に戻すことはできません。',
    en: 'Delete your data? Your settings, consent records, children, associations and any unfinished entry are deleted. This cannot be undone.',
  },
  deleted: {
    ja: '削除しました。\n次にサービスをご利用になるときは、あらためて利用規約への同意をお願いします。',
    en: 'Your data has been deleted. When you next use a service, you will be asked to accept the terms again.',
  },
  withdrawQuestion: {
    ja: '利用規約への同意を撤回しますか？\n通報、欠席連絡、町内会は、再び同意するまでご利用いただけなくなります。市からのお知らせは引き続き届きます。',
    en: 'Withdraw your consent to the terms? Reports, absence notices and associations stop until you accept again. City news still reaches you.',
  },
  withdrawn: {
    ja: '利用規約への同意を撤回しました。サービスをご利用になるときは、あらためて同意をお願いします。',
    en: 'Your consent has been withdrawn. You will be asked again when you next use a service.',
  },
  nothingToWithdraw: {
    ja: '現在、同意している利用規約はありません。',
    en: 'You have not accepted the terms, so there is nothing to withdraw.',
  },
  stopped: { ja: '中止しました。何も変更していません。', en: 'Stopped. Nothing was changed.' },
  hint: { ja: '下のボタンから選んでください。', en: 'Please choose one of the buttons below.' },
  heading: { ja: '【登録内容の確認】', en: '[Your records]' },
  settings: {
    ja: (ward: string, interests: string, language: string) =>
      `■設定\n・お住まいの区：${ward}\n・関心のある分野：${interests}\n・言語：${language}`,
    en: (ward: string, interests: string, language: string) =>
      `■Settings\n・Ward: ${ward}\n・Interests: ${interests}\n・Language: ${language}`,
  },
  consent: {
    ja: (version: string, at: string) => `■利用規約への同意\n・${version}版（${at} に同意）`,
    en: (version: string, at: string) => `■Terms of use\n・version ${version} (accepted ${at})`,
  },
  noConsent: { ja: '■利用規約への同意\n・なし', en: '■Terms of use\n・not accepted' },
  reports: { ja: '■通報', en: '■Reports' },
  supported: { ja: '（賛同）', en: ' (supported)' },
  moreReports: { ja: (n: number) => `・ほか${n}件`, en: (n: number) => `・and ${n} more` },
  children: { ja: '■お子さま（欠席連絡）', en: '■Children (absence notices)' },
  communities: { ja: '■町内会', en: '■Community associations' },
  shownAs: { ja: (name: string) => `（表示名：${name}）`, en: (name: string) => ` (shown as ${name})` },
  none: { ja: '・なし', en: '・none' },
  notSet: { ja: '未設定', en: 'not set' },
  noneInline: { ja: 'なし', en: 'none' },
  separator: { ja: '、', en: ', ' },
});

export type PrivacyOp = 'summary' | 'delete' | 'withdraw' | 'confirm' | 'back' | 'cancel';

/** The postback of a privacy button; `action=privacy` sends it to the settings flow. */
export function privacyData(op: PrivacyOp): string {
  return `action=privacy&op=${op}`;
}

function quick(text: string, items: { label: string; op: PrivacyOp }[]): Msg {
  return {
    type: 'text',
    text,
    quickReply: {
      items: items.map((b) => ({
        type: 'action',
        action: {
          type: 'postback',
          label: clipFor('action.label', b.label, LINE_LIMITS.labelChars),
          data: privacyData(b.op),
          displayText: b.label,
        },
      })),
    },
  };
}

/** Button words per op in both languages, so a typed word finds its op. */
export function privacyLabels(lang: Lang): Record<Exclude<PrivacyOp, 'confirm'>, string> & {
  deleteYes: string;
  withdrawYes: string;
} {
  return {
    summary: T.summaryLabel(lang),
    delete: T.deleteLabel(lang),
    withdraw: T.withdrawLabel(lang),
    back: T.back(lang),
    cancel: T.cancel(lang),
    deleteYes: T.deleteYes(lang),
    withdrawYes: T.withdrawYes(lang),
  };
}

export function privacyMenu(lang: Lang): Msg {
  const l = privacyLabels(lang);
  return quick(T.menu(lang), [
    { label: l.summary, op: 'summary' },
    { label: l.delete, op: 'delete' },
    { label: l.withdraw, op: 'withdraw' },
    { label: l.back, op: 'back' },
    { label: l.cancel, op: 'cancel' },
  ]);
}

export function confirmDelete(lang: Lang): Msg {
  return quick(T.deleteQuestion(lang), [
    { label: T.deleteYes(lang), op: 'confirm' },
    { label: T.cancel(lang), op: 'cancel' },
  ]);
}

export function confirmWithdraw(lang: Lang): Msg {
  return quick(T.withdrawQuestion(lang), [
    { label: T.withdrawYes(lang), op: 'confirm' },
    { label: T.cancel(lang), op: 'cancel' },
  ]);
}

const plain = (text: string): Msg => ({ type: 'text', text });

export const deleted = (lang: Lang) => plain(T.deleted(lang));
export const withdrawn = (lang: Lang) => plain(T.withdrawn(lang));
export const nothingToWithdraw = (lang: Lang) => plain(T.nothingToWithdraw(lang));
export const stopped = (lang: Lang) => plain(T.stopped(lang));
export const hint = (lang: Lang) => plain(T.hint(lang));

function choiceName(list: Choice[], value: string, lang: Lang): string {
  const c = list.find((x) => x.name === value);
  return c && lang === 'en' ? c.en : value;
}

const LANGUAGE_NAMES: Record<string, string> = { ja: '日本語', en: 'English' };

/**
 * 登録内容の確認 in two messages: what the resident chose and agreed to, then what they
 * sent and are linked to. Each is kept within LINE's text limit.
 */
export function summaryMessages(
  s: ResidentSummary & { moreReports: number },
  opts: { wards: Choice[]; interests: Choice[] },
  lang: Lang,
): Msg[] {
  const sep = T.separator(lang);
  const ward = s.ward ? choiceName(opts.wards, s.ward, lang) : T.notSet(lang);
  const interests = s.interests.length
    ? s.interests.map((i) => choiceName(opts.interests, i, lang)).join(sep)
    : T.noneInline(lang);
  const language = s.language ? (LANGUAGE_NAMES[s.language] ?? s.language) : T.notSet(lang);
  const first = [
    T.heading(lang),
    T.settings(lang, ward, interests, language),
    s.consent ? T.consent(lang, s.consent.version, jstText(s.consent.at)) : T.noConsent(lang),
  ].join('\n');
  const list = (lines: string[]) => (lines.length ? lines : [T.none(lang)]);
  const second = [
    T.reports(lang),
    ...list([
      ...s.reports.map((r) => `・${r.number}：${statusName(lang, r.status)}${r.supported ? T.supported(lang) : ''}`),
      ...(s.moreReports ? [T.moreReports(lang, s.moreReports)] : []),
    ]),
    T.children(lang),
    ...list(s.children.map((c) => `・${c.name}（${c.school}）`)),
    T.communities(lang),
    ...list(s.communities.map((c) => `・${c.name}${c.displayName ? T.shownAs(lang, c.displayName) : ''}`)),
  ].join('\n');
  return [first, second].map((text) => plain(clipFor('text', text, LINE_LIMITS.textChars)));
}
