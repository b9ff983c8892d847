import { HTTPFetchError } from '@line/bot-sdk';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { isJstDate, jst, jstDayStart, jstIsoString, jstParts, jstText, jstYear } from '../src/calendar/jst';
import { backoffMs } from '../src/conversation/inbox';
import { concatBytes } from '../src/http/bytes';
import { LOG_STRING_MAX, log } from '../src/http/log';
import { readCapped } from '../src/http/read-capped';
import {
  handlerErrorRetryable,
  policyAnswerDue,
  serviceFromText,
  needsConsent,
  startData,
  startFromText,
} from '../src/conversation/rules';
import { langOf } from '../src/i18n';
import { classifyLineError, TimeoutError, withTimeout } from '../src/line/client';
import { replyTokenIsFresh } from '../src/line/deliver';
import { conversationUserId, eventKey, parseEvent, type LineEvent } from '../src/line/events';
import { userRef } from '../src/line/user-ref';
import corpus from './fixtures/line-sdk-python-webhook-v3.json';

const HOUR = 3_600_000;

describe('policyAnswerDue', () => {
  it.each([
    { last: undefined, now: 0, due: true, why: 'first message always answered' },
    { last: 1_000, now: 1_000, due: false, why: 'just answered' },
    { last: 1_000, now: 1_000 + HOUR - 1, due: false, why: 'one ms short of an hour' },
    { last: 1_000, now: 1_000 + HOUR, due: true, why: 'exactly an hour' },
  ])('$why → $due', ({ last, now, due }) => expect(policyAnswerDue(last, now)).toBe(due));
});

describe('serviceFromText', () => {
  it.each([
    ['通報', 'report'],
    [' 通報 ', 'report'],
    ['欠席連絡', 'absence'],
    ['町内会', 'community'],
    ['設定', 'settings'],
    ['道路に穴が開いています。通報します', null],
    ['', null],
    // Names on Object.prototype are not keywords.
    ['constructor', null],
    ['toString', null],
    ['__proto__', null],
    ['hasOwnProperty', null],
  ])('%j → %s', (text, service) => expect(serviceFromText(text)).toBe(service));

  it.each([
    ['連絡履歴', { service: 'absence', entry: 'history' }, 'action=start&service=absence&entry=history'],
    ['子どもを追加', { service: 'absence', entry: 'add_child' }, 'action=start&service=absence&entry=add_child'],
    ['欠席', { service: 'absence' }, 'action=start&service=absence'],
  ])('%j starts %o, as the postback %s would', (text, start, data) => {
    expect(startFromText(text)).toEqual(start);
    expect(startData(start as never)).toBe(data);
  });

  it('settings need no consent; services on residents’ data do', () => {
    expect(needsConsent('settings')).toBe(false);
    expect(needsConsent('report')).toBe(true);
    expect(needsConsent('absence')).toBe(true);
    expect(needsConsent('community')).toBe(true);
  });
});

describe('replyTokenIsFresh', () => {
  it.each([
    { age: 0, fresh: true },
    { age: 49_999, fresh: true },
    { age: 50_000, fresh: false },
    { age: 120_000, fresh: false },
  ])('a token $age ms old is fresh: $fresh', ({ age, fresh }) =>
    expect(replyTokenIsFresh(1_000_000, 1_000_000 + age)).toBe(fresh),
  );
});

describe('classifyLineError', () => {
  const http = (status: number, body = '{"message":"m"}') =>
    new HTTPFetchError('x', { status, statusText: '', headers: new Headers(), body });
  it.each([
    { err: http(409), kind: 'accepted' },
    { err: http(429), kind: 'rate_limited' },
    { err: http(500), kind: 'retry' },
    { err: http(503), kind: 'retry' },
    { err: http(400), kind: 'rejected' },
    { err: http(403), kind: 'rejected' },
    { err: new TimeoutError('slow'), kind: 'retry' },
    { err: new TypeError('fetch failed'), kind: 'retry' },
  ])('$err.message/$err.status → $kind', ({ err, kind }) => expect(classifyLineError(err).kind).toBe(kind));

  it('keeps LINE’s message and details', () => {
    const e = classifyLineError(
      http(
        400,
        '{"message":"The request body has 1 error(s)","details":[{"message":"must be specified","property":"messages[0].text"}]}',
      ),
    );
    expect(e.message).toBe('The request body has 1 error(s) (messages[0].text: must be specified)');
  });
});

