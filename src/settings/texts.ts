import { texts, type Lang } from '../i18n';
import type { Msg } from '../line/messages';
import { buttons, choiceName, commandToData, LANGUAGES, type Draft, type Options, type Step } from './rules';

/** What residents read in 設定, in Japanese and English. */

const T = texts({
  notSet: { ja: '未設定', en: 'not set' },
  none: { ja: 'なし', en: 'none' },
  listSeparator: { ja: '、', en: ', ' },
  summary: {
    ja: (ward: string, interests: string, language: string) =>
      `・お住まいの区：${ward}\n・関心のある分野：${interests}\n・言語：${language}`,
    en: (ward: string, interests: string, language: string) =>
      `・Ward: ${ward}\n・Interests: ${interests}\n・Language: ${language}`,
  },
  menu: {
    ja: (summary: string) =>
      `設定\n${summary}\n\n変更する項目を選んでください。「完了」で保存し、「中止」で変更を取り消します。`,
    en: (summary: string) =>
      `Settings\n${summary}\n\nChoose what to change. "Done" saves, "Cancel" discards the changes.`,
  },
  ward: { ja: 'お住まいの区を選んでください。', en: 'Which ward do you live in?' },
  interests: {
    ja: (selected: string) =>
      `受け取りたい情報の分野を選んでください。押すたびに選択（✓）と解除が切り替わります。いくつでも選べます。\n選択中：${selected}`,
    en: (selected: string) =>
      `Choose the topics you want to hear about. Each tap turns one on (✓) or off; choose as many as you like.\nSelected: ${selected}`,
  },
  language: { ja: '表示する言語を選んでください。', en: 'Which language should this account use with you?' },
  hint: { ja: '下のボタンから選んでください。', en: 'Please choose one of the buttons below.' },
  saved: {
    ja: (summary: string) =>
      `設定を保存しました。\n${summary}\n\n区と関心のある分野は、市からのお知らせをお届けする相手を選ぶときに使います。変更は「設定」と送るか、メニューからどうぞ。`,
    en: (summary: string) =>
      `Your settings have been saved.\n${summary}\n\nYour ward and interests are used to choose who receives news from the city. To change them, send "設定" or use the menu.`,
  },
  cancelled: { ja: '設定の変更を中止しました。設定は変わっていません。', en: 'Settings were not changed.' },
});

function nameOf(list: Options['wards'], value: string, lang: Lang): string {
  const c = list.find((x) => x.name === value);
  return c ? choiceName(c, lang) : value;
}

function interestList(draft: Draft, opts: Options, lang: Lang): string {
  const names = draft.interests.map((i) => nameOf(opts.interests, i, lang));
  return names.length ? names.join(T.listSeparator(lang)) : T.none(lang);
}

/** The current choices, one per line, e.g. `・お住まいの区：北区`. */
export function summary(draft: Draft, opts: Options, lang: Lang): string {
  const ward = draft.ward ? nameOf(opts.wards, draft.ward, lang) : T.notSet(lang);
  const language = LANGUAGES.find((l) => l.value === draft.language)!.label;
  return T.summary(lang, ward, interestList(draft, opts, lang), language);
}

function questionText(step: Step, draft: Draft, opts: Options, lang: Lang): string {
  switch (step) {
    case 'menu':
      return T.menu(lang, summary(draft, opts, lang));
    case 'ward':
      return T.ward(lang);
    case 'interests':
      return T.interests(lang, interestList(draft, opts, lang));
    case 'language':
      return T.language(lang);
  }
}

/** The question of a step with its buttons as a quick reply, in the draft's language. */
export function question(step: Step, draft: Draft, opts: Options): Msg {
  const lang = draft.language;
  return {
    type: 'text',
    text: questionText(step, draft, opts, lang),
    quickReply: {
      items: buttons(step, draft, opts, lang).map((b) => ({
        type: 'action',
        // displayText puts the tap in the chat as the resident's own words, so the history reads naturally.
        action: { type: 'postback', label: b.label, data: commandToData(b.command), displayText: b.label },
      })),
    },
  };
}

export function hint(lang: Lang): Msg {
  return { type: 'text', text: T.hint(lang) };
}

export function saved(draft: Draft, opts: Options): Msg {
  const lang = draft.language;
  return { type: 'text', text: T.saved(lang, summary(draft, opts, lang)) };
}

export function cancelled(lang: Lang): Msg {
  return { type: 'text', text: T.cancelled(lang) };
}
