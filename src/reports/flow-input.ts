import { parsePostback } from '../conversation/rules';
import type { Lang } from '../i18n';
import type { LineEvent } from '../line/events';
import type { Category } from './catalog';
import { clipResidentText, MAX_ADDRESS_CHARS, MAX_LOCATION_TITLE_CHARS } from './rules';
import { categoryName } from './texts';

/**
 * The report flow's reading of what a resident sent: one shape for a button, a typed word,
 * a location, a photo or anything else, and what a tap or a typed label chose. Resident input
 * is clipped here, before anything stores it.
 */

/** What the resident did, in one shape: a button (postback), a text, a location, an image, or something else. */
export type Input =
  | { kind: 'choice'; step: string; v: string }
  | { kind: 'text'; text: string }
  | { kind: 'location'; lat: number; lng: number; address: string | null; title: string | null }
  | { kind: 'image'; id: string; provider: string }
  | { kind: 'other' };

export function inputOf(event: LineEvent): Input {
  if (event.type === 'postback') {
    const d = parsePostback(event.postback?.data ?? '');
    if (d.action === 'report' && d.v !== undefined) return { kind: 'choice', step: d.step ?? '', v: d.v };
    return { kind: 'other' };
  }
  const m = event.message;
  if (event.type !== 'message' || !m) return { kind: 'other' };
  if (m.type === 'text') return { kind: 'text', text: (m.text ?? '').trim() };
  if (m.type === 'location' && typeof m.latitude === 'number' && typeof m.longitude === 'number') {
    return {
      kind: 'location',
      lat: m.latitude,
      lng: m.longitude,
      address: clipResidentText(m.address, MAX_ADDRESS_CHARS),
      title: clipResidentText(m.title, MAX_LOCATION_TITLE_CHARS),
    };
  }
  if (m.type === 'image') return { kind: 'image', id: m.id, provider: m.contentProvider?.type ?? 'line' };
  return { kind: 'other' };
}

/** What the resident chose: the button they tapped, or a button's label they typed instead. */
export function answer(input: Input, options: { label: string; v: string }[]): string | null {
  return input.kind === 'choice' ? input.v : typedChoice(input, options);
}

export function typedChoice(input: Input, options: { label: string; v: string }[]): string | null {
  if (input.kind !== 'text') return null;
  return options.find((o) => o.label === input.text)?.v ?? null;
}

/**
 * The category (or subtype) the resident tapped, or typed by its name in their language.
 * `code` without `picked`: a button of a category retired since it was shown.
 */
export function pickCategory(input: Input, l: Lang, list: Category[]): { code: string | null; picked?: Category } {
  const code = answer(
    input,
    list.map((c) => ({ label: categoryName(l, c), v: c.code })),
  );
  return { code, picked: list.find((c) => c.code === code) };
}

export const isCancel = (input: Input) =>
  (input.kind === 'choice' && input.v === 'cancel') ||
  (input.kind === 'text' && ['中止', 'キャンセル', 'やめる', 'cancel', 'Cancel'].includes(input.text));