describe('backoffMs', () => {
  it('doubles and is capped', () => {
    expect([1, 2, 3].map(backoffMs)).toEqual([2_000, 4_000, 8_000]);
    expect(backoffMs(20)).toBe(600_000);
  });
});

describe('which events reach a conversation', () => {
  const base = { type: 'message', timestamp: 1, mode: 'active', source: { type: 'user', userId: 'U1' } } as LineEvent;
  it.each([
    { name: '1:1 message', ev: base, to: 'U1' },
    { name: 'group message', ev: { ...base, source: { type: 'group', groupId: 'C1', userId: 'U1' } }, to: null },
    { name: 'room message', ev: { ...base, source: { type: 'room', roomId: 'R1', userId: 'U1' } }, to: null },
    { name: 'standby', ev: { ...base, mode: 'standby' }, to: null },
    { name: 'beacon', ev: { ...base, type: 'beacon' }, to: null },
    { name: 'unknown type', ev: { ...base, type: 'somethingNew' }, to: null },
    { name: 'follow', ev: { ...base, type: 'follow' }, to: 'U1' },
  ])('$name → $to', ({ ev, to }) => expect(conversationUserId(ev as LineEvent)).toBe(to));

  it('keys an event without webhookEventId by what identifies it', () => {
    expect(eventKey({ ...base, webhookEventId: 'W1' } as LineEvent)).toBe('W1');
    expect(eventKey({ ...base, message: { id: 'M9', type: 'text' } } as LineEvent)).toBe('message:1:M9');
  });
});

describe('langOf', () => {
  it.each([
    ['en', 'en'],
    ['en-US', 'en'],
    ['ja', 'ja'],
    [null, 'ja'],
    ['zh-TW', 'ja'],
  ])('%s → %s', (l, lang) => expect(langOf(l)).toBe(lang));
});

