/**
 * How long a string is for LINE, property by property, as LINE's "Character counting in a text"
 * documents it (https://developers.line.biz/en/docs/messaging-api/text-character-count/):
 * text is counted in UTF-16 code units (🍎 is 2 of a text message's 5,000), except the
 * properties below, which are counted in grapheme clusters (👨‍👩‍👧 is 1 of a label's 20).
 * Every validator of ours and the fake LINE platform count through here, so they cannot disagree.
 */

export type Unit = 'utf16' | 'graphemes';

/** The properties LINE counts in grapheme clusters (the page's table). */
const GRAPHEME_PROPERTIES = {
  'action.label': true,
  'action.text': true,
  'action.displayText': true,
  'action.fillInText': true,
  'template.text': true,
  'template.title': true,
  'richMenu.name': true,
  'richMenu.chatBarText': true,
} as const;

export type GraphemeProperty = keyof typeof GRAPHEME_PROPERTIES;
/** A property LINE counts in UTF-16 code units ("text" for a text message's text). */
export type Utf16Property =
  'text' | 'altText' | 'action.data' | 'action.uri' | 'location.title' | 'location.address' | 'sender.name';
export type LineProperty = GraphemeProperty | Utf16Property;

export function unitOf(property: LineProperty): Unit {
  return property in GRAPHEME_PROPERTIES ? 'graphemes' : 'utf16';
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Length in `unit`: UTF-16 code units as LINE counts text, or grapheme clusters as a person sees characters. */
export function countIn(s: string, unit: Unit): number {
  if (unit === 'utf16') return s.length;
  let n = 0;
  for (const _ of segmenter.segment(s)) n += 1;
  return n;
}

/** The length of `s` as LINE counts `property`. */
export function lineLength(property: LineProperty, s: string): number {
  return countIn(s, unitOf(property));
}

/**
 * `s` cut to at most `max` in `unit`, `tail` included, at a grapheme boundary (never half an
 * emoji or a letter without its accent); unchanged when it fits.
 */
export function clip(s: string, max: number, unit: Unit, tail = '…'): string {
  if (countIn(s, unit) <= max) return s;
  const room = max - countIn(tail, unit);
  let out = '';
  let used = 0;
  // Segmented lazily: a 100,000-character string cut to 500 is read only as far as the cut.
  for (const { segment: g } of segmenter.segment(s)) {
    const n = unit === 'utf16' ? g.length : 1;
    if (used + n > room) break;
    out += g;
    used += n;
  }
  return out + tail;
}

/** `s` cut to LINE's limit `max` for `property`. */
export function clipFor(property: LineProperty, s: string, max: number, tail = '…'): string {
  return clip(s, max, unitOf(property), tail);
}

/** LINE's limits that our own answers run into (the Messaging API reference). */
export const LINE_LIMITS = {
  messagesPerRequest: 5,
  textChars: 5000,
  altTextChars: 400,
  quickReplyItems: 13,
  labelChars: 20,
  displayTextChars: 300,
  buttonsTextChars: 160,
  /** A buttons template with an image or a title. */
  buttonsTextCharsWithTitle: 60,
  buttonsTitleChars: 40,
  confirmTextChars: 240,
} as const;
