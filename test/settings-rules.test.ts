import { describe, expect, it } from 'vitest';
import { config, parseChoices } from '../src/config';
import {
  buttons,
  commandFromData,
  commandFromText,
  commandToData,
  draftFrom,
  fitLabel,
  fitOptions,
  LABEL_MAX,
  QUICK_REPLY_MAX,
  toggleInterest,
  transition,
  type Command,
  type Draft,
  type Outcome,
  type Step,
} from '../src/settings/rules';

const opts = config({} as Env);
const draft: Draft = { ward: '北区', interests: ['防災'], language: 'ja' };

describe('configured lists', () => {
  it('defaults to Okayama’s four wards and six interests, stored by their Japanese names', () => {
    expect(opts.wards.map((w) => w.name)).toEqual(['北区', '中区', '東区', '南区']);
    expect(opts.interests.map((i) => i.name)).toEqual([
      '防災',
      '子育て',
      'イベント',
      '健康・福祉',
      'ごみ・環境',
      '観光',
    ]);
    expect(opts.wards[0]).toEqual({ name: '北区', en: 'Kita Ward' });
  });

  it.each([
    [
      'a|A,b',
      [
        { name: 'a', en: 'A' },
        { name: 'b', en: 'b' },
      ],
    ],
    [
      ' a | A , , a|X ,b|',
      [
        { name: 'a', en: 'A' },
        { name: 'b', en: 'b' },
      ],
    ],
    ['', []],
    ['|only english', []],
  ])('parseChoices(%j)', (list, expected) => {
    expect(parseChoices(list)).toEqual(expected);
  });

  it('reads the lists from the environment when set', () => {
    expect(config({ INTERESTS: '防犯|Crime prevention' } as Env).interests).toEqual([
      { name: '防犯', en: 'Crime prevention' },
    ]);
  });

  it('cuts lists that would not fit in one quick reply', () => {
    const many = Array.from({ length: 15 }, (_, i) => ({ name: `n${i}`, en: `n${i}` }));
    const fitted = fitOptions({ wards: many, interests: many });
    expect(fitted.wards).toHaveLength(9);
    expect(fitted.interests).toHaveLength(10);
    for (const step of ['ward', 'interests'] as Step[]) {
      expect(buttons(step, draft, fitted, 'ja').length).toBe(QUICK_REPLY_MAX);
    }
  });
});

describe('draftFrom', () => {
  it.each([
    [
      'keeps configured values in configured order',
      { ward: '東区', interests: ['観光', '防災'] },
      { ward: '東区', interests: ['防災', '観光'] },
    ],
    ['drops a ward that is no longer configured', { ward: '西区', interests: [] }, { ward: null, interests: [] }],
    [
      'drops interests that are no longer configured',
      { ward: null, interests: ['防犯', '子育て'] },
      { ward: null, interests: ['子育て'] },
    ],
    ['treats a missing list as none', { ward: null, interests: null }, { ward: null, interests: [] }],
  ])('%s', (_label, saved, expected) => {
    expect(draftFrom({ ...saved, language: 'en' }, opts)).toEqual({ ...expected, language: 'en' });
  });
});

describe('toggleInterest', () => {
  it.each([
    [[], '防災', ['防災']],
    [['防災'], '防災', []],
    [['観光'], '防災', ['防災', '観光']],
    [['防災', '子育て', '観光'], '子育て', ['防災', '観光']],
  ])('%j toggling %s → %j', (selected, value, expected) => {
    expect(toggleInterest(selected, value, opts)).toEqual(expected);
  });
});

describe('transition', () => {
  const cases: [string, Step, Command, Outcome][] = [
    ['menu → ward question', 'menu', { op: 'edit', field: 'ward' }, { kind: 'ask', step: 'ward', draft }],
    [
      'menu → interests question',
      'menu',
      { op: 'edit', field: 'interests' },
      { kind: 'ask', step: 'interests', draft },
    ],
    ['menu → language question', 'menu', { op: 'edit', field: 'language' }, { kind: 'ask', step: 'language', draft }],
    [
      'choosing a ward returns to the menu',
      'ward',
      { op: 'ward', value: '南区' },
      { kind: 'ask', step: 'menu', draft: { ...draft, ward: '南区' } },
    ],
    [
      '指定しない clears the ward',
      'ward',
      { op: 'ward', value: null },
      { kind: 'ask', step: 'menu', draft: { ...draft, ward: null } },
    ],
    ['an unknown ward is refused', 'ward', { op: 'ward', value: '西区' }, { kind: 'invalid' }],
    [
      'toggling on stays on the question',
      'interests',
      { op: 'interest', value: '観光' },
      { kind: 'ask', step: 'interests', draft: { ...draft, interests: ['防災', '観光'] } },
    ],
    [
      'toggling off stays on the question',
      'interests',
      { op: 'interest', value: '防災' },
      { kind: 'ask', step: 'interests', draft: { ...draft, interests: [] } },
    ],
    ['an unknown interest is refused', 'interests', { op: 'interest', value: '防犯' }, { kind: 'invalid' }],
    [
      'choosing English returns to the menu',
      'language',
      { op: 'language', value: 'en' },
      { kind: 'ask', step: 'menu', draft: { ...draft, language: 'en' } },
    ],
    [
      '戻る from a question returns to the menu unchanged',
      'interests',
      { op: 'back' },
      { kind: 'ask', step: 'menu', draft },
    ],
    ['戻る on the menu is not offered', 'menu', { op: 'back' }, { kind: 'invalid' }],
    ['完了 saves from the menu', 'menu', { op: 'done' }, { kind: 'save', draft }],
    ['個人情報 opens the privacy menu, keeping the draft', 'menu', { op: 'privacy' }, { kind: 'privacy', draft }],
    ['個人情報 is offered on the menu only', 'ward', { op: 'privacy' }, { kind: 'invalid' }],
    ['完了 saves from a question too', 'interests', { op: 'done' }, { kind: 'save', draft }],
    ['中止 discards from anywhere', 'ward', { op: 'cancel' }, { kind: 'cancel' }],
    [
      'a ward answer on the interests question is refused',
      'interests',
      { op: 'ward', value: '北区' },
      { kind: 'invalid' },
    ],
    ['a language answer on the menu is refused', 'menu', { op: 'language', value: 'en' }, { kind: 'invalid' }],
    ['an edit on a question is refused', 'ward', { op: 'edit', field: 'language' }, { kind: 'invalid' }],
  ];
  it.each(cases)('%s', (_label, step, cmd, expected) => {
    expect(transition(step, draft, cmd, opts)).toEqual(expected);
  });
});