describe('withTimeout', () => {
  it('gives up on a call that hangs, as a TimeoutError (retried like a 5xx)', async () => {
    const hang = new Promise<never>(() => {});
    const err = await withTimeout(hang, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(classifyLineError(err).kind).toBe('retry');
  });

  it('passes through an answer that comes in time', async () => {
    expect(await withTimeout(Promise.resolve('ok'), 1_000)).toBe('ok');
  });
});

describe('JST dates (calendar/jst.ts, used wherever JST meets the code)', () => {
  it.each([
    // 2026-11-28 23:59 JST is 14:59 UTC: the day started at 11-27 15:00 UTC.
    [Date.UTC(2026, 10, 28, 14, 59), Date.UTC(2026, 10, 27, 15, 0)],
    // 2026-11-29 00:00 JST: a new day.
    [Date.UTC(2026, 10, 28, 15, 0), Date.UTC(2026, 10, 28, 15, 0)],
    [Date.UTC(2026, 10, 28, 3, 0), Date.UTC(2026, 10, 27, 15, 0)],
  ])('jstDayStart(%i) = %i', (now, start) => expect(jstDayStart(now)).toBe(start));

  it.each([
    [Date.UTC(2026, 11, 31, 14, 59), 2026],
    [Date.UTC(2026, 11, 31, 15, 0), 2027],
  ])('jstYear(%i) = %i (report numbers follow the Japanese new year)', (now, y) => expect(jstYear(now)).toBe(y));

  it.each([
    [Date.UTC(2026, 10, 28, 3, 34, 56, 789), '2026-11-28T12:34:56+09:00'],
    [Date.UTC(2026, 10, 28, 14, 59, 59, 999), '2026-11-28T23:59:59+09:00'],
    [Date.UTC(2026, 10, 28, 15, 0), '2026-11-29T00:00:00+09:00'],
    [Date.UTC(2026, 11, 31, 15, 0), '2027-01-01T00:00:00+09:00'],
  ])('jstIsoString(%i) = %s (Open311 date-times)', (ms, s) => {
    expect(jstIsoString(ms)).toBe(s);
    expect(Date.parse(s)).toBe(Math.floor(ms / 1000) * 1000);
  });

  it.each([
    [Date.UTC(2026, 10, 28, 14, 59, 59, 999), '2026/11/28 23:59'],
    [Date.UTC(2026, 10, 28, 15, 0), '2026/11/29 00:00'],
    [Date.UTC(2026, 11, 31, 15, 0), '2027/01/01 00:00'],
    [Date.UTC(2027, 0, 4, 0, 5), '2027/01/04 09:05'],
    [Date.UTC(2026, 0, 1, 3, 7), '2026/01/01 12:07'],
  ])('jstText(%i) = %s (the department mail)', (ms, s) => expect(jstText(ms)).toBe(s));

  it.each([
    ['2026-12-04T08:30', Date.UTC(2026, 11, 3, 23, 30)],
    ['2027-01-01T00:00', Date.UTC(2026, 11, 31, 15, 0)],
  ])('jst(%s) = %i', (local, ms) => expect(jst(local)).toBe(ms));

  it('jst refuses what is not a date-time', () => expect(() => jst('tomorrow')).toThrow(/not a JST date-time/));

  it.each([
    // 2026-11-29 is a Sunday; 00:00 JST is still Saturday in UTC.
    [jst('2026-11-29T00:00'), { year: 2026, month: 11, day: 29, weekday: 0, minutes: 0, date: '2026-11-29' }],
    [jst('2026-11-28T23:59'), { year: 2026, month: 11, day: 28, weekday: 6, minutes: 1439, date: '2026-11-28' }],
    [jst('2027-01-04T08:30'), { year: 2027, month: 1, day: 4, weekday: 1, minutes: 510, date: '2027-01-04' }],
  ])('jstParts(%i)', (ms, parts) => expect(jstParts(ms)).toEqual(parts));

  it.each([
    ['2026-12-29', true],
    ['2028-02-29', true],
    ['2027-02-29', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['2026-12-29T00:00', false],
    ['', false],
  ])('isJstDate(%j) = %s', (s, ok) => expect(isJstDate(s)).toBe(ok));
});

describe('concatBytes', () => {
  const b = (...xs: number[]) => new Uint8Array(xs);
  it.each([
    { parts: [], out: [] },
    { parts: [b(1, 2)], out: [1, 2] },
    { parts: [b(1), b(), b(2, 3), b(4)], out: [1, 2, 3, 4] },
    { parts: [b(1, 2, 3).subarray(1), b(9)], out: [2, 3, 9] },
  ])('$out', ({ parts, out }) => expect([...concatBytes(parts)]).toEqual(out));
});

describe('readCapped over the cap (issue 8, finding 6)', () => {
  /** A body of `chunks` × 64 KiB that records how far it was read and whether it was cancelled. */
  function body(chunks: number) {
    const seen = { pulled: 0, cancelled: false };
    const chunk = new Uint8Array(64 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (seen.pulled === chunks) return controller.close();
        seen.pulled += 1;
        controller.enqueue(chunk);
      },
      cancel() {
        seen.cancelled = true;
      },
    });
    return { stream, seen };
  }

  // Cancelling a request body half-read restarts the local worker (wrangler dev); reading on costs only time.
  it.each([
    { name: 'a declared content-length over the cap', length: String(32 * 64 * 1024) },
    { name: 'a chunked body', length: null },
  ])('reads $name to its end instead of cancelling it', async ({ length }) => {
    const { stream, seen } = body(32);
    const headers = new Headers(length ? { 'content-length': length } : {});
    expect(await readCapped(stream, headers, 1024 * 1024, 'drain')).toBeNull();
    expect(seen).toEqual({ pulled: 32, cancelled: false });
  });
});

describe('the worker log (issue 8, finding 4)', () => {
  function logged(msg: string, fields: Record<string, unknown>): Record<string, unknown> {
    let out = '';
    const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => {
      out = s;
    });
    try {
      log.info(msg, fields);
    } finally {
      spy.mockRestore();
    }
    return JSON.parse(out);
  }
  const uid = `U${'0123456789abcdef'.repeat(2)}`;

  it.each([
    { name: 'a short string', value: 'follow', out: 'follow' },
    { name: 'a long string, clipped', value: 'x'.repeat(10_000), out: `${'x'.repeat(LOG_STRING_MAX)}…` },
    { name: 'a user ID, blanked', value: `message:${uid}:1:M9`, out: 'message:U…:1:M9' },
    { name: 'an error, by its message', value: new TypeError(`no ${uid}`), out: 'no U…' },
    { name: 'an object, as JSON', value: { to: uid }, out: '{"to":"U…"}' },
    { name: 'a number', value: 3, out: 3 },
  ])('logs $name', ({ value, out }) => expect(logged('m', { v: value }).v).toEqual(out));

  it('clips the message and the keys too', () => {
    const line = logged('m'.repeat(1_000), { ['k'.repeat(1_000)]: 1 });
    expect((line.msg as string).length).toBe(LOG_STRING_MAX + 1);
    expect(Object.keys(line).every((k) => k.length <= LOG_STRING_MAX + 1)).toBe(true);
  });

  it('refers to a user by a keyed 8-hex reference, the same for the same secret only', async () => {
    const ref = await userRef('secret', uid);
    expect(ref).toMatch(/^[0-9a-f]{8}$/);
    expect(await userRef('secret', uid)).toBe(ref);
    expect(await userRef('another secret', uid)).not.toBe(ref);
  });
});

