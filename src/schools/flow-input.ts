import { parsePostback } from '../conversation/rules';
import type { LineEvent } from '../line/events';

/**
 * The absence flow's reading of what a guardian sent: a button (with the date or time a
 * picker chose), a typed text, or anything else (a sticker, a photo).
 */
export type Input =
  | { kind: 'choice'; step: string; v: string; date?: string; time?: string }
  | { kind: 'text'; text: string }
  | { kind: 'other' };

const str = (x: unknown) => (typeof x === 'string' ? x : undefined);

export function inputOf(event: LineEvent): Input {
  if (event.type === 'postback') {
    const d = parsePostback(event.postback?.data ?? '');
    if (d.action !== 'absence' || d.v === undefined) return { kind: 'other' };
    const p = event.postback?.params;
    return { kind: 'choice', step: d.step ?? '', v: d.v, date: str(p?.date), time: str(p?.time) };
  }
  if (event.type === 'message' && event.message?.type === 'text') {
    return { kind: 'text', text: (event.message.text ?? '').trim() };
  }
  return { kind: 'other' };
}

export interface Option {
  label: string;
  v: string;
}

/** What the guardian chose: the button they tapped, or a button's label they typed instead. */
export function answer(input: Input, options: Option[]): string | null {
  if (input.kind === 'choice') return options.some((o) => o.v === input.v) ? input.v : null;
  if (input.kind !== 'text') return null;
  return options.find((o) => o.label === input.text || o.v === input.text)?.v ?? null;
}

export const isCancel = (input: Input) =>
  (input.kind === 'choice' && input.v === 'cancel' && input.step === 'any') ||
  (input.kind === 'text' && ['中止', 'キャンセル', 'やめる', 'cancel', 'Cancel'].includes(input.text));
