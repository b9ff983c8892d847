/**
 * The languages residents read. Japanese first; a resident whose LINE language is English
 * reads English where a translation exists.
 *
 * How a capability adds its texts: its `texts.ts` declares them with `texts()`, each key a
 * text in both languages side by side, so a missing translation or one that takes other
 * parameters fails the typecheck rather than reaching a resident:
 *
 *   const T = texts({
 *     cancel: { ja: '中止', en: 'Cancel' },
 *     received: { ja: (n: string) => `受付番号：${n}`, en: (n: string) => `Number: ${n}` },
 *   });
 *   T.cancel(lang);               // '中止' or 'Cancel'
 *   T.received(lang, 'R-2026-1'); // the parameters are those of the Japanese text
 *
 * The same file builds the LINE messages (`Msg`, src/line/messages.ts) from its tables; flows
 * call those builders or `T` and hold no text of their own. Names that come from data in
 * both languages (wards in config, categories in D1) are picked by one small function,
 * e.g. `categoryName(lang, c)` in src/reports/texts.ts.
 */

export const LANGS = ['ja', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** A LINE profile's language tag (`en`, `en-US`, …) as the language we answer in; anything else is Japanese. */
export function langOf(language: string | null | undefined): Lang {
  return language?.toLowerCase().startsWith('en') ? 'en' : 'ja';
}

/** One text in both languages: two strings, or two functions of the same parameters. */
type Text = { ja: string; en: string } | { ja: (...args: never[]) => string; en: (...args: never[]) => string };

/** English must take what Japanese takes (it may leave a parameter unused), and a string pairs with a string. */
type SameParameters<T> = {
  [K in keyof T]: T[K] extends { ja: (...args: infer A) => string } ? { en: (...args: A) => string } : { en: string };
};

type Lookup<T extends Text> = T extends { ja: (...args: infer A) => string }
  ? (lang: Lang, ...args: A) => string
  : (lang: Lang) => string;

/** A capability's table of texts, each key turned into `(lang, ...parameters) => string`. */
export function texts<T extends Record<string, Text>>(table: T & SameParameters<T>): { [K in keyof T]: Lookup<T[K]> } {
  const out: Record<string, (lang: Lang, ...args: never[]) => string> = {};
  for (const [key, text] of Object.entries<Text>(table)) {
    out[key] = (lang, ...args) => {
      const t = text[lang];
      return typeof t === 'function' ? t(...args) : t;
    };
  }
  return out as { [K in keyof T]: Lookup<T[K]> };
}