describe('buttons', () => {
  it.each([
    ['menu', 'ja', ['区を変更', '関心分野を変更', '言語を変更', '個人情報', '完了', '中止']],
    ['menu', 'en', ['Ward', 'Interests', 'Language', 'Your data', 'Done', 'Cancel']],
    ['ward', 'ja', ['北区', '中区', '東区', '南区', '指定しない', '戻る', '完了', '中止']],
    ['ward', 'en', ['Kita Ward', 'Naka Ward', 'Higashi Ward', 'Minami Ward', 'Not set', 'Back', 'Done', 'Cancel']],
    ['interests', 'ja', ['✓ 防災', '子育て', 'イベント', '健康・福祉', 'ごみ・環境', '観光', '戻る', '完了', '中止']],
    ['language', 'en', ['日本語', 'English', 'Back', 'Done', 'Cancel']],
  ] as const)('%s in %s', (step, lang, labels) => {
    expect(buttons(step, draft, opts, lang).map((b) => b.label)).toEqual(labels);
  });

  it('keeps every label of the default lists within LINE’s 20 characters', () => {
    const all = { ...draft, interests: opts.interests.map((i) => i.name) };
    for (const step of ['menu', 'ward', 'interests', 'language'] as Step[]) {
      for (const lang of ['ja', 'en'] as const) {
        for (const b of buttons(step, all, opts, lang)) expect([...b.label].length).toBeLessThanOrEqual(LABEL_MAX);
      }
    }
  });

  it.each([
    ['short', 'short'],
    ['x'.repeat(20), 'x'.repeat(20)],
    ['x'.repeat(21), `${'x'.repeat(19)}…`],
    ['あ'.repeat(25), `${'あ'.repeat(19)}…`],
    // LINE counts labels in graphemes: a family emoji is one character and is never cut in half.
    ['👨‍👩‍👧'.repeat(20), '👨‍👩‍👧'.repeat(20)],
    ['👨‍👩‍👧'.repeat(21), `${'👨‍👩‍👧'.repeat(19)}…`],
  ])('fitLabel(%s)', (label, expected) => {
    expect(fitLabel(label)).toBe(expected);
  });
});

describe('typed words', () => {
  it.each([
    ['完了', 'menu', { op: 'done' }],
    ['ｄｏｎｅ', 'menu', { op: 'done' }],
    [' Cancel ', 'ward', { op: 'cancel' }],
    ['キャンセル', 'interests', { op: 'cancel' }],
    ['区を変更', 'menu', { op: 'edit', field: 'ward' }],
    ['language', 'menu', { op: 'edit', field: 'language' }],
    ['中区', 'ward', { op: 'ward', value: '中区' }],
    ['higashi ward', 'ward', { op: 'ward', value: '東区' }],
    ['指定しない', 'ward', { op: 'ward', value: null }],
    ['✓ 防災', 'interests', { op: 'interest', value: '防災' }],
    ['Tourism', 'interests', { op: 'interest', value: '観光' }],
    ['English', 'language', { op: 'language', value: 'en' }],
    ['戻る', 'language', { op: 'back' }],
    ['中区', 'menu', null],
    ['English', 'ward', null],
    ['こんにちは', 'menu', null],
    ['', 'menu', null],
    // Names on Object.prototype are no aliases.
    ['constructor', 'menu', null],
    ['__proto__', 'ward', null],
    ['toString', 'interests', null],
    ['hasOwnProperty', 'language', null],
  ] as const)('%j on %s', (text, step, expected) => {
    expect(commandFromText(text, step, draft, opts)).toEqual(expected);
  });
});

describe('postback data', () => {
  const commands: Command[] = [
    { op: 'edit', field: 'interests' },
    { op: 'ward', value: '北区' },
    { op: 'ward', value: null },
    { op: 'interest', value: 'ごみ・環境' },
    { op: 'language', value: 'en' },
    { op: 'back' },
    { op: 'done' },
    { op: 'cancel' },
  ];
  it.each(commands)('round-trips %j within LINE’s 300 characters', (cmd) => {
    const data = commandToData(cmd);
    expect(data.length).toBeLessThanOrEqual(300);
    expect(commandFromData(Object.fromEntries(new URLSearchParams(data)))).toEqual(cmd);
  });

  it.each([
    [{ action: 'start', op: 'done' }],
    [{ action: 'settings' }],
    [{ action: 'settings', op: 'edit', field: 'password' }],
    [{ action: 'settings', op: 'language', v: 'fr' }],
    [{ action: 'settings', op: 'interest' }],
    [{ action: 'settings', op: 'ward' }],
    [{ action: 'settings', op: 'drop' }],
  ])('refuses %j', (data) => {
    expect(commandFromData(data as Record<string, string>)).toBeNull();
  });
});
