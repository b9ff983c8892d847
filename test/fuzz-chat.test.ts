import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../src/conversation/flows';
import { fuzzParams } from './helpers/fuzz';
import { jpegWithGps } from './helpers/images';
import { conversation, events, fake, newUserId, say } from './helpers/line';
import { flowState } from './helpers/reports';
import { seedPupil, seedSchool } from './helpers/absence';
import { guardianLinks } from '../src/db/schema';
import { db } from '../src/db/client';

/** A child at a seeded school already linked to this guardian. */
async function linkedChild(userId: string): Promise<void> {
  const school = await seedSchool();
  const pupil = await seedPupil(school.id);
  await db(env.DB).insert(guardianLinks).values({ pupilId: pupil.id, lineUserId: userId, linkedAt: Date.now() });
}

/**
 * Random chat input thrown at every flow on main (issue 12, section 4): texts, stickers,
 * locations, images and postbacks, the postbacks taken from the bot's own buttons (the
 * latest ones, and stale ones from earlier answers) or forged. Whatever the sequence, no
 * event fails (a handler exception or an answer LINE would refuse both end as `failed`),
 * every answer passes the fake LINE's validation, and the stored state is one a flow can read.
 *
 * A flow added to FLOWS needs its steps in STEPS (the test fails until STEPS names every
 * flow) and its start words among the openers; the buttons it sends are harvested like the
 * others'. Guardians who open 欠席連絡 half the time already have a child linked, so the
 * notice's own steps are reached, not only the code step.
 */

const STEPS: Record<string, readonly string[]> = {
  report: [
    'safety',
    'emergency',
    'category',
    'subtype',
    'location',
    'duplicate',
    'photos',
    'description',
    'description_check',
    'confirm',
  ],
  settings: ['menu', 'ward', 'interests', 'language', 'privacy', 'privacy_delete', 'privacy_withdraw'],
  community: ['menu', 'code', 'confirm', 'name', 'leave'],
  absence: [
    'code',
    'code_confirm',
    'unlink_child',
    'unlink_confirm',
    'withdraw_confirm',
    'child',
    'date',
    'range_from',
    'range_to',
    'type',
    'reason',
    'symptoms',
    'temperature',
    'time',
    'note',
    'confirm',
    'edit',
  ],
};

const WORDS = [
  '通報',
  '設定',
  '中止',
  '同意する',
  '次へ',
  '送信',
  '修正',
  '写真なしで進む',
  '欠席',
  '町内会',
  '連絡履歴',
  '職員 ABCD-EFGH',
  'ABCD-EFGH',
  'ｗｘｙｚ ２３４５',
  'constructor',
  '__proto__',
  'こんにちは',
  '',
  ' ',
];

const FORGED = [
  'action=report&step=confirm&v=send',
  'action=report&step=photos&v=next',
  'action=report&step=category&v=__proto__',
  'action=report&step=subtype&v=road-pothole',
  'action=report&step=any&v=cancel',
  'action=start&service=__proto__',
  'action=start&service=report&entry=constructor',
  'action=start&service=absence&entry=history',
  'action=start&service=community',
  'action=settings&op=ward&v=存在しない区',
  'action=settings&op=edit&field=toString',
  'action=settings&op=language&v=xx',
  'action=consent&v=1999-01-01',
  `action=consent&v=${env.TERMS_VERSION}&then=action%3Dstart%26service%3Dreport`,
  'action=',
  '=&=&',
  '%E0%A4%A',
];

type Act =
  | { kind: 'tap'; pick: number; stale: boolean }
  | { kind: 'label'; pick: number }
  | { kind: 'text'; text: string }
  | { kind: 'postback'; data: string }
  | { kind: 'sticker' }
  | { kind: 'location'; lat: number; lng: number; address?: string }
  | { kind: 'image'; content: 'jpeg' | 'missing' | 'not-an-image' | 'external' }
  | { kind: 'follow' | 'unfollow' };

