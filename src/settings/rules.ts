import type { Choice } from '../config';
import { LANGS, texts, type Lang } from '../i18n';
import { log } from '../http/log';
import { clipFor } from '../line/limits';

/**
 * The 設定 conversation as pure rules: which buttons each step offers, how a tap or a
 * typed word becomes a command, and where a command leads. The flow only does I/O.
 */

export type Step = 'menu' | 'ward' | 'interests' | 'language';
export type Field = Exclude<Step, 'menu'>;

/** What the resident is editing; saved to users only on 完了. */
export interface Draft {
  ward: string | null;
  interests: string[];
  language: Lang;
}

export interface Options {
  wards: Choice[];
  interests: Choice[];
}

export type Command =
  | { op: 'edit'; field: Field }
  | { op: 'ward'; value: string | null }
  | { op: 'interest'; value: string }
  | { op: 'language'; value: Lang }
  | { op: 'privacy' }
  | { op: 'back' }
  | { op: 'done' }
  | { op: 'cancel' };

export type Outcome =
  | { kind: 'ask'; step: Step; draft: Draft }
  | { kind: 'save'; draft: Draft }
  | { kind: 'cancel' }
  | { kind: 'invalid' }
  /** 個人情報: the resident's rights (privacy.ts), the unsaved draft kept for 戻る. */
  | { kind: 'privacy'; draft: Draft };

/** LINE: a quick reply holds at most 13 items, each label at most 20 characters. */
export const QUICK_REPLY_MAX = 13;
export const LABEL_MAX = 20;
/** Every list step also offers 戻る, 完了 and 中止; the ward step offers 指定しない too. */
export const MAX_WARDS = QUICK_REPLY_MAX - 4;
export const MAX_INTERESTS = QUICK_REPLY_MAX - 3;

export const LANGUAGES: readonly { value: Lang; label: string }[] = [
  { value: 'ja', label: '日本語' },
  { value: 'en', label: 'English' },
];

/**
 * The configured lists cut to what fits in one quick reply. A longer list is a
 * configuration mistake; the resident still gets a working question, and we log it.
 */
export function fitOptions(opts: Options): Options {
  if (opts.wards.length > MAX_WARDS || opts.interests.length > MAX_INTERESTS) {
    log.warn('settings lists longer than a quick reply holds; cut', {
      wards: opts.wards.length,
      interests: opts.interests.length,
    });
  }
  return { wards: opts.wards.slice(0, MAX_WARDS), interests: opts.interests.slice(0, MAX_INTERESTS) };
}

/**
 * The draft a resident starts from. Values no longer configured (an interest the city
 * removed) are dropped, so the menu never shows, and 完了 never saves, a stale choice.
 */
export function draftFrom(
  saved: { ward: string | null; interests: string[] | null; language: Lang },
  opts: Options,
): Draft {
  const wards = new Set(opts.wards.map((w) => w.name));
  const interests = new Set(saved.interests ?? []);
  return {
    ward: saved.ward !== null && wards.has(saved.ward) ? saved.ward : null,
    interests: opts.interests.map((i) => i.name).filter((n) => interests.has(n)),
    language: saved.language,
  };
}

/** Turns interest `value` on or off, keeping the configured order (stable for display and tests). */
export function toggleInterest(selected: string[], value: string, opts: Options): string[] {
  const next = new Set(selected);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return opts.interests.map((i) => i.name).filter((n) => next.has(n));
}

export function transition(step: Step, draft: Draft, cmd: Command, opts: Options): Outcome {
  if (cmd.op === 'done') return { kind: 'save', draft };
  if (cmd.op === 'cancel') return { kind: 'cancel' };
  switch (step) {
    case 'menu':
      if (cmd.op === 'privacy') return { kind: 'privacy', draft };
      return cmd.op === 'edit' ? { kind: 'ask', step: cmd.field, draft } : { kind: 'invalid' };
    case 'ward':
      if (cmd.op === 'back') return { kind: 'ask', step: 'menu', draft };
      if (cmd.op !== 'ward') return { kind: 'invalid' };
      if (cmd.value !== null && !opts.wards.some((w) => w.name === cmd.value)) return { kind: 'invalid' };
      return { kind: 'ask', step: 'menu', draft: { ...draft, ward: cmd.value } };
    case 'interests':
      if (cmd.op === 'back') return { kind: 'ask', step: 'menu', draft };
      if (cmd.op !== 'interest' || !opts.interests.some((i) => i.name === cmd.value)) return { kind: 'invalid' };
      // Toggling stays on the question, so several interests can be switched in a row.
      return {
        kind: 'ask',
        step: 'interests',
        draft: { ...draft, interests: toggleInterest(draft.interests, cmd.value, opts) },
      };
    case 'language':
      if (cmd.op === 'back') return { kind: 'ask', step: 'menu', draft };
      if (cmd.op !== 'language') return { kind: 'invalid' };
      return { kind: 'ask', step: 'menu', draft: { ...draft, language: cmd.value } };
  }
}

/** Cuts a label to LINE's limit, counting characters as LINE does for labels (graphemes). */
export function fitLabel(label: string, max = LABEL_MAX): string {
  return clipFor('action.label', label, max);
}

export interface Button {
  label: string;
  command: Command;
}

