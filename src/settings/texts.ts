import type { Lang } from '../i18n';
import type { Msg } from '../line/messages';
import { buttons, commandToData, LANGUAGES, type Draft, type Options, type Step } from './rules';

/** What residents read in 設定, in Japanese and English. */

function nameOf(list: Options['wards'], value: string, lang: Lang): string {
  const c = list.find((x) => x.name === value);
  return c ? (lang === 'en' ? c.en : c.name) : value;
}

/** The current choices, one per line, e.g. `・お住まいの区：北区`. */
export function summary(draft: Draft, opts: Options, lang: Lang): string {
  const ward = draft.ward ? nameOf(opts.wards, draft.ward, lang) : lang === 'en' ? 'not set' : '未設定';
  const interests = draft.interests.length
    ? draft.interests.map((i) => nameOf(opts.interests, i, lang)).join(lang === 'en' ? ', ' : '、')
    : lang === 'en'
      ? 'none'
      : 'なし';
  const language = LANGUAGES.find((l) => l.value === draft.language)!.label;
  return lang === 'en'
    ? `・Ward: ${ward}\n・Interests: ${interests}\n・Language: ${language}`
    : `・お住まいの区：${ward}\n・関心のある分野：${interests}\n・言語：${language}`;
}

function questionText(step: Step, draft: Draft, opts: Options, lang: Lang): string {
  const en = lang === 'en';
  switch (step) {
    case 'menu':
      return en
        ? `Settings\n${summary(draft, opts, lang)}\n\nChoose what to change. "Done" saves, "Cancel" discards the changes.`
        : `設定\n${summary(draft, opts, lang)}\n\n変更する項目を選んでください。「完了」で保存し、「中止」で変更を取り消します。`;
    case 'ward':
      return en ? 'Which ward do you live in?' : 'お住まいの区を選んでください。';
    case 'interests': {
      const on = draft.interests.map((i) => nameOf(opts.interests, i, lang));
      const now = on.length ? on.join(en ? ', ' : '、') : en ? 'none' : 'なし';
      return en
        ? `Choose the topics you want to hear about. Each tap turns one on (✓) or off; choose as many as you like.\nSelected: ${now}`
        : `受け取りたい情報の分野を選んでください。押すたびに選択（✓）と解除が切り替わります。いくつでも選べます。\n選択中：${now}`;
    }
    case 'language':
      return en ? 'Which language should this account use with you?' : '表示する言語を選んでください。';
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
  return {
    type: 'text',
    text: lang === 'en' ? 'Please choose one of the buttons below.' : '下のボタンから選んでください。',
  };
}

export function saved(draft: Draft, opts: Options): Msg {
  const lang = draft.language;
  return {
    type: 'text',
    text:
      lang === 'en'
        ? `Your settings have been saved.\n${summary(draft, opts, lang)}\n\nYour ward and interests are used to choose who receives news from the city. To change them, send "設定" or use the menu.`
        : `設定を保存しました。\n${summary(draft, opts, lang)}\n\n区と関心のある分野は、市からのお知らせをお届けする相手を選ぶときに使います。変更は「設定」と送るか、メニューからどうぞ。`,
  };
}

export function cancelled(lang: Lang): Msg {
  return {
    type: 'text',
    text: lang === 'en' ? 'Settings were not changed.' : '設定の変更を中止しました。設定は変わっていません。',
  };
}