const act: fc.Arbitrary<Act> = fc.oneof(
  // Mostly the latest buttons, so sequences get deep into a flow; a quarter of the taps are stale.
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('tap' as const),
      pick: fc.nat(),
      stale: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('label' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      text: fc.oneof(
        fc.constantFrom(...WORDS),
        fc.string(),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 1_001, max: 20_000 }).map((n) => 'あ'.repeat(n)),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('postback' as const),
      data: fc.oneof(fc.constantFrom(...FORGED), fc.string(), fc.string({ maxLength: 3_000, minLength: 300 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sticker' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('location' as const),
        lat: fc.oneof(fc.double({ min: 34.62, max: 34.7, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })),
        lng: fc.oneof(
          fc.double({ min: 133.88, max: 133.98, noNaN: true }),
          fc.double({ min: -180, max: 180, noNaN: true }),
        ),
        address: fc.oneof(fc.string(), fc.string({ minLength: 300, maxLength: 2_000 })),
      },
      { requiredKeys: ['kind', 'lat', 'lng'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('image' as const),
      content: fc.constantFrom('jpeg' as const, 'missing' as const, 'not-an-image' as const, 'external' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('follow' as const, 'unfollow' as const) }) },
);

/** The buttons of one answer: quick replies and template actions, with their postback data or text. */
function buttonsOf(messages: Record<string, any>[]): { label: string; data?: string; text?: string }[] {
  return messages.flatMap((m) =>
    [...(m.quickReply?.items ?? []).map((i: any) => i.action), ...(m.template?.actions ?? [])].map((a: any) => ({
      label: a.label ?? '',
      data: a.type === 'postback' ? a.data : undefined,
      text: a.type === 'message' ? a.text : a.type === 'postback' ? a.displayText : undefined,
    })),
  );
}

async function eventFor(u: string, a: Act, latest: ReturnType<typeof buttonsOf>, seen: ReturnType<typeof buttonsOf>) {
  switch (a.kind) {
    case 'tap':
    case 'label': {
      const pool = a.kind === 'tap' && !a.stale && latest.length ? latest : seen;
      const b = pool[a.pick % Math.max(1, pool.length)];
      if (!b) return events.text(u, '通報');
      if (a.kind === 'label' || !b.data) return events.text(u, b.text ?? b.label);
      return events.postback(u, b.data);
    }
    case 'text':
      return events.text(u, a.text);
    case 'postback':
      return events.postback(u, a.data);
    case 'sticker':
      return events.sticker(u);
    case 'location':
      return events.location(u, a.lat, a.lng, a.address);
    case 'image': {
      const id = `${u}-${crypto.randomUUID()}`;
      if (a.content === 'jpeg') await fake.content(id, jpegWithGps(), 'image/jpeg');
      if (a.content === 'not-an-image') await fake.content(id, new TextEncoder().encode('not a photo'), 'image/jpeg');
      return events.image(u, id, { provider: a.content === 'external' ? 'external' : 'line' });
    }
    default:
      return a.kind === 'follow' ? events.follow(u) : events.unfollow(u);
  }
}

describe('random chat input at every flow (issue 12, section 4)', () => {
  it(
    'never an exception, always a message LINE takes or silence, the state always one a flow can read',
    {
      timeout: 180_000,
    },
    async () => {
      expect(Object.keys(STEPS).sort()).toEqual(Object.keys(FLOWS).sort());
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.constantFrom(
            '通報',
            '設定',
            '町内会',
            'action=start&service=report',
            'action=start&service=settings',
            'action=start&service=community',
            '欠席連絡',
            'action=start&service=absence',
          ),
          fc.boolean(),
          fc.array(act, { minLength: 3, maxLength: 10 }),
          async (consented, opener, linked, acts) => {
            const u = newUserId();
            if (linked && (opener.includes('欠席') || opener.includes('absence'))) await linkedChild(u);
            await say(u, events.follow(u));
            if (consented) await say(u, events.postback(u, `action=consent&v=${env.TERMS_VERSION}`));
            const first = opener.startsWith('action=') ? events.postback(u, opener) : events.text(u, opener);
            await say(u, first);
            let sent = await fake.messagesTo(u);
            let latest = buttonsOf(sent);
            const seen = [...latest];
            for (const a of acts) {
              const rows = await say(u, await eventFor(u, a, latest, seen));
              const failed = rows.filter((r) => r.status !== 'done');
              expect(failed, `after ${JSON.stringify(a).slice(0, 200)}`).toEqual([]);
              const now = await fake.messagesTo(u);
              latest = buttonsOf(now.slice(sent.length));
              seen.push(...latest);
              sent = now;
              const { flow } = await flowState(u);
              if (flow) {
                const f = flow as unknown as { name: string; step: unknown; data: unknown; updatedAt: unknown };
                expect(Object.keys(STEPS)).toContain(f.name);
                expect(STEPS[f.name]).toContain(f.step);
                expect(typeof f.data).toBe('object');
                expect(typeof f.updatedAt).toBe('number');
              }
            }
            // The conversation still answers afterwards.
            const after = await say(u, events.follow(u));
            expect(after.at(-1)!.status).toBe('done');
            expect((await conversation(u).inbox()).every((r) => r.status === 'done')).toBe(true);
          },
        ),
        await fuzzParams(12),
      );
    },
  );
});
