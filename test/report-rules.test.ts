import { describe, expect, it } from 'vitest';
import {
  boxAround,
  canTransition,
  CONTENT_RETRY_WINDOW_MS,
  contentRetryWorthIt,
  distanceM,
  formatReportNumber,
  inArea,
  isReopening,
  mailBackoffMs,
  nearestDuplicate,
  notifiesReporter,
  OKAYAMA_CITY_AREA,
  open311Status,
  parseArea,
  descriptionLength,
  personalDataHints,
  redactPersonalData,
  underDailyLimit,
  type DuplicateCandidate,
} from '../src/reports/rules';
import type { ReportStatus } from '../src/db/schema';
import { label } from '../src/reports/texts';

describe('area check (default: Okayama City)', () => {
  it.each([
    ['Okayama station', 34.6661, 133.9177, true],
    ['Okayama city hall', 34.6553, 133.9197, true],
    ['Okayama Korakuen', 34.6675, 133.9354, true],
    ['Saidaiji (Higashi-ku)', 34.6535, 134.0294, true],
    ['Takebe (Kita-ku, north)', 34.85, 133.9, true],
    ['Kurashiki station', 34.6014, 133.7664, false],
    ['Tamano (Uno port)', 34.4925, 133.9515, false],
    ['Tokyo station', 35.6812, 139.7671, false],
    ['Null Island', 0, 0, false],
    ['NaN', Number.NaN, 133.9, false],
  ])('%s → %s', (_name, lat, lng, inside) => {
    expect(inArea(OKAYAMA_CITY_AREA, lat, lng)).toBe(inside);
  });

  it.each([
    ['a box', '{"box":[133.9,34.6,134.0,34.7]}', 34.65, 133.95, true],
    ['a box, outside', '{"box":[133.9,34.6,134.0,34.7]}', 34.75, 133.95, false],
    ['a triangle', '{"polygon":[[0,0],[10,0],[0,10]]}', 2, 2, true],
    ['a triangle, outside', '{"polygon":[[0,0],[10,0],[0,10]]}', 6, 6, false],
  ])('configured as %s', (_n, raw, lat, lng, inside) => {
    expect(inArea(parseArea(raw), lat, lng)).toBe(inside);
  });

  it.each([[undefined], [''], ['not json'], ['{"box":[1,2,3]}'], ['{"polygon":[[0,0],[1,1]]}']])(
    'falls back to the city for %j',
    (raw) => {
      expect(parseArea(raw)).toEqual(OKAYAMA_CITY_AREA);
    },
  );
});

describe('distance', () => {
  it.each([
    [34.6661, 133.9177, 34.6661, 133.9177, 0, 0.01],
    // One thousandth of a degree of latitude is about 111 m everywhere.
    [34.6661, 133.9177, 34.6671, 133.9177, 111.2, 0.5],
    // Okayama station → Korakuen, about 1.8 km.
    [34.6661, 133.9177, 34.6675, 133.9354, 1626, 20],
  ])('(%f,%f)→(%f,%f) ≈ %f m', (a, b, c, d, m, tol) => {
    expect(Math.abs(distanceM(a, b, c, d) - m)).toBeLessThan(tol);
  });

  it('the search box holds every point within the radius', () => {
    const box = boxAround(34.6661, 133.9177, 30);
    for (const [dLat, dLng] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      // Walk 29.9 m in each direction and check the point is inside the box.
      const lat = 34.6661 + dLat * (29.9 / 111_195);
      const lng = 133.9177 + dLng * (29.9 / (111_195 * Math.cos((34.6661 * Math.PI) / 180)));
      expect(lat >= box.minLat && lat <= box.maxLat && lng >= box.minLng && lng <= box.maxLng).toBe(true);
    }
  });
});

describe('nearby duplicates: same category, open, within 30 m and 30 days', () => {
  const now = Date.UTC(2026, 10, 28, 3, 0, 0);
  const day = 86_400_000;
  const here = { categoryCode: 'road', lat: 34.6661, lng: 133.9177 };
  const north = (m: number) => 34.6661 + m / 111_195;
  const c = (over: Partial<DuplicateCandidate>): DuplicateCandidate => ({
    id: 'x',
    categoryCode: 'road',
    status: 'received',
    lat: here.lat,
    lng: here.lng,
    createdAt: now - day,
    hidden: false,
    ...over,
  });
  it.each<[string, Partial<DuplicateCandidate>, boolean]>([
    ['same spot', {}, true],
    ['29 m away', { lat: north(29) }, true],
    ['31 m away', { lat: north(31) }, false],
    ['another category', { categoryCode: 'park' }, false],
    ['accepted', { status: 'accepted' }, true],
    ['in progress', { status: 'in_progress' }, true],
    ['resolved', { status: 'resolved' }, false],
    ['rejected', { status: 'rejected' }, false],
    ['29 days old', { createdAt: now - 29 * day }, true],
    ['31 days old', { createdAt: now - 31 * day }, false],
    ['hidden by moderation', { hidden: true }, false],
  ])('%s → %s', (_n, over, found) => {
    expect(nearestDuplicate([c(over)], here, now) !== null).toBe(found);
  });

  it('picks the nearest of several', () => {
    const found = nearestDuplicate([c({ id: 'far', lat: north(20) }), c({ id: 'near', lat: north(5) })], here, now);
    expect(found?.id).toBe('near');
    expect(found!.distanceM).toBeGreaterThan(4);
    expect(found!.distanceM).toBeLessThan(6);
  });
});

