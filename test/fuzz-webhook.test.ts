import { exports } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signBody } from '../src/line/signature';
import corpus from './fixtures/line-sdk-python-webhook-v3.json';
import { fuzzParams } from './helpers/fuzz';
import { CHANNEL_SECRET, conversation, drain, envelope, events, newUserId, say } from './helpers/line';

/**
 * Webhook bodies made by mutating the LINE SDK's own corpus (issue 12, section 4), each
 * signed with the channel secret. The door may refuse a body (400), or find it too large
 * (413), but never answers 5xx; after any answer it goes on working; and no event, however
 * odd, makes its resident's inbox wait.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const CORPUS = corpus.events as unknown as { [k: string]: Json }[];

/** Nested `depth` arrays (or objects) deep around a value. */
function nest(depth: number, inner: Json, asObject: boolean): Json {
  let v = inner;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 63), 1e308, 'constructor', '__proto__', 'toString', '', ' '),
  fc.string({ unit: 'binary' }),
  fc.string({ minLength: 2_000, maxLength: 6_000 }),
  fc.integer({ min: 60_000, max: 400_000 }).map((n) => 'あ'.repeat(n)),
  fc.array(fc.jsonValue(), { maxLength: 5 }) as fc.Arbitrary<Json>,
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }) as fc.Arbitrary<Json>,
  fc.tuple(fc.integer({ min: 10, max: 3_000 }), fc.boolean()).map(([d, o]) => nest(d, 'deep', o)),
);

/** Every path to a value inside an event, the event itself included (as []). */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  const children: [string | number, Json][] = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : v && typeof v === 'object'
      ? Object.entries(v)
      : [];
  for (const [k, x] of children) out.push(...paths(x, [...at, k]));
  return out;
}

type Mutation =
  | { op: 'set'; pick: number; value: Json }
  | { op: 'delete'; pick: number }
  | { op: 'extra'; pick: number; key: string; value: Json }
  | { op: 'type'; where: 'event' | 'message' | 'source'; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: oddValue }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('extra' as const), pick: fc.nat(), key: fc.string(), value: oddValue }),
  fc.record({
    op: fc.constant('type' as const),
    where: fc.constantFrom('event' as const, 'message' as const, 'source' as const),
    value: fc.oneof(fc.string(), fc.constantFrom('message', 'postback', 'follow', 'sticker', 'image', 'user', 'group')),
  }),
);

function mutate(event: { [k: string]: Json }, m: Mutation): void {
  if (m.op === 'type') {
    const target = m.where === 'event' ? event : event[m.where];
    if (target && typeof target === 'object' && !Array.isArray(target)) target.type = m.value;
    return;
  }
  const all = paths(event).filter((p) => p.length > 0);
  const path = all[m.pick % all.length];
  if (!path) return;
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k]!, event) as
    Record<string, Json> | Json[];
  const key = path.at(-1)!;
  if (m.op === 'set') (parent as Record<string, Json>)[key] = m.value;
  else if (m.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key as string];
  } else {
    const value = (parent as Record<string, Json>)[key];
    if (value && typeof value === 'object' && !Array.isArray(value)) value[m.key] = m.value;
  }
}

/** Changes made to the JSON text itself, which no object can carry. */
type TextMutation = 'none' | 'duplicate-keys' | 'invalid-utf8' | 'truncated' | 'bom' | 'deep-envelope';
const textMutation = fc.constantFrom<TextMutation>(
  'none',
  'none',
  'duplicate-keys',
  'invalid-utf8',
  'truncated',
  'bom',
  'deep-envelope',
);

function bytesOf(text: string, m: TextMutation, cut: number): Uint8Array {
  const enc = new TextEncoder();
  switch (m) {
    case 'duplicate-keys':
      // The last duplicate wins in JSON.parse: a type, a user and a text given twice.
      return enc.encode(
        text
          .replace(/"type":"([^"]*)"/, '"type":"$1","type":"unknownType"')
          .replace(/"userId":/, '"userId":"U0","userId":'),
      );
    case 'invalid-utf8': {
      const b = enc.encode(text);
      const out = new Uint8Array(b.length + 3);
      const at = cut % Math.max(1, b.length);
      out.set(b.subarray(0, at));
      out.set([0xff, 0xc3, 0x28], at);
      out.set(b.subarray(at), at + 3);
      return out;
    }
    case 'truncated':
      return enc.encode(text.slice(0, cut % Math.max(1, text.length)));
    case 'bom':
      return enc.encode(`\uFEFF${text}`);
    case 'deep-envelope':
      return enc.encode(`${'['.repeat(20_000)}${text}${']'.repeat(20_000)}`);
    default:
      return enc.encode(text);
  }
}

async function post(bytes: Uint8Array): Promise<Response> {
  return exports.default.fetch('https://bot.example.jp/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-line-signature': await signBody(CHANNEL_SECRET, bytes) },
    body: bytes,
  });
}

const input = fc.record({
  picks: fc.array(fc.nat({ max: CORPUS.length - 1 }), { minLength: 1, maxLength: 4 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  text: textMutation,
  cut: fc.nat(),
  envelopeExtra: fc.option(fc.record({ key: fc.string(), value: oddValue }), { nil: undefined }),
});

describe('webhook bodies mutated from the LINE SDK corpus (issue 12, section 4)', () => {
  it(
    'always 200, 400 or 413, never 5xx; the door keeps working; no event holds its resident’s inbox',
    {
      timeout: 120_000,
    },
    async () => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(input, async ({ picks, mutations, text, cut, envelopeExtra }) => {
          // Every event becomes one resident's, dated now, so it reaches an inbox unless its shape stops it.
          const user = newUserId();
          const evs = picks.map((p) => {
            const e = structuredClone(CORPUS[p]!);
            e.timestamp = Date.now();
            e.webhookEventId = `01FUZZ${crypto.randomUUID()}`;
            if (e.source && typeof e.source === 'object' && !Array.isArray(e.source)) e.source.userId = user;
            delete e.replyToken;
            return e;
          });
          for (const [i, m] of mutations.entries()) mutate(evs[i % evs.length]!, m);
          const body: Record<string, Json> = { ...envelope(evs) } as Record<string, Json>;
          if (envelopeExtra) body[envelopeExtra.key] = envelopeExtra.value;
          const res = await post(bytesOf(JSON.stringify(body), text, cut));
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const answer = await res.text();
          expect([200, 400, 413], `answered ${res.status}: ${answer.slice(0, 300)}`).toContain(res.status);
          expect(answer).not.toMatch(/\bat .+:\d+:\d+|Error:/);

          // Whatever came in, the resident's inbox drains and their next message is worked.
          await drain(user);
          const rows = await say(user, events.text(user, 'こんにちは'));
          expect(rows.at(-1)!.status).toBe('done');
        }),
        await fuzzParams(40),
      );
      // The door still answers a plain follow from someone else.
      const other = newUserId();
      expect((await say(other, events.follow(other))).at(-1)!.status).toBe('done');
      expect(await conversation(other).inbox()).toHaveLength(1);
      // The runs did reach both the refusing and the accepting side of the door.
      expect(statuses.get(200)).toBeGreaterThan(0);
      expect(statuses.get(400)).toBeGreaterThan(0);
    },
  );
});
