import { describe, expect, it } from 'vitest';
import { matchesSegment, type ResidentPrefs, type SegmentAudience } from '../src/broadcasts/audience';
import { BroadcastMessage, BroadcastMessages } from '../src/broadcasts/messages';
import { windowFor } from '../src/broadcasts/rules';
import { closedReason, isOpen, nextOpening, parseHours, type ReleaseRules } from '../src/calendar/hours';
import { nationalHoliday } from '../src/calendar/holidays';
import { jst } from '../src/calendar/jst';
import { retryBackoffMs } from '../src/broadcasts/send-loop';

const env = {} as never;
const city: ReleaseRules = { window: windowFor('city', env), closureDays: new Set(['2026-12-07']) };
const school: ReleaseRules = { window: windowFor('school', env), closureDays: new Set() };
const community: ReleaseRules = { window: windowFor('community', env), closureDays: new Set() };

describe('holiday_jp inside workerd', () => {
  it('knows national and substitute holidays by JST date', () => {
    expect(nationalHoliday('2026-11-23')).toBe('勤労感謝の日');
    expect(nationalHoliday('2026-05-06')).toMatch(/振替休日/);
    expect(nationalHoliday('2026-12-04')).toBeNull();
  });
});

describe('city window (policy §5: Mon–Fri 08:30–18:00 JST, no holidays, no 12/29–1/3, no closure days)', () => {
  it.each([
    ['Fri 08:29', '2026-12-04T08:29', false, 'before_hours'],
    ['Fri 08:30', '2026-12-04T08:30', true, null],
    ['Fri 17:59', '2026-12-04T17:59', true, null],
    ['Fri 18:00', '2026-12-04T18:00', false, 'after_hours'],
    ['Sat 10:00 (weekend)', '2026-12-05T10:00', false, 'weekday'],
    ['Sun 10:00 (weekend)', '2026-12-06T10:00', false, 'weekday'],
    ['Mon 11/23 勤労感謝の日 (holiday)', '2026-11-23T10:00', false, 'holiday'],
    ['Wed 5/6 こどもの日 振替休日 (substitute holiday)', '2026-05-06T10:00', false, 'holiday'],
    ['Mon 3/22/2027 春分の日 振替休日', '2027-03-22T10:00', false, 'holiday'],
    ['Mon 12/28 (last office day)', '2026-12-28T10:00', true, null],
    ['Tue 12/29 (year-end break)', '2026-12-29T10:00', false, 'year_end'],
    ['Mon 1/3/2028 (new-year break on a weekday)', '2028-01-03T10:00', false, 'year_end'],
    ['Tue 1/4/2028 (office reopens)', '2028-01-04T10:00', true, null],
    ['Mon 12/7 (extra closure day)', '2026-12-07T10:00', false, 'closure_day'],
  ])('%s → open=%s', (_label, local, open, reason) => {
    expect(isOpen(jst(local), city)).toBe(open);
    expect(closedReason(jst(local), city)).toBe(reason);
  });

  it('a closure day closes only the day it names', () => {
    expect(isOpen(jst('2026-12-08T10:00'), city)).toBe(true);
    expect(isOpen(jst('2026-12-07T10:00'), { ...city, closureDays: new Set() })).toBe(true);
  });
});

describe('nextOpening', () => {
  it.each([
    ['open now → now', '2026-12-04T10:15', '2026-12-04T10:15'],
    ['08:29 → 08:30 the same day', '2026-12-04T08:29', '2026-12-04T08:30'],
    ['Fri 18:00 → Mon 08:30', '2026-11-27T18:00', '2026-11-30T08:30'],
    ['Sat → Mon 08:30 (Mon 11/23 is a holiday → Tue)', '2026-11-21T12:00', '2026-11-24T08:30'],
    ['Tue 5/5 evening → Thu 5/7 (5/6 is a substitute holiday)', '2026-05-05T19:00', '2026-05-07T08:30'],
    ['12/28 18:00 → 1/4 08:30 (2027-01-04 is a Monday)', '2026-12-28T18:00', '2027-01-04T08:30'],
    ['Fri 12/4 evening → Tue 12/8 (Mon 12/7 is a closure day)', '2026-12-04T18:30', '2026-12-08T08:30'],
  ])('%s', (_label, from, expected) => {
    expect(new Date(nextOpening(jst(from), city)!).toISOString()).toBe(new Date(jst(expected)).toISOString());
  });

  it('school and association windows are daily with their own hours', () => {
    expect(isOpen(jst('2026-12-05T07:00'), school)).toBe(true);
    expect(isOpen(jst('2026-12-05T06:59'), school)).toBe(false);
    expect(isOpen(jst('2026-12-05T20:00'), school)).toBe(false);
    expect(isOpen(jst('2026-12-29T20:30'), community)).toBe(true);
    expect(isOpen(jst('2026-12-29T21:00'), community)).toBe(false);
    expect(nextOpening(jst('2026-11-23T21:30'), community)).toBe(jst('2026-11-24T07:00'));
  });

  it('a window that never opens gives null instead of looping', () => {
    expect(
      nextOpening(jst('2026-12-04T10:00'), { window: { ...city.window, days: [] }, closureDays: new Set() }),
    ).toBeNull();
  });

  it('reads HH:MM-HH:MM and refuses nonsense', () => {
    expect(parseHours('08:30-18:00')).toEqual({ open: 510, close: 1080 });
    expect(parseHours('18:00-08:30')).toBeNull();
    expect(parseHours('8:30-18:00')).toBeNull();
    expect(parseHours('08:30-24:30')).toBeNull();
  });
});