describe('daily limit (days are JST days: calendar/jst.ts, tested in rules.test.ts)', () => {
  it.each([
    [0, true],
    [9, true],
    [10, false],
    [11, false],
  ])('%i sent today → may send: %s', (n, ok) => expect(underDailyLimit(n)).toBe(ok));
});

describe('report numbers', () => {
  it.each([
    [2026, 1, 'R-2026-000001'],
    [2026, 123, 'R-2026-000123'],
    [2027, 999_999, 'R-2027-999999'],
    [2027, 1_000_000, 'R-2027-1000000'],
  ])('%i #%i → %s', (y, n, s) => expect(formatReportNumber(y, n)).toBe(s));
});

describe('status transitions', () => {
  const all: ReportStatus[] = [
    'received',
    'accepted',
    'in_progress',
    'resolved',
    'not_city_managed',
    'duplicate',
    'rejected',
  ];
  const allowed: Record<ReportStatus, ReportStatus[]> = {
    received: ['accepted', 'in_progress', 'resolved', 'not_city_managed', 'duplicate', 'rejected'],
    accepted: ['in_progress', 'resolved', 'not_city_managed', 'duplicate', 'rejected'],
    in_progress: ['accepted', 'resolved', 'not_city_managed', 'duplicate', 'rejected'],
    resolved: ['accepted', 'in_progress'],
    not_city_managed: ['accepted'],
    duplicate: ['accepted'],
    rejected: ['accepted'],
  };
  const table = all.flatMap((from) => all.map((to) => [from, to, allowed[from].includes(to)] as const));
  it.each(table)('%s → %s: %s', (from, to, ok) => expect(canTransition(from, to)).toBe(ok));

  it.each<[ReportStatus, ReportStatus, string | null, boolean]>([
    ['received', 'accepted', null, false],
    ['received', 'accepted', '  ', false],
    ['received', 'accepted', '現地を確認します', true],
    ['accepted', 'in_progress', null, false],
    ['in_progress', 'accepted', null, false],
    ['in_progress', 'resolved', null, true],
    ['received', 'not_city_managed', null, true],
    ['received', 'duplicate', null, true],
    ['received', 'rejected', null, true],
    // Reopening: they were told it was closed, so they are told it is open again.
    ['resolved', 'accepted', null, true],
    ['resolved', 'in_progress', null, true],
    ['not_city_managed', 'accepted', null, true],
    ['duplicate', 'accepted', null, true],
    ['rejected', 'accepted', null, true],
  ])('%s → %s with note %j tells the reporter: %s', (from, to, note, yes) =>
    expect(notifiesReporter(from, to, note)).toBe(yes),
  );

  it.each<[ReportStatus, ReportStatus, boolean]>([
    ['resolved', 'accepted', true],
    ['rejected', 'accepted', true],
    ['in_progress', 'accepted', false],
    ['received', 'resolved', false],
    ['resolved', 'resolved', false],
  ])('%s → %s is a reopening: %s', (from, to, yes) => expect(isReopening(from, to)).toBe(yes));

  it.each<[ReportStatus, string]>([
    ['received', 'open'],
    ['accepted', 'open'],
    ['in_progress', 'open'],
    ['resolved', 'closed'],
    ['not_city_managed', 'closed'],
    ['duplicate', 'closed'],
    ['rejected', 'closed'],
  ])('Open311 status of %s is %s', (s, o) => expect(open311Status(s)).toBe(o));
});

