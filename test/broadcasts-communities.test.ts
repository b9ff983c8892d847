import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { CommunityAudience } from '../src/broadcasts/audience';
import { composeMessages, ensureFramedFits } from '../src/broadcasts/compose';
import { resolveRecipients } from '../src/broadcasts/recipients';
import { jst } from '../src/calendar/jst';
import { db } from '../src/db/client';
import { api, newStaff } from './helpers/api';
import {
  addMembers,
  addResidents,
  createAs,
  cron,
  getBroadcast,
  seedCommunity,
  seedSchool,
  settle,
  uniqueWard,
} from './helpers/broadcasts';
import { fake } from './helpers/line';

const MULTICAST = '/v2/bot/message/multicast';
const BOOT = 'test-bootstrap-token';
const sorted = (xs: string[]) => [...xs].sort();

async function recipients(audience: CommunityAudience, page?: number): Promise<string[]> {
  const r = await resolveRecipients(db(env.DB), audience, page);
  if (r.mode !== 'multicast') throw new Error('a community audience is a multicast');
  return r.userIds;
}

/** A federation with two units; a resident in both units, one who blocked, one direct member of the federation. */
async function district() {
  const fed = await seedCommunity('federation');
  const unitA = await seedCommunity('unit', fed.id);
  const unitB = await seedCommunity('unit', fed.id);
  const [direct, a, b, both, blocked] = await addResidents([{}, {}, {}, {}, { status: 'blocked' }]);
  await addMembers(fed.id, [direct!, both!]);
  await addMembers(unitA.id, [a!, both!, blocked!]);
  await addMembers(unitB.id, [b!, both!]);
  return { fed, unitA, unitB, direct: direct!, a: a!, b: b!, both: both!, blocked: blocked! };
}

describe('the community audience', () => {
  it('a unit: its members who still follow', async () => {
    const d = await district();
    expect(await recipients({ type: 'community', communityId: d.unitA.id })).toEqual(sorted([d.a, d.both]));
  });

  it('a federation reaches its units’ members only with includeChildren, each resident once', async () => {
    const d = await district();
    expect(await recipients({ type: 'community', communityId: d.fed.id })).toEqual(sorted([d.direct, d.both]));
    const all = await recipients({ type: 'community', communityId: d.fed.id, includeChildren: true });
    expect(all).toEqual(sorted([d.direct, d.a, d.b, d.both]));
    expect(new Set(all).size).toBe(all.length);
    for (const page of [1, 2])
      expect(await recipients({ type: 'community', communityId: d.fed.id, includeChildren: true }, page)).toEqual(all);
  });

  it('includeChildren on a unit is a 400; an unknown association is a 400', async () => {
    const d = await district();
    const unit = await createAs(BOOT, {
      audience: { type: 'community', communityId: d.unitA.id, includeChildren: true },
    });
    expect(unit.status).toBe(400);
    expect(unit.body.detail).toMatch(/includeChildren/);
    expect((await createAs(BOOT, { audience: { type: 'community', communityId: 'nope' } })).status).toBe(400);
  });
});

