import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jst } from '../src/calendar/jst';
import { api, newStaff } from './helpers/api';
import {
  addMembers,
  addResidents,
  createAs,
  cron,
  linkGuardians,
  seedCommunity,
  seedPupils,
  seedSchool,
  settle,
  textMessage,
} from './helpers/broadcasts';
import { events, fake, say } from './helpers/line';
import { lastMessage, quickLabels } from './helpers/quick-reply';

const MULTICAST = '/v2/bot/message/multicast';
const BOOT = 'test-bootstrap-token';
const THANKS = '確認しました。ありがとうございます。';
const UNKNOWN = 'このお知らせの確認は受け付けていません。';

async function ackRows(broadcastId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM broadcast_acks WHERE broadcast_id = ?')
    .bind(broadcastId)
    .first<{ n: number }>();
  return row!.n;
}

async function tapAck(userId: string, broadcastId: string): Promise<string> {
  await say(userId, events.postback(userId, `action=ack&b=${broadcastId}`));
  return (await lastMessage(userId)).text as string;
}

describe('asking for acknowledgement', () => {
  it('the button is one more message: 4 of its own at most; city broadcasts do not ask', async () => {
    const school = await seedSchool();
    const audience = { type: 'school', schoolId: school.id };
    const four = Array.from({ length: 4 }, () => textMessage());
    expect((await createAs(BOOT, { audience, requestAck: true, messages: four })).status).toBe(201);
    const five = await createAs(BOOT, { audience, requestAck: true, messages: [...four, textMessage()] });
    expect(five.status).toBe(400);
    expect(five.body.detail).toMatch(/at most 4 messages/);
    expect((await createAs(BOOT, { audience, requestAck: false, messages: [...four, textMessage()] })).status).toBe(
      201,
    );
    const city = await createAs(BOOT, { audience: { type: 'all' }, requestAck: true });
    expect(city.status).toBe(400);
    expect(city.body.detail).toMatch(/requestAck/);
  });
});