/**
 * The button words. They live with the rules rather than in texts.ts because a typed word
 * is matched against them (commandFromText), and texts.ts builds its questions on these rules.
 */
const WORDS = texts({
  ward: { ja: '区を変更', en: 'Ward' },
  interests: { ja: '関心分野を変更', en: 'Interests' },
  language: { ja: '言語を変更', en: 'Language' },
  privacy: { ja: '個人情報', en: 'Your data' },
  none: { ja: '指定しない', en: 'Not set' },
  back: { ja: '戻る', en: 'Back' },
  done: { ja: '完了', en: 'Done' },
  cancel: { ja: '中止', en: 'Cancel' },
});

/** A ward's or an interest's name in `lang`; the configuration gives each in both (config.ts). */
export function choiceName(c: Choice, lang: Lang): string {
  return lang === 'en' ? c.en : c.name;
}

/** The buttons a step offers, in the language `lang`. Text typed instead is matched against these. */
export function buttons(step: Step, draft: Draft, opts: Options, lang: Lang): Button[] {
  const tail: Button[] = [
    ...(step === 'menu' ? [] : [{ label: WORDS.back(lang), command: { op: 'back' } } as Button]),
    { label: WORDS.done(lang), command: { op: 'done' } },
    { label: WORDS.cancel(lang), command: { op: 'cancel' } },
  ];
  let head: Button[];
  switch (step) {
    case 'menu':
      head = [
        ...(['ward', 'interests', 'language'] as const).map((field): Button => ({
          label: WORDS[field](lang),
          command: { op: 'edit', field },
        })),
        { label: WORDS.privacy(lang), command: { op: 'privacy' } },
      ];
      break;
    case 'ward':
      head = [
        ...opts.wards.map((c): Button => ({ label: choiceName(c, lang), command: { op: 'ward', value: c.name } })),
        { label: WORDS.none(lang), command: { op: 'ward', value: null } },
      ];
      break;
    case 'interests':
      // The mark shows what is on; the quick reply is the only place a resident sees it at a glance.
      head = opts.interests.map((c) => ({
        label: `${draft.interests.includes(c.name) ? '✓ ' : ''}${choiceName(c, lang)}`,
        command: { op: 'interest', value: c.name },
      }));
      break;
    case 'language':
      head = LANGUAGES.map((l) => ({ label: l.label, command: { op: 'language', value: l.value } }));
      break;
  }
  return [...head, ...tail].map((b) => ({ ...b, label: fitLabel(b.label) }));
}

/** Full-width letters, case and spacing do not matter; neither does the ✓ of a label. */
export function normalize(text: string): string {
  return text.normalize('NFKC').replace(/^✓\s*/, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** A Map, because typed text indexes it (an object would find 「constructor」 on its prototype). */
const ALIASES: ReadonlyMap<string, Command> = new Map([
  ['キャンセル', { op: 'cancel' }],
  ['やめる', { op: 'cancel' }],
  ['終了', { op: 'done' }],
  ['保存', { op: 'done' }],
]);

/**
 * A typed word, matched against the labels of this step in both languages (a resident
 * may type what they see, or what they know). Null when nothing matches.
 */
export function commandFromText(text: string, step: Step, draft: Draft, opts: Options): Command | null {
  const t = normalize(text);
  if (!t) return null;
  for (const lang of LANGS) {
    for (const b of buttons(step, draft, opts, lang)) if (normalize(b.label) === t) return b.command;
  }
  // Names are matched in full too, in case a long label was cut.
  if (step === 'ward')
    for (const c of opts.wards)
      if (normalize(c.name) === t || normalize(c.en) === t) return { op: 'ward', value: c.name };
  if (step === 'interests')
    for (const c of opts.interests)
      if (normalize(c.name) === t || normalize(c.en) === t) return { op: 'interest', value: c.name };
  return ALIASES.get(t) ?? null;
}

/** The postback a button carries. `action=settings` sends it to this flow; handle.ts starts nothing with it. */
export function commandToData(cmd: Command): string {
  const p = new URLSearchParams({ action: 'settings', op: cmd.op });
  if (cmd.op === 'edit') p.set('field', cmd.field);
  if (cmd.op === 'ward') p.set('v', cmd.value ?? '');
  if (cmd.op === 'interest' || cmd.op === 'language') p.set('v', cmd.value);
  return p.toString();
}

const FIELDS: ReadonlySet<string> = new Set<Field>(['ward', 'interests', 'language']);

/** Reads a postback back into a command; anything malformed is null (the resident gets the hint). */
export function commandFromData(data: Record<string, string>): Command | null {
  if (data.action !== 'settings') return null;
  switch (data.op) {
    case 'edit':
      return data.field && FIELDS.has(data.field) ? { op: 'edit', field: data.field as Field } : null;
    case 'ward':
      return data.v === undefined ? null : { op: 'ward', value: data.v === '' ? null : data.v };
    case 'interest':
      return data.v ? { op: 'interest', value: data.v } : null;
    case 'language':
      return data.v === 'ja' || data.v === 'en' ? { op: 'language', value: data.v } : null;
    case 'privacy':
    case 'back':
    case 'done':
    case 'cancel':
      return { op: data.op };
    default:
      return null;
  }
}