describe('who posts for an association', () => {
  it('the scope matrix of leaders', async () => {
    const d = await district();
    const otherFed = await seedCommunity('federation');
    const otherUnit = await seedCommunity('unit', otherFed.id);
    const school = await seedSchool();
    const unitLeader = await newStaff(['community_leader'], { communities: [d.unitA.id] });
    const fedLeader = await newStaff(['community_leader'], { communities: [d.fed.id] });
    const post = (token: string, audience: Record<string, unknown>) => createAs(token, { audience });
    const community = (id: string, includeChildren?: boolean) => ({
      type: 'community',
      communityId: id,
      ...(includeChildren !== undefined && { includeChildren }),
    });

    const cases: [string, { token: string }, Record<string, unknown>, number][] = [
      ['unit leader → own unit', unitLeader, community(d.unitA.id), 201],
      ['unit leader → another unit of the same federation', unitLeader, community(d.unitB.id), 403],
      ['unit leader → its federation', unitLeader, community(d.fed.id), 403],
      ['unit leader → its federation with children', unitLeader, community(d.fed.id, true), 403],
      ['unit leader → another federation’s unit', unitLeader, community(otherUnit.id), 403],
      ['federation leader → federation', fedLeader, community(d.fed.id), 201],
      ['federation leader → federation and units', fedLeader, community(d.fed.id, true), 201],
      ['federation leader → one of its units', fedLeader, community(d.unitB.id), 201],
      ['federation leader → another federation', fedLeader, community(otherFed.id), 403],
      ['federation leader → another federation’s unit', fedLeader, community(otherUnit.id), 403],
      ['leader → everyone', unitLeader, { type: 'all' }, 403],
      ['leader → a segment', fedLeader, { type: 'segment', wards: [uniqueWard()] }, 403],
      ['leader → a school', fedLeader, { type: 'school', schoolId: school.id }, 403],
    ];
    for (const [label, who, audience, status] of cases) {
      const res = await post(who.token, audience);
      expect(res.status, label).toBe(status);
      if (status === 201) expect(res.body.status, label).toBe('scheduled');
    }
  });

  it('a post by city staff follows the city’s two-person rule', async () => {
    const d = await district();
    const broadcaster = await newStaff(['broadcaster']);
    const approver = await newStaff(['approver']);
    const { body } = await createAs(broadcaster.token, { audience: { type: 'community', communityId: d.unitA.id } });
    expect(body.status).toBe('pending_approval');
    const admin = await createAs(BOOT, { audience: { type: 'community', communityId: d.unitA.id } });
    expect(admin.body.status).toBe('pending_approval');
    const leader = await newStaff(['community_leader'], { communities: [d.unitA.id] });
    // A leader cannot approve (the city's approval is the city's).
    expect((await api(`/broadcasts/${body.id}/approve`, { token: leader.token, method: 'POST' })).status).toBe(403);
    const ok = await api(`/broadcasts/${body.id}/approve`, { token: approver.token, method: 'POST' });
    expect(await ok.json()).toMatchObject({ status: 'scheduled' });
  });

  it('a suspended leader gets 403 on every broadcast operation', async () => {
    const d = await district();
    const leader = await newStaff(['community_leader'], { communities: [d.unitA.id] });
    const { body } = await createAs(leader.token, { audience: { type: 'community', communityId: d.unitA.id } });
    await env.DB.prepare('UPDATE staff SET suspended_at = ? WHERE id = ?').bind(Date.now(), leader.id).run();
    expect((await createAs(leader.token, { audience: { type: 'community', communityId: d.unitA.id } })).status).toBe(
      403,
    );
    expect((await api('/broadcasts', { token: leader.token })).status).toBe(403);
    expect((await api(`/broadcasts/${body.id}`, { token: leader.token })).status).toBe(403);
    expect((await api(`/broadcasts/${body.id}/cancel`, { token: leader.token, method: 'POST' })).status).toBe(403);
    expect((await api(`/broadcasts/${body.id}/acks`, { token: leader.token })).status).toBe(403);
  });

  it('leaders list and read only their associations’ posts (a federation’s also its units’)', async () => {
    const d = await district();
    const unitLeader = await newStaff(['community_leader'], { communities: [d.unitA.id] });
    const fedLeader = await newStaff(['community_leader'], { communities: [d.fed.id] });
    const unitPost = (await createAs(unitLeader.token, { audience: { type: 'community', communityId: d.unitA.id } }))
      .body.id;
    const fedPost = (await createAs(fedLeader.token, { audience: { type: 'community', communityId: d.fed.id } })).body
      .id;
    const city = (await createAs(BOOT, { audience: { type: 'all' }, draft: true })).body.id;
    const ids = async (token: string) =>
      ((await (await api('/broadcasts?limit=200', { token })).json()) as { items: { id: string }[] }).items.map(
        (i) => i.id,
      );
    const unitSees = await ids(unitLeader.token);
    expect(unitSees).toContain(unitPost);
    expect(unitSees).not.toContain(fedPost);
    expect(unitSees).not.toContain(city);
    const fedSees = await ids(fedLeader.token);
    expect(fedSees).toEqual(expect.arrayContaining([unitPost, fedPost]));
    expect(fedSees).not.toContain(city);
    expect((await api(`/broadcasts/${fedPost}`, { token: unitLeader.token })).status).toBe(404);
    expect((await api(`/broadcasts/${city}`, { token: unitLeader.token })).status).toBe(404);
    // The federation's leader may withdraw a unit's post.
    expect((await api(`/broadcasts/${unitPost}/cancel`, { token: fedLeader.token, method: 'POST' })).status).toBe(200);
  });
});

describe('the association window (07:00 open, 21:00 closed, every day)', () => {
  it.each([
    ['2026-12-06T06:59', false],
    ['2026-12-06T07:00', true],
    ['2026-12-29T20:59', true],
    ['2026-12-29T21:00', false],
  ])('%s → released: %s', async (local, released) => {
    const unit = await seedCommunity('unit');
    const [member] = await addResidents([{}]);
    await addMembers(unit.id, [member!]);
    const leader = await newStaff(['community_leader'], { communities: [unit.id] });
    const { body } = await createAs(leader.token, { audience: { type: 'community', communityId: unit.id } });
    await cron(jst(local));
    if (!released) {
      expect((await getBroadcast(body.id)).status).toBe('scheduled');
      expect((await api(`/broadcasts/${body.id}/cancel`, { method: 'POST' })).status).toBe(200);
      return;
    }
    expect((await settle(body.id)).status).toBe('sent');
    expect((await fake.requests({ to: member!, path: MULTICAST })).length).toBe(1);
  });
});