describe('a school message with acknowledgement', () => {
  it('is sent with the button; a tap is recorded once; the school sees who has read it per pupil', async () => {
    const school = await seedSchool();
    const other = await seedSchool();
    const [g1, g2, g3, stranger] = await addResidents([{}, {}, {}, {}]);
    const [p1, p2, p3, , p5] = await seedPupils(school.id, [
      { grade: 2, class: '1', name: '岡山 花子' },
      { grade: 4, class: '2', name: '岡山 太郎' },
      { grade: 2, class: '1', name: '吉備 一郎' },
      { grade: 3, class: '1', name: '未登録 次郎' },
      { grade: 6, class: '1', name: '卒業 三郎', graduated: true },
    ]);
    await linkGuardians(p1!, [g1!]);
    await linkGuardians(p2!, [g1!]);
    await linkGuardians(p3!, [g2!]);
    await linkGuardians(p5!, [g3!]);
    const teacher = await newStaff(['school_staff'], { schools: [school.id] });
    const { body } = await createAs(teacher.token, {
      audience: { type: 'school', schoolId: school.id },
      requestAck: true,
    });
    expect(body.status).toBe('scheduled');
    await cron(jst('2026-12-09T10:00'));
    expect((await settle(body.id)).status).toBe('sent');

    const sent = (await fake.requests({ to: g1!, path: MULTICAST }))[0]!.body as { messages: Record<string, any>[] };
    const button = sent.messages.at(-1)!;
    expect(button.type).toBe('template');
    expect(button.template.actions).toEqual([
      { type: 'postback', label: '確認しました', data: `action=ack&b=${body.id}`, displayText: '確認しました' },
    ]);

    // The guardian taps the button they got; a second tap: the same brief answer, nothing more recorded.
    await say(g1!, events.postback(g1!, button.template.actions[0].data));
    expect((await lastMessage(g1!)).text).toBe(THANKS);
    expect(await tapAck(g1!, body.id)).toBe(THANKS);
    expect(await ackRows(body.id)).toBe(1);
    // Nobody the message was not for can record one.
    expect(await tapAck(g3!, body.id)).toBe(UNKNOWN);
    expect(await tapAck(stranger!, body.id)).toBe(UNKNOWN);
    expect(await ackRows(body.id)).toBe(1);

    const res = await api(`/broadcasts/${body.id}/acks`, { token: teacher.token });
    expect(res.status).toBe(200);
    const acks = (await res.json()) as {
      acknowledged: number;
      pending: number;
      items: { pupil: { grade: number; class: string; name: string }; acknowledgedAt: string | null }[];
    };
    expect(acks.acknowledged).toBe(2);
    expect(acks.pending).toBe(2);
    expect(acks.items.map((i) => [i.pupil.name, i.acknowledgedAt !== null])).toEqual([
      ['岡山 花子', true],
      ['吉備 一郎', false],
      ['未登録 次郎', false],
      ['岡山 太郎', true],
    ]);
    expect(acks.items[0]!.pupil).toEqual({ grade: 2, class: '1', name: '岡山 花子' });
    expect(JSON.stringify(acks)).not.toContain(g1!);

    const audit = await env.DB.prepare(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'broadcast.acks.read' AND target_id = ? AND staff_id = ?`,
    )
      .bind(body.id, teacher.id)
      .first<{ n: number }>();
    expect(audit!.n).toBe(1);

    const outsider = await newStaff(['school_staff'], { schools: [other.id] });
    expect((await api(`/broadcasts/${body.id}/acks`, { token: outsider.token })).status).toBe(404);
    const broadcaster = await newStaff(['broadcaster']);
    expect((await api(`/broadcasts/${body.id}/acks`, { token: broadcaster.token })).status).toBe(403);
    expect((await api(`/broadcasts/${body.id}/acks`)).status).toBe(200);
  });

  it('a broadcast without requestAck: 404 for its acks, and a tap records nothing', async () => {
    const school = await seedSchool();
    const [g] = await addResidents([{}]);
    const [p] = await seedPupils(school.id, [{ grade: 1, class: '1' }]);
    await linkGuardians(p!, [g!]);
    const { body } = await createAs(BOOT, { audience: { type: 'school', schoolId: school.id } });
    expect((await api(`/broadcasts/${body.id}/acks`)).status).toBe(404);
    expect(await tapAck(g!, body.id)).toBe(UNKNOWN);
    expect(await ackRows(body.id)).toBe(0);
    expect(await tapAck(g!, 'not-a-broadcast')).toBe(UNKNOWN);
  });
});

describe('an association post with acknowledgement (回覧板)', () => {
  it('counts each member once and shows only chosen display names', async () => {
    const fed = await seedCommunity('federation');
    const unit = await seedCommunity('unit', fed.id);
    const sibling = await seedCommunity('unit', fed.id);
    const [named, anonymous, outsider] = await addResidents([{}, {}, {}]);
    await addMembers(unit.id, [named!], '山田');
    await addMembers(unit.id, [anonymous!]);
    const fedLeader = await newStaff(['community_leader'], { communities: [fed.id] });
    const unitLeader = await newStaff(['community_leader'], { communities: [unit.id] });
    const siblingLeader = await newStaff(['community_leader'], { communities: [sibling.id] });
    const { body } = await createAs(fedLeader.token, {
      audience: { type: 'community', communityId: unit.id },
      requestAck: true,
    });
    expect(await tapAck(named!, body.id)).toBe(THANKS);
    expect(await tapAck(anonymous!, body.id)).toBe(THANKS);
    expect(await tapAck(named!, body.id)).toBe(THANKS);
    expect(await tapAck(outsider!, body.id)).toBe(UNKNOWN);
    expect(await ackRows(body.id)).toBe(2);

    for (const token of [fedLeader.token, unitLeader.token, BOOT]) {
      const res = await api(`/broadcasts/${body.id}/acks`, { token });
      expect(res.status).toBe(200);
      const acks = (await res.json()) as { acknowledged: number; items: { displayName: string | null }[] };
      expect(acks.acknowledged).toBe(2);
      expect(acks.items.map((i) => i.displayName)).toEqual(['山田', null]);
      expect(Object.keys(acks)).toEqual(['acknowledged', 'items']);
      const text = JSON.stringify(acks);
      expect(text).not.toContain(named!);
      expect(text).not.toContain(anonymous!);
    }
    expect((await api(`/broadcasts/${body.id}/acks`, { token: siblingLeader.token })).status).toBe(404);
  });

  it('a resident whose LINE is in English gets the answer in English', async () => {
    const unit = await seedCommunity('unit');
    const [member] = await addResidents([{ language: 'en' }]);
    await addMembers(unit.id, [member!]);
    const { body } = await createAs(BOOT, { audience: { type: 'community', communityId: unit.id }, requestAck: true });
    expect(await tapAck(member!, body.id)).toBe('Thank you, your confirmation has been recorded.');
    expect(await ackRows(body.id)).toBe(1);
  });

  it('the city author of a post may read its acks; another broadcaster may not', async () => {
    const unit = await seedCommunity('unit');
    const author = await newStaff(['broadcaster']);
    const another = await newStaff(['broadcaster']);
    const { body } = await createAs(author.token, {
      audience: { type: 'community', communityId: unit.id },
      requestAck: true,
    });
    expect((await api(`/broadcasts/${body.id}/acks`, { token: author.token })).status).toBe(200);
    expect((await api(`/broadcasts/${body.id}/acks`, { token: another.token })).status).toBe(403);
  });

  it('a tap works inside a flow, without consent, and the flow goes on', async () => {
    const unit = await seedCommunity('unit');
    const [member] = await addResidents([{}]);
    await addMembers(unit.id, [member!]);
    const { body } = await createAs(BOOT, {
      audience: { type: 'community', communityId: unit.id },
      requestAck: true,
    });
    await say(member!, events.text(member!, '設定'));
    const menu = quickLabels(await lastMessage(member!));
    expect(menu).toContain('区を変更');
    expect(await tapAck(member!, body.id)).toBe(THANKS);
    expect(await ackRows(body.id)).toBe(1);
    // The settings menu is still the active step: its button still works.
    await say(member!, events.postback(member!, 'action=ack&b=x'));
    expect((await lastMessage(member!)).text).toBe(UNKNOWN);
    const before = (await fake.messagesTo(member!)).length;
    const msgs = await fake.messagesTo(member!);
    const settingsMenu = msgs.filter((m) => quickLabels(m).includes('区を変更')).at(-1)!;
    const item = settingsMenu.quickReply.items.find((i: any) => i.action.label === '区を変更');
    await say(member!, events.postback(member!, item.action.data));
    const after = await fake.messagesTo(member!);
    expect(after.length).toBeGreaterThan(before);
    expect(after.at(-1)!.text).not.toBe(UNKNOWN);
    expect(quickLabels(after.at(-1))).toContain('戻る');
  });
});
