import { describe, expect, it } from 'vitest';
import {
  codeLock,
  inviteState,
  issueDetail,
  parseCsv,
  planImport,
  readDisplayName,
  readImportRow,
  usesLeft,
  WRONG_CODE_WINDOW_MS,
} from '../src/communities/rules';
import { menu, pb } from '../src/communities/texts';
import { lineLength, LINE_LIMITS } from '../src/line/limits';
import { jst } from '../src/calendar/jst';
import { tickTime } from '../scripts/lib/community-post';

const HOUR = WRONG_CODE_WINDOW_MS;

describe('display names', () => {
  it.each([
    ['3班 山田', '3班 山田'],
    ['  山田  ', '山田'],
    ['山田\u3000 花子', '山田 花子'],
    ['あ'.repeat(20), 'あ'.repeat(20)],
    ['👨‍👩‍👧'.repeat(20), '👨‍👩‍👧'.repeat(20)],
    ['あ'.repeat(21), null],
    ['', null],
    ['   ', null],
    ['山田\u202E', null],
    ['a\u0007b', null],
  ])('%j → %j', (text, name) => {
    expect(readDisplayName(text)).toBe(name);
  });
});

describe('invite states', () => {
  const base = { expiresAt: null, maxUses: null, uses: 0, revokedAt: null };
  it.each([
    [{}, 100, 'usable'],
    [{ expiresAt: 101 }, 100, 'usable'],
    [{ expiresAt: 100 }, 100, 'expired'],
    [{ maxUses: 3, uses: 2 }, 100, 'usable'],
    [{ maxUses: 3, uses: 3 }, 100, 'used_up'],
    [{ revokedAt: 5, expiresAt: 50, maxUses: 1, uses: 1 }, 100, 'revoked'],
    [{ expiresAt: 50, maxUses: 1, uses: 1 }, 100, 'expired'],
  ])('%j at %d → %s', (over, now, state) => {
    expect(inviteState({ ...base, ...over }, now)).toBe(state);
  });

  it.each([
    [null, 7, null],
    [10, 3, 7],
    [3, 5, 0],
  ])('maxUses %j, uses %d → %j left', (maxUses, uses, left) => {
    expect(usesLeft({ maxUses, uses })).toBe(left);
  });
});

describe('the wrong-code lock', () => {
  it.each([
    { times: undefined, now: HOUR, locked: false },
    { times: [1, 2, 3, 4], now: HOUR, locked: false },
    { times: [0, 10, 20, 30, 40], now: 100, locked: true, until: HOUR },
    { times: [0, 10, 20, 30, 40], now: HOUR - 1, locked: true, until: HOUR },
    { times: [0, 10, 20, 30, 40], now: HOUR, locked: false },
    { times: [10, 20, 30, 40, 50, 60], now: HOUR + 15, locked: true, until: HOUR + 20 },
  ])('$times at $now → locked $locked', ({ times, now, locked, until }) => {
    const r = codeLock(times, now);
    expect(r.locked).toBe(locked);
    if (until !== undefined) expect(r.until).toBe(until);
    // Only the times that still count are kept.
    expect(r.times.every((t) => now - t < HOUR)).toBe(true);
  });
});