describe('segment matching', () => {
  const r = (p: Partial<ResidentPrefs>): ResidentPrefs => ({
    status: 'following',
    ward: null,
    interests: [],
    language: null,
    ...p,
  });
  const seg = (s: Omit<SegmentAudience, 'type'>): SegmentAudience => ({ type: 'segment', ...s });
  it.each([
    ['ward matches', r({ ward: '北区' }), seg({ wards: ['北区', '中区'] }), true],
    ['other ward', r({ ward: '南区' }), seg({ wards: ['北区'] }), false],
    ['no ward chosen is not in a ward segment', r({}), seg({ wards: ['北区'] }), false],
    ['blocked never', r({ status: 'blocked', ward: '北区' }), seg({ wards: ['北区'] }), false],
    ['shared interest', r({ interests: ['防災', '子育て'] }), seg({ interests: ['子育て'] }), true],
    ['interests that exclude the topic', r({ interests: ['防災'] }), seg({ interests: ['イベント'] }), false],
    ['no interests chosen hears every topic', r({ interests: [] }), seg({ interests: ['イベント'] }), true],
    ['language exact', r({ language: 'en' }), seg({ language: 'en' }), true],
    ['language more specific', r({ language: 'zh-Hant' }), seg({ language: 'zh' }), true],
    ['no language counts as Japanese', r({ language: null }), seg({ language: 'ja' }), true],
    ['other language', r({ language: 'ja' }), seg({ language: 'en' }), false],
    [
      'all criteria must hold',
      r({ ward: '北区', interests: ['防災'], language: 'ja' }),
      seg({ wards: ['北区'], interests: ['イベント'] }),
      false,
    ],
    [
      'all criteria hold',
      r({ ward: '北区', interests: ['防災'], language: 'ja' }),
      seg({ wards: ['北区'], interests: ['防災'], language: 'ja' }),
      true,
    ],
  ])('%s → %s', (_label, resident, segment, expected) => {
    expect(matchesSegment(resident, segment)).toBe(expected);
  });
});

describe('LINE message limits', () => {
  const issues = (m: unknown) => {
    const r = BroadcastMessage.safeParse(m);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };
  it('text of 5,000 UTF-16 units passes, 5,001 does not: an emoji is two of them, as LINE counts', () => {
    expect(issues({ type: 'text', text: 'あ'.repeat(5000) })).toEqual([]);
    expect(issues({ type: 'text', text: 'あ'.repeat(5001) })).toEqual(['text']);
    expect(issues({ type: 'text', text: `${'あ'.repeat(4998)}🍎` })).toEqual([]);
    expect(issues({ type: 'text', text: `${'あ'.repeat(4999)}🍎` })).toEqual(['text']);
    expect(issues({ type: 'text', text: '😀'.repeat(2501) })).toEqual(['text']);
  });
  it('labels, action texts and template texts count graphemes: a family emoji is one', () => {
    const family = '👨‍👩‍👧';
    const action = { type: 'message', label: family.repeat(20), text: family.repeat(300) };
    expect(issues({ type: 'text', text: 'a', quickReply: { items: [{ type: 'action', action }] } })).toEqual([]);
    const buttons = (text: string, title?: string) => ({
      type: 'template',
      altText: 'a',
      template: { type: 'buttons', text, ...(title && { title }), actions: [action] },
    });
    expect(issues(buttons(family.repeat(160)))).toEqual([]);
    expect(issues(buttons(family.repeat(60), family.repeat(40)))).toEqual([]);
    expect(issues(buttons(family.repeat(61), 'a'))).toEqual(['template.text']);
    expect(
      issues({
        type: 'template',
        altText: '🍎'.repeat(201),
        template: { type: 'confirm', text: 'a', actions: [action, action] },
      }),
    ).toEqual(['altText']);
    const long = { ...action, label: family.repeat(21) };
    expect(issues({ type: 'text', text: 'a', quickReply: { items: [{ type: 'action', action: long }] } })).toEqual([
      'quickReply.items.0.action.label',
    ]);
  });
  it('images need https URLs', () => {
    expect(
      issues({ type: 'image', originalContentUrl: 'http://x.jp/a.jpg', previewImageUrl: 'https://x.jp/p.jpg' }),
    ).toEqual(['originalContentUrl']);
  });
  it('quick replies hold at most 13 items', () => {
    const item = { type: 'action', action: { type: 'message', label: 'はい', text: 'はい' } };
    expect(issues({ type: 'text', text: 'a', quickReply: { items: Array(13).fill(item) } })).toEqual([]);
    expect(issues({ type: 'text', text: 'a', quickReply: { items: Array(14).fill(item) } })).toEqual([
      'quickReply.items',
    ]);
  });
  it('one to five messages per broadcast', () => {
    expect(BroadcastMessages.safeParse([]).success).toBe(false);
    expect(BroadcastMessages.safeParse(Array(6).fill({ type: 'text', text: 'a' })).success).toBe(false);
    expect(BroadcastMessages.safeParse(Array(5).fill({ type: 'text', text: 'a' })).success).toBe(true);
  });
  it('unknown fields and types are refused', () => {
    expect(issues({ type: 'text', text: 'a', colour: 'red' })).toEqual(['']);
    expect(issues({ type: 'coupon' })).toEqual(['type']);
  });
});

describe('retry backoff', () => {
  it('doubles from 250 ms and stops growing at 30 s', () => {
    expect([1, 2, 3].map(retryBackoffMs)).toEqual([250, 500, 1000]);
    expect(retryBackoffMs(20)).toBe(30_000);
  });
});
