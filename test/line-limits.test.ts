import { describe, expect, it } from 'vitest';
import { clip, lineLength, unitOf, type LineProperty } from '../src/line/limits';
import { validateSend } from './fake-line/fake-line';

// LINE's "Character counting in a text": text in UTF-16 code units, listed properties in grapheme clusters.
const APPLE = '🍎'; // 1 code point, 2 UTF-16 units, 1 grapheme
const FAMILY = '👨‍👩‍👧'; // 5 code points (3 people, 2 joiners), 8 UTF-16 units, 1 grapheme
const THUMB = '👍🏽'; // 2 code points (a skin tone), 4 UTF-16 units, 1 grapheme
const E_ACUTE = 'e\u0301'; // 2 code points, 2 units, 1 grapheme

describe('how LINE counts a property', () => {
  it.each<[LineProperty, string, number]>([
    ['text', APPLE, 2],
    ['text', FAMILY, 8],
    ['text', 'あ'.repeat(3), 3],
    ['text', '𠮷野家', 4],
    ['altText', THUMB, 4],
    ['action.data', APPLE, 2],
    ['location.address', '岡山市北区🍎', 7],
    ['action.label', FAMILY, 1],
    ['action.label', THUMB + E_ACUTE, 2],
    ['action.text', APPLE.repeat(3), 3],
    ['action.displayText', FAMILY, 1],
    ['template.text', `𠮷${FAMILY}`, 2],
    ['template.title', APPLE, 1],
    ['richMenu.name', FAMILY.repeat(2), 2],
    ['richMenu.chatBarText', `メニュー${APPLE}`, 5],
  ])('%s %j counts %i', (property, s, n) => expect(lineLength(property, s)).toBe(n));

  it('grapheme properties are exactly the ones LINE lists', () => {
    const graphemes = (
      [
        'text',
        'altText',
        'action.data',
        'action.uri',
        'location.title',
        'location.address',
        'sender.name',
        'action.label',
        'action.text',
        'action.displayText',
        'action.fillInText',
        'template.text',
        'template.title',
        'richMenu.name',
        'richMenu.chatBarText',
      ] as LineProperty[]
    ).filter((p) => unitOf(p) === 'graphemes');
    expect(graphemes).toEqual([
      'action.label',
      'action.text',
      'action.displayText',
      'action.fillInText',
      'template.text',
      'template.title',
      'richMenu.name',
      'richMenu.chatBarText',
    ]);
  });
});

describe('clip', () => {
  it.each<[string, number, 'utf16' | 'graphemes', string]>([
    ['short', 10, 'utf16', 'short'],
    ['x'.repeat(21), 20, 'graphemes', `${'x'.repeat(19)}…`],
    [FAMILY.repeat(21), 20, 'graphemes', `${FAMILY.repeat(19)}…`],
    [FAMILY.repeat(20), 20, 'graphemes', FAMILY.repeat(20)],
    // 2 units each: 9 apples leave 1 unit, which is the ellipsis; never half an apple.
    [APPLE.repeat(11), 20, 'utf16', `${APPLE.repeat(9)}…`],
    [`a${APPLE.repeat(10)}`, 20, 'utf16', `a${APPLE.repeat(9)}…`],
    [`${'e'.repeat(3)}${E_ACUTE}${'e'.repeat(3)}`, 5, 'graphemes', `eee${E_ACUTE}…`],
  ])('clip(%j, %i, %s)', (s, max, unit, out) => {
    expect(clip(s, max, unit)).toBe(out);
  });
});

describe('the fake LINE platform counts the same way', () => {
  const push = (message: Record<string, unknown>) =>
    validateSend('push', { to: `U${'0'.repeat(32)}`, messages: [message] });
  it('a text of 4,999 characters and one emoji is 5,001 UTF-16 units: refused; 4,998 and one is accepted', () => {
    expect(push({ type: 'text', text: 'あ'.repeat(4999) + APPLE })?.details).toEqual([
      { message: 'Length must be between 1 and 5000', property: 'messages[0].text' },
    ]);
    expect(push({ type: 'text', text: 'あ'.repeat(4998) + APPLE })).toBeNull();
  });
  it('labels and template texts count graphemes: 20 family emoji are a 20-character label', () => {
    const action = { type: 'postback', label: FAMILY.repeat(20), data: 'x' };
    expect(push({ type: 'text', text: 'a', quickReply: { items: [{ type: 'action', action }] } })).toBeNull();
    expect(
      push({
        type: 'template',
        altText: 'a',
        template: { type: 'buttons', text: FAMILY.repeat(160), actions: [action] },
      }),
    ).toBeNull();
    const long = { ...action, label: FAMILY.repeat(21) };
    expect(push({ type: 'text', text: 'a', quickReply: { items: [{ type: 'action', action: long }] } })).not.toBeNull();
  });
  it('altText counts UTF-16 units', () => {
    const t = { type: 'buttons', text: 'a', actions: [{ type: 'postback', label: 'a', data: 'x' }] };
    expect(push({ type: 'template', altText: APPLE.repeat(201), template: t })).not.toBeNull();
    expect(push({ type: 'template', altText: APPLE.repeat(200), template: t })).toBeNull();
  });
});
