import { describe, expect, it } from 'vitest';
import { jst } from '../src/calendar/jst';
import { CsvError, csvCell, readCsv, writeCsv } from '../src/http/csv';
import { csvObjects } from '../src/schools/csv';
import {
  addDays,
  codeExpiresAt,
  coversDay,
  isHhMm,
  isKana,
  isPhone,
  isWindow,
  nextGrade,
  retentionKeepFrom,
  schoolYearOf,
} from '../src/schools/staff-rules';
import { daysText } from '../src/schools/staff-texts';

describe('school settings', () => {
  it.each([
    ['08:00', true],
    ['00:00', true],
    ['23:59', true],
    ['8:00', false],
    ['24:00', false],
    ['08:60', false],
    ['0800', false],
    ['', false],
  ])('cut-off %j → %s', (s, ok) => expect(isHhMm(s)).toBe(ok));

  it.each([
    ['07:00-19:00', true],
    ['00:00-23:59', true],
    ['19:00-07:00', false],
    ['07:00-07:00', false],
    ['7:00-19:00', false],
    ['07:00–19:00', false],
  ])('window %j → %s', (s, ok) => expect(isWindow(s)).toBe(ok));

  it.each([
    ['086-803-1000', true],
    ['0868031000', true],
    ['086--803', false],
    ['-086', false],
    ['086-', false],
    ['086 803 1000', false],
    ['０８６', false],
    ['1', false],
  ])('phone %j → %s', (s, ok) => expect(isPhone(s)).toBe(ok));

  it.each([
    ['おかやま はなこ', true],
    ['オカヤマ　ハナコ', true],
    ['ｵｶﾔﾏ ﾊﾅｺ', true],
    ['おおの ゆうー', true],
    ['岡山 花子', false],
    ['okayama', false],
    ['   ', false],
  ])('kana %j → %s', (s, ok) => expect(isKana(s)).toBe(ok));
});

describe('the school year', () => {
  it.each([
    [1, 'elementary', 2],
    [5, 'elementary', 6],
    [6, 'elementary', 'graduated'],
    [2, 'junior_high', 3],
    [3, 'junior_high', 'graduated'],
    [8, 'compulsory', 9],
    [9, 'compulsory', 'graduated'],
    [3, 'high', 'graduated'],
  ] as const)('grade %d at a %s school → %s', (grade, kind, next) => expect(nextGrade(grade, kind)).toBe(next));

  it.each([
    ['2027-03-31T23:59', 2026],
    ['2027-04-01T00:00', 2027],
    ['2026-12-02T08:00', 2026],
  ])('%s JST is in school year %d', (at, year) => expect(schoolYearOf(jst(at))).toBe(year));
});

describe('which days a notice is on', () => {
  it.each([
    ['2026-12-02', null, '2026-12-02', true],
    ['2026-12-02', null, '2026-12-03', false],
    ['2026-12-02', '2026-12-04', '2026-12-01', false],
    ['2026-12-02', '2026-12-04', '2026-12-02', true],
    ['2026-12-02', '2026-12-04', '2026-12-03', true],
    ['2026-12-02', '2026-12-04', '2026-12-04', true],
    ['2026-12-02', '2026-12-04', '2026-12-05', false],
    ['2026-12-30', '2027-01-05', '2027-01-01', true],
  ])('%s..%s on %s → %s', (date, to, day, on) => expect(coversDay(date, to, day)).toBe(on));

  it.each([
    ['2026-12-31', 1, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-12-02', -14, '2026-11-18'],
  ])('%s + %d days = %s', (day, n, out) => expect(addDays(day, n)).toBe(out));
});

describe('retention and codes', () => {
  it('keeps notices whose last day is at most ABSENCE_RETENTION_DAYS before today (JST)', () => {
    // 2027-02-05 is 400 days after 2026-01-01.
    expect(retentionKeepFrom(jst('2027-02-05T00:00'), 400)).toBe('2026-01-01');
    expect(retentionKeepFrom(jst('2027-02-05T23:59'), 400)).toBe('2026-01-01');
    expect(retentionKeepFrom(jst('2027-02-06T00:00'), 400)).toBe('2026-01-02');
    expect(retentionKeepFrom(jst('2026-12-02T08:00'), 1)).toBe('2026-12-01');
  });

  it('a code lasts REGISTRATION_CODE_DAYS days', () => {
    expect(codeExpiresAt(1_000, 60) - 1_000).toBe(60 * 86_400_000);
  });
});

describe('CSV', () => {
  it('reads quotes, commas, line breaks in cells, CRLF, a BOM and blank lines, with the line each record starts on', () => {
    const text = '\uFEFFgrade,name\r\n1,"岡山, 一郎"\r\n\r\n2,"二行\n目"\n3,"""引用"""\n';
    expect(readCsv(text)).toEqual([
      { line: 1, cells: ['grade', 'name'] },
      { line: 2, cells: ['1', '岡山, 一郎'] },
      { line: 4, cells: ['2', '二行\n目'] },
      { line: 6, cells: ['3', '"引用"'] },
    ]);
  });

  it('refuses an unclosed quote, an unknown or repeated column and a row longer than the header', () => {
    expect(() => readCsv('a\n"open')).toThrow(/line 2: a quoted cell is not closed/);
    expect(() => csvObjects('grade,colour\n1,red', ['grade'])).toThrow(/line 1: colour: unknown column/);
    expect(() => csvObjects('grade,grade\n1,2', ['grade'])).toThrow(/line 1: grade: the column appears twice/);
    expect(() => csvObjects('grade\n1,2', ['grade'])).toThrow(CsvError);
  });

  it('leaves empty cells out, so a missing value reads as missing', () => {
    expect(csvObjects('grade,name\n1,\n2, 花子 ', ['grade', 'name'])).toEqual([
      { line: 2, values: { grade: '1' } },
      { line: 3, values: { grade: '2', name: '花子' } },
    ]);
  });

  it('writes a BOM, CRLF lines, quoted cells and no formulas', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(null)).toBe('');
    expect(writeCsv(['a', 'b'], [[1, 'x']])).toBe('\uFEFFa,b\r\n1,x\r\n');
  });
});

describe('texts', () => {
  it.each([
    ['ja', '2026-12-02', null, '12月2日'],
    ['ja', '2026-12-02', '2026-12-04', '12月2日〜12月4日'],
    ['en', '2026-12-02', null, 'Dec 2'],
    ['en', '2026-12-30', '2027-01-05', 'Dec 30 – Jan 5'],
  ] as const)('%s %s..%s → %s', (lang, date, to, out) => expect(daysText(lang, date, to)).toBe(out));
});
