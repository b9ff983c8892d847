import { describe, expect, it } from 'vitest';
import { jst } from '../src/calendar/jst';
import {
  addDays,
  afterCutoff,
  checkRange,
  dateAllowed,
  dateBounds,
  daysCovered,
  nextStep,
  parseTemperature,
  parseTime,
  stepAfter,
  toggleSymptom,
  withdrawable,
  type Draft,
} from '../src/schools/rules';

describe('the cut-off, in JST', () => {
  it.each([
    ['08:00', '2026-12-03T07:59:59', false],
    ['08:00', '2026-12-03T08:00:00', true],
    ['08:00', '2026-12-03T08:01:00', true],
    ['08:00', '2026-12-03T07:59:00', false],
    ['08:00', '2026-12-03T00:00:00', false],
    ['08:00', '2026-12-03T23:59:59', true],
    ['00:00', '2026-12-03T00:00:00', true],
    ['00:00', '2026-12-03T07:00:00', true],
    ['23:59', '2026-12-03T23:58:59', false],
    ['23:59', '2026-12-03T23:59:00', true],
    ['07:30', '2026-12-03T07:29:59.999', false],
  ])('cut-off %s at %s JST → late %s', (cutoff, at, late) => {
    expect(afterCutoff(cutoff, jst(at))).toBe(late);
  });

  it('is Japanese time, not UTC: 08:00 JST is 23:00 UTC the day before', () => {
    expect(afterCutoff('08:00', Date.parse('2026-12-02T22:59:00Z'))).toBe(false);
    expect(afterCutoff('08:00', Date.parse('2026-12-02T23:00:00Z'))).toBe(true);
  });
});

describe('days a notice may name', () => {
  const now = jst('2026-12-25T10:00');

  it('today to today + 14, across the year end', () => {
    expect(dateBounds(now)).toEqual({ min: '2026-12-25', max: '2027-01-08' });
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysCovered('2026-12-25', '2027-01-07')).toBe(14);
  });

  it.each([
    ['2026-12-25', true],
    ['2027-01-08', true],
    ['2027-01-09', false],
    ['2026-12-24', false],
    ['2026-02-30', false],
    ['12/26', false],
    [undefined, false],
    [20261226, false],
  ])('%s allowed: %s', (date, ok) => {
    expect(dateAllowed(date, now)).toBe(ok);
  });

  it.each([
    ['2026-12-25', '2026-12-25', 'ok'],
    ['2026-12-25', '2027-01-07', 'ok'],
    ['2026-12-26', '2027-01-08', 'ok'],
    ['2026-12-25', '2027-01-08', 'too_long'],
    ['2026-12-28', '2026-12-27', 'reversed'],
    ['2026-12-28', '2027-01-09', 'outside'],
    ['2026-12-24', '2026-12-26', 'outside'],
    ['2026-12-28', undefined, 'outside'],
  ])('period %s → %s: %s', (from, to, check) => {
    expect(checkRange(from, to, now)).toBe(check);
  });
});

describe('what guardians type', () => {
  it.each([
    ['37.5', 37.5],
    ['３７．５', 37.5],
    ['37.5度', 37.5],
    ['38℃', 38],
    ['35.0', 35],
    ['42.0', 42],
    ['34.9', null],
    ['42.1', null],
    ['37.55', null],
    ['熱', null],
    ['', null],
    ['375', null],
  ])('temperature %j → %j', (text, t) => {
    expect(parseTemperature(text)).toBe(t);
  });

  it.each([
    ['9:30', '09:30'],
    ['09:30', '09:30'],
    ['９：３０', '09:30'],
    ['10時', '10:00'],
    ['10時15分', '10:15'],
    ['9時半', '09:30'],
    ['13:05', '13:05'],
    ['24:00', null],
    ['9:60', null],
    ['930', null],
    ['朝', null],
  ])('time %j → %j', (text, t) => {
    expect(parseTime(text)).toBe(t);
  });
});

describe("the draft's steps", () => {
  const d: Draft = { noticeId: 'n', pupilId: 'p', date: '2026-12-03' };

  it.each([
    ['date', { type: undefined }, true, 'type'],
    ['type', { type: 'absence', reason: undefined }, true, 'reason'],
    ['reason', { type: 'absence', reason: '体調不良' }, true, 'symptoms'],
    ['symptoms', { type: 'absence', reason: '体調不良' }, true, 'temperature'],
    ['temperature', { type: 'absence', reason: '体調不良' }, true, 'note'],
    ['temperature', { type: 'absence', reason: '体調不良' }, false, 'confirm'],
    ['reason', { type: 'absence', reason: '通院' }, true, 'note'],
    ['reason', { type: 'late', reason: '通院' }, true, 'time'],
    ['reason', { type: 'early_leave', reason: '通院' }, false, 'time'],
    ['time', { type: 'late', reason: '通院' }, false, 'confirm'],
    ['range_to', {}, true, 'type'],
    ['note', {}, true, 'confirm'],
  ] as const)('after %s with %j (notes %s) → %s', (done, over, notes, next) => {
    expect(stepAfter(done, { ...d, ...over }, notes)).toBe(next);
  });

  it('修正 walks past what is still answered, and asks what a change now needs', () => {
    const full: Draft = { ...d, type: 'absence', reason: '通院', note: null, editing: true };
    expect(nextStep('date', full, true, true)).toBe('confirm');
    expect(nextStep('reason', { ...full, reason: '体調不良' }, true, true)).toBe('symptoms');
    expect(nextStep('type', { ...full, type: 'late' }, true, true)).toBe('time');
    expect(nextStep('date', full, true, false)).toBe('type');
  });

  it('symptoms toggle and keep the list order', () => {
    expect(toggleSymptom([], '咳')).toEqual(['咳']);
    expect(toggleSymptom(['咳'], '発熱')).toEqual(['発熱', '咳']);
    expect(toggleSymptom(['発熱', '咳'], '発熱')).toEqual(['咳']);
  });
});

describe('withdrawal', () => {
  const now = jst('2026-12-03T23:59');
  it.each([
    [{ status: 'submitted', date: '2026-12-03', dateTo: null }, true],
    [{ status: 'confirmed', date: '2026-12-03', dateTo: null }, true],
    [{ status: 'withdrawn', date: '2026-12-04', dateTo: null }, false],
    [{ status: 'submitted', date: '2026-12-02', dateTo: null }, false],
    [{ status: 'submitted', date: '2026-12-01', dateTo: '2026-12-03' }, true],
    [{ status: 'submitted', date: '2026-12-01', dateTo: '2026-12-02' }, false],
  ])('%j → %s', (n, ok) => {
    expect(withdrawable(n, now)).toBe(ok);
  });

  it('ends when the JST day turns', () => {
    const n = { status: 'submitted', date: '2026-12-03', dateTo: null };
    expect(withdrawable(n, jst('2026-12-04T00:00'))).toBe(false);
  });
});