describe('parseEvent: each event on its own (issue 8, findings 7 and 8)', () => {
  it.each(corpus.events.map((e, i) => ({ i, type: e.type, e })))('accepts LINE’s corpus event $i ($type)', ({ e }) =>
    expect(parseEvent(e).ok).toBe(true),
  );

  const ev = {
    type: 'message',
    timestamp: 1,
    mode: 'active',
    source: { type: 'user', userId: 'U1' },
    webhookEventId: 'W1',
    deliveryContext: { isRedelivery: false },
    replyToken: 'r',
    message: { id: 'M1', type: 'text', text: 'hi' },
  };
  const location = { id: 'M2', type: 'location', latitude: 34.6, longitude: 133.9 };
  it.each([
    { name: 'a text message', e: ev, problem: null },
    { name: 'an unknown event type with extra keys', e: { ...ev, type: 'somethingNew', extra: 1 }, problem: null },
    { name: 'an unknown message type', e: { ...ev, message: { id: 'M1', type: 'hologram' } }, problem: null },
    { name: 'a location without address or title', e: { ...ev, message: location }, problem: null },
    { name: 'replyToken null', e: { ...ev, replyToken: null }, problem: 'replyToken' },
    { name: 'mode null', e: { ...ev, mode: null }, problem: 'mode' },
    { name: 'deliveryContext null', e: { ...ev, deliveryContext: null }, problem: 'deliveryContext' },
    { name: 'a numeric userId', e: { ...ev, source: { type: 'user', userId: 1 } }, problem: 'source.userId' },
    { name: 'no timestamp', e: { ...ev, timestamp: undefined }, problem: 'timestamp' },
    { name: 'a message without an id', e: { ...ev, message: { type: 'text', text: 'x' } }, problem: 'message.id' },
    { name: 'text a number', e: { ...ev, message: { id: 'M1', type: 'text', text: 42 } }, problem: 'message.text' },
    {
      name: 'address a number',
      e: { ...ev, message: { ...location, address: 7 } },
      problem: 'message.address',
    },
    {
      name: 'latitude a string',
      e: { ...ev, message: { ...location, latitude: '34.6' } },
      problem: 'message.latitude',
    },
    { name: 'postback data a number', e: { ...ev, type: 'postback', postback: { data: 1 } }, problem: 'postback.data' },
    { name: 'no postback', e: { ...ev, type: 'postback' }, problem: 'postback' },
    { name: 'a string', e: 'event', problem: 'event' },
  ])('$name → $problem', ({ e, problem }) => {
    const parsed = parseEvent(e);
    if (problem === null) expect(parsed).toMatchObject({ ok: true });
    else expect(parsed).toMatchObject({ ok: false, problem: expect.stringMatching(new RegExp(`^${problem}: `)) });
  });
});

describe('handlerErrorRetryable (issue 8, finding 8)', () => {
  it.each([
    { err: new TypeError('text.trim is not a function'), retry: false },
    { err: new RangeError('Invalid time value'), retry: false },
    { err: new SyntaxError('Unexpected token'), retry: false },
    { err: new ReferenceError('x is not defined'), retry: false },
    { err: z.string().safeParse(1).error, retry: false },
    { err: new Error('D1_ERROR: database is locked'), retry: true },
    { err: new TimeoutError('LINE call timed out'), retry: true },
    { err: 'a thrown string', retry: true },
  ])('$err → retry: $retry', ({ err, retry }) => expect(handlerErrorRetryable(err)).toBe(retry));
});