describe('residents know who speaks', () => {
  it('a unit post starts with 【unit name】 on its own line; a federation post with the federation’s name', async () => {
    const fed = await seedCommunity('federation', null, '岡山テスト学区連合町内会');
    const unit = await seedCommunity('unit', fed.id, '岡山テスト一丁目町内会');
    const [member] = await addResidents([{}]);
    await addMembers(unit.id, [member!]);
    const fedLeader = await newStaff(['community_leader'], { communities: [fed.id] });
    const unitPost = await createAs(fedLeader.token, {
      audience: { type: 'community', communityId: unit.id },
      messages: [{ type: 'text', text: '清掃活動のお知らせ' }],
    });
    const fedPost = await createAs(fedLeader.token, {
      audience: { type: 'community', communityId: fed.id, includeChildren: true },
      messages: [
        { type: 'image', originalContentUrl: 'https://x.jp/a.jpg', previewImageUrl: 'https://x.jp/a.jpg' },
        { type: 'text', text: '運動会のお知らせ' },
      ],
    });
    await cron(jst('2026-12-08T10:00'));
    await settle(unitPost.body.id);
    await settle(fedPost.body.id);
    const sent = (await fake.requests({ to: member!, path: MULTICAST })).map(
      (r) => (r.body as { messages: Record<string, string>[] }).messages,
    );
    expect(sent).toHaveLength(2);
    const texts = sent.map((ms) => ms.filter((m) => m.type === 'text').map((m) => m.text));
    expect(texts).toEqual(
      expect.arrayContaining([
        ['【岡山テスト一丁目町内会】\n清掃活動のお知らせ'],
        ['【岡山テスト学区連合町内会】\n運動会のお知らせ'],
      ]),
    );
    // The image stays first; the name goes on the first text.
    expect(sent.find((ms) => ms.length === 2)![0]!.type).toBe('image');
  });

  it('the name line counts toward LINE’s 5,000 characters: 400 naming the message', async () => {
    const unit = await seedCommunity('unit', null, '長い名前の町内会');
    const leader = await newStaff(['community_leader'], { communities: [unit.id] });
    // 【長い名前の町内会】 is 10 code units, and the line break one more.
    const audience = { type: 'community', communityId: unit.id };
    const fits = await createAs(leader.token, {
      audience,
      messages: [{ type: 'text', text: 'あ'.repeat(5000 - 11) }],
    });
    expect(fits.status).toBe(201);
    const tooLong = await createAs(leader.token, {
      audience,
      messages: [
        { type: 'image', originalContentUrl: 'https://x.jp/a.jpg', previewImageUrl: 'https://x.jp/a.jpg' },
        { type: 'text', text: 'あ'.repeat(5000 - 10) },
      ],
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.detail).toMatch(/^messages\.1\.text: .*【長い名前の町内会】/);
    // The same text is fine for the city, which carries no name line.
    expect(
      (await createAs(BOOT, { audience: { type: 'all' }, messages: [{ type: 'text', text: 'あ'.repeat(4990) }] }))
        .status,
    ).toBe(201);
    // An edit is checked the same way.
    const patch = await api(`/broadcasts/${fits.body.id}`, {
      token: leader.token,
      method: 'PATCH',
      body: { messages: [{ type: 'text', text: 'あ'.repeat(5000 - 10) }] },
    });
    expect(patch.status).toBe(400);
  });

  it.each([
    [
      'name on the first text',
      [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ],
      null,
      ['【会】\na', 'b'],
    ],
    [
      'a post without text gets the name as a text of its own',
      [{ type: 'sticker', packageId: '1', stickerId: '1' }],
      null,
      ['【会】', '(sticker)'],
    ],
    ['the ack button comes last', [{ type: 'text', text: 'a' }], 'b1', ['【会】\na', '(template)']],
  ] as const)('composeMessages: %s', (_label, messages, ackFor, expected) => {
    const out = composeMessages(messages as never, { speaker: '会', ackFor });
    expect(out.map((m) => (m.type === 'text' ? m.text : `(${m.type})`))).toEqual(expected);
  });

  it('ensureFramedFits: the extra name message counts toward LINE’s five', () => {
    const sticker = { type: 'sticker', packageId: '1', stickerId: '1' } as const;
    expect(() => ensureFramedFits(Array(4).fill(sticker), '会', false)).not.toThrow();
    expect(() => ensureFramedFits(Array(5).fill(sticker), '会', false)).toThrow(/at most 5/);
    expect(() => ensureFramedFits(Array(3).fill(sticker), '会', true)).not.toThrow();
    expect(() => ensureFramedFits(Array(4).fill(sticker), '会', true)).toThrow(/at most 5/);
    expect(() => ensureFramedFits(Array(5).fill(sticker), null, false)).not.toThrow();
  });

  it('a post with nobody to reach ends sent with 0', async () => {
    const unit = await seedCommunity('unit');
    const [gone] = await addResidents([{ status: 'blocked' }]);
    await addMembers(unit.id, [gone!]);
    const leader = await newStaff(['community_leader'], { communities: [unit.id] });
    const { body } = await createAs(leader.token, { audience: { type: 'community', communityId: unit.id } });
    await cron(jst('2026-12-08T12:00'));
    expect(await settle(body.id)).toMatchObject({ status: 'sent', progress: { recipients: 0 }, failureReason: null });
    expect(await fake.requests({ to: gone! })).toEqual([]);
  });
});