describe('personal data in a description (terms §1(6))', () => {
  it.each([
    ['道路に穴があります', false, false],
    ['090-1234-5678 の山田さんの家の前', true, false],
    ['09012345678に連絡して', true, false],
    ['０８６－８０３－１０００', true, false],
    ['086(803)1000', true, false],
    ['+81 90 1234 5678', true, false],
    ['taro.yamada@example.com に写真あり', false, true],
    ['ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ', false, true],
    ['電柱番号 12-345 の横', false, false],
    ['2026年11月28日から', false, false],
    ['幅30cm 深さ10cm', false, false],
  ])('%s → phone %s, e-mail %s', (text, phone, email) => {
    expect(personalDataHints(text)).toEqual({ phone, email });
  });

  // What phones and hands type between the groups: every dash-like character, dots, brackets, spaces.
  it.each([
    '連絡は０９０ー１２３４ー５６７８まで',
    '090ｰ1234ｰ5678',
    '090−1234−5678',
    '090‐1234‐5678',
    '090‑1234‑5678',
    '090‒1234‒5678',
    '090–1234–5678',
    '090—1234—5678',
    '090―1234―5678',
    '090﹣1234﹣5678',
    '090－1234－5678',
    '090.1234.5678',
    '０９０．１２３４．５６７８',
    '090 1234 5678',
    '090　1234　5678',
    '(086)803-1000',
    '（０８６）８０３－１０００',
    '086 - 803 - 1000',
    '0120-123-456',
    '+81-90-1234-5678',
    '+81 (0)90 1234 5678',
    '2026-12-01 090-1234-5678',
    '090-1234-5678 2026年',
  ])('%s: warned about and blanked with none of its digits left', (text) => {
    expect(personalDataHints(text).phone).toBe(true);
    const out = redactPersonalData(text);
    expect(out).toContain('［削除］');
    for (const digits of ['1234', '5678', '803', '1000', '123-456', '0120'])
      if (text.normalize('NFKC').includes(digits)) expect(out).not.toContain(digits);
  });

  it.each([
    ['2026-12-01', '2026-12-01'],
    ['2026.12.01に気づきました', '2026.12.01に気づきました'],
    ['番地 3-2-1 の前', '番地 3-2-1 の前'],
    ['電柱 No.12-345', '電柱 No.12-345'],
    ['穴が3つ、深さ0.5m', '穴が3つ、深さ0.5m'],
    ['幅 120 cm、長さ 300 cm', '幅 120 cm、長さ 300 cm'],
    ['令和8年12月1日 10:30頃', '令和8年12月1日 10:30頃'],
    ['34.66532, 133.91800', '34.66532, 133.91800'],
  ])('%s: an ordinary number, neither warned about nor blanked', (text, out) => {
    expect(personalDataHints(text).phone).toBe(false);
    expect(redactPersonalData(text)).toBe(out);
  });

  it('blanks the whole number and keeps the words around it', () => {
    expect(redactPersonalData('連絡は（０８６）８０３ー１０００まで')).toBe('連絡は［削除］まで');
    expect(redactPersonalData('(086)803-1000 か 090ー1234ー5678 へ')).toBe('［削除］ か ［削除］ へ');
  });
});

describe('department mail backoff', () => {
  it.each([
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [7, 3_600_000],
    [20, 3_600_000],
  ])('after %i attempts wait %i ms', (n, ms) => expect(mailBackoffMs(n)).toBe(ms));
});

describe('what a resident sees is what counts (their limits count graphemes)', () => {
  it.each([
    [1000, 'あ'.repeat(1000)],
    [1000, '👍🏽'.repeat(1000)],
    [1000, '👨‍👩‍👧'.repeat(1000)],
    [1000, 'e\u0301'.repeat(1000)],
    [1001, '👍🏽'.repeat(1001)],
  ])('a description of %i characters as a person sees them', (n, text) => {
    expect(descriptionLength(text)).toBe(n);
  });

  it.each([
    ['道路', '道路'],
    ['👨‍👩‍👧'.repeat(20), '👨‍👩‍👧'.repeat(20)],
    ['👨‍👩‍👧'.repeat(21), `${'👨‍👩‍👧'.repeat(19)}…`],
    ['あ'.repeat(21), `${'あ'.repeat(19)}…`],
  ])('a quick-reply label %s fits LINE’s 20 graphemes whole', (name, out) => {
    expect(label(name)).toBe(out);
  });
});

describe('contentRetryWorthIt: a photo LINE fails to hand over is left to the inbox, then asked for again', () => {
  const at = 1_800_000_000_000;
  it.each([
    ['the first try', 0, true],
    ['the fifth try of the inbox (about 30 s)', 30_000, true],
    ['just inside the window', CONTENT_RETRY_WINDOW_MS - 1, true],
    ['at the window', CONTENT_RETRY_WINDOW_MS, false],
    ['the sixth and last try (about 62 s)', 62_000, false],
  ])('%s → %s', (_label, age, retry) => {
    expect(contentRetryWorthIt(at, at + age)).toBe(retry);
  });
  it('ends inside the inbox’s six tries (backoff 2+4+8+16+32 s), so the last one answers', () => {
    expect(CONTENT_RETRY_WINDOW_MS).toBeGreaterThan(2_000 + 4_000 + 8_000 + 16_000);
    expect(CONTENT_RETRY_WINDOW_MS).toBeLessThan(2_000 + 4_000 + 8_000 + 16_000 + 32_000);
  });
});