describe('import rows', () => {
  it.each([
    [
      { name: 'A', kind: 'unit' },
      { name: 'A', kind: 'unit', parent: null, district: null },
    ],
    [
      { name: ' A ', kind: 'unit', parent: ' F ', district: '' },
      { name: 'A', kind: 'unit', parent: 'F', district: null },
    ],
    [
      { name: 'F', kind: 'federation', district: '石井' },
      { name: 'F', kind: 'federation', parent: null, district: '石井' },
    ],
    [{ name: 'A', kind: 'town' }, 'kind'],
    [{ kind: 'unit' }, 'name'],
    [{ name: 'A'.repeat(101), kind: 'unit' }, 'name'],
    [{ name: 'F', kind: 'federation', parent: 'G' }, 'parent'],
    [{ name: 'A', kind: 'unit', extra: 1 }, 'extra'],
    [{ name: 3, kind: 'unit' }, 'name'],
    ['a string', '(row)'],
  ])('%j → %j', (raw, out) => {
    const r = readImportRow(raw, 0);
    if (typeof out === 'string') expect('field' in r && r.field).toBe(out);
    else expect(r).toEqual(out);
  });

  const known = [
    { id: 'f1', name: '北連合', kind: 'federation' as const },
    { id: 'u1', name: '一丁目', kind: 'unit' as const },
    { id: 'f2', name: '同名', kind: 'federation' as const },
    { id: 'f3', name: '同名', kind: 'federation' as const },
  ];
  let n = 0;
  const ids = () => `new-${++n}`;

  it('resolves parents by id, by stored name and by a name in the same import (earlier or later)', () => {
    const plan = planImport(
      [
        { name: 'A', kind: 'unit', parent: 'f1' },
        { name: 'B', kind: 'unit', parent: '北連合' },
        { name: 'C', kind: 'unit', parent: '新連合' },
        { name: '新連合', kind: 'federation' },
      ],
      known,
      ids,
    );
    if (!('rows' in plan)) throw new Error(JSON.stringify(plan));
    expect(plan.rows.map((r) => r.parentId)).toEqual(['f1', 'f1', plan.rows[3]!.id, null]);
  });

  it.each([
    [[{ name: 'A', kind: 'unit', parent: 'u1' }], 0, 'parent', 'must be a federation'],
    [[{ name: 'A', kind: 'unit', parent: '一丁目' }], 0, 'parent', 'names no federation'],
    [[{ name: 'A', kind: 'unit', parent: '同名' }], 0, 'parent', 'more than one'],
    [
      [
        { name: 'A', kind: 'unit' },
        { name: 'A', kind: 'unit' },
      ],
      1,
      'name',
      'twice',
    ],
  ])('refuses %j at row %d (%s)', (raws, row, field, message) => {
    const plan = planImport(raws, known, ids);
    expect('issue' in plan && plan.issue).toMatchObject({ row, field, message: expect.stringContaining(message) });
  });

  it('names the row zero-based for JSON and by line for CSV', () => {
    const issue = { row: 2, field: 'kind', message: 'must be federation or unit' };
    expect(issueDetail(issue, 'json')).toBe('rows[2].kind: must be federation or unit');
    expect(issueDetail(issue, 'csv', [2, 3, 4])).toBe('line 4: kind: must be federation or unit');
  });
});

describe('CSV', () => {
  it('reads a header in any order, quotes, doubled quotes, CRLF, a BOM and blank lines', () => {
    const r = parseCsv('\uFEFFkind,name,district\r\nunit,"A ""1"", 2",\r\n\r\nfederation,F,"x\ny"\n');
    if (!('records' in r)) throw new Error(r.message);
    expect(r.records).toEqual([
      { kind: 'unit', name: 'A "1", 2', district: '' },
      { kind: 'federation', name: 'F', district: 'x\ny' },
    ]);
    expect(r.lines).toEqual([2, 4]);
  });

  it.each([
    ['', 1, 'header'],
    ['foo,bar\n1,2', 1, 'header'],
    ['name,kind\nA,unit,extra', 2, 'fields'],
    ['name,kind\n"A,unit', 2, 'not closed'],
  ])('%j → line %d', (csv, line, message) => {
    const r = parseCsv(csv);
    expect('line' in r && r).toMatchObject({ line, message: expect.stringContaining(message) });
  });
});

describe('the chat’s buttons', () => {
  it('the membership list fits LINE: ≤ 13 quick replies, labels ≤ 20 characters, postback data round trips', () => {
    const list = Array.from({ length: 15 }, (_, i) => ({
      communityId: `id-${i}`,
      name: `とても長い名前の単位町内会その${i}番目の町内会`,
      kind: 'unit' as const,
      parentName: '北連合',
      displayName: null,
    }));
    for (const lang of ['ja', 'en'] as const) {
      const m = menu(lang, list) as { quickReply: { items: { action: { label: string; data: string } }[] } };
      expect(m.quickReply.items.length).toBeLessThanOrEqual(LINE_LIMITS.quickReplyItems);
      for (const item of m.quickReply.items)
        expect(lineLength('action.label', item.action.label)).toBeLessThanOrEqual(LINE_LIMITS.labelChars);
      expect(m.quickReply.items[1]!.action.data).toBe(pb('leave', 'id-0'));
    }
    expect(Object.fromEntries(new URLSearchParams(pb('leave', 'a&b=c')))).toEqual({
      action: 'community',
      cmd: 'leave',
      id: 'a&b=c',
    });
  });
});

describe('community-tour’s cron tick', () => {
  it.each([
    ['2026-12-01T07:00', '2026-12-01T07:00'],
    ['2026-12-01T20:59', '2026-12-01T20:59'],
    ['2026-12-01T21:00', '2026-12-02T09:00'],
    ['2026-12-01T06:59', '2026-12-01T09:00'],
    ['2026-12-31T23:30', '2027-01-01T09:00'],
  ])('at %s JST the tick runs at %s JST (inside the association window)', (now, tick) => {
    expect(tickTime(jst(now))).toBe(jst(tick));
  });
});
