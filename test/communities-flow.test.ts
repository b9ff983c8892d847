import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { formatAccessCode } from '../src/access-codes';
import { db } from '../src/db/client';
import { join } from '../src/communities/join';
import { api } from './helpers/api';
import {
  auditRows,
  federationWithUnits,
  members,
  membershipRows,
  newCommunity,
  newInvite,
} from './helpers/communities';
import { conversation, events, newUserId, say } from './helpers/line';
import { lastMessage, quickLabels, tap } from './helpers/quick-reply';
import { resident, turn } from './helpers/reports';

type Json = Record<string, any>;

const textOf = (m: Json | undefined) => String(m?.text ?? '');

/** Opens 町内会 and types the code: returns the bot's answer to the code. */
async function typeCode(userId: string, code: string) {
  await say(userId, events.text(userId, '町内会'));
  const last = await lastMessage(userId);
  if (quickLabels(last).includes('参加')) await tap(userId, '参加');
  return turn(userId, events.text(userId, code));
}

/** Joins with a code all the way, with a display name or スキップ. */
async function joinWith(userId: string, code: string, displayName: string | null = null) {
  await typeCode(userId, code);
  await tap(userId, 'はい');
  if (displayName === null) await tap(userId, 'スキップ');
  else await say(userId, events.text(userId, displayName));
}

async function state(userId: string): Promise<Json> {
  return runInDurableObject(conversation(userId), async (_o: unknown, s) => {
    const row = s.storage.sql.exec<{ value: string }>(`SELECT value FROM kv WHERE key = 'state'`).toArray()[0];
    return row ? JSON.parse(row.value) : {};
  });
}

/** Moves the resident's refused-code times `ms` into the past: the clock the lock reads, under the test's control. */
async function age(userId: string, ms: number) {
  await runInDurableObject(conversation(userId), async (_o: unknown, s) => {
    const row = s.storage.sql.exec<{ value: string }>(`SELECT value FROM kv WHERE key = 'state'`).one();
    const st = JSON.parse(row.value);
    st.wrongInviteCodesAt = (st.wrongInviteCodesAt ?? []).map((t: number) => t - ms);
    s.storage.sql.exec(`UPDATE kv SET value = ? WHERE key = 'state'`, JSON.stringify(st));
  });
}

describe('町内会: joining', () => {
  it('asks for consent first, then for the code by itself, names the unit and its federation, asks はい／いいえ', async () => {
    const { federation, a } = await federationWithUnits();
    const { code } = await newInvite(a.id);
    const u = newUserId();
    await say(u, events.follow(u));
    const asked = await turn(u, events.postback(u, 'action=start&service=community'));
    expect(JSON.stringify(asked)).toContain('action=consent');
    const consent = asked.at(-1)!.template.actions.find((x: Json) => x.data?.startsWith('action=consent')).data;
    const resumed = await turn(u, events.postback(u, consent));
    expect(textOf(resumed.at(-1))).toContain('招待コード');
    const confirm = await turn(u, events.text(u, code));
    expect(textOf(confirm[0])).toContain(a.name);
    expect(textOf(confirm[0])).toContain(federation.name);
    expect(quickLabels(confirm[0])).toEqual(['はい', 'いいえ']);
    expect(await membershipRows(u)).toHaveLength(0);
    // Anything but a button gets a hint and the same question, federation and all.
    const again = await turn(u, events.text(u, 'えっと'));
    expect(textOf(again[0])).toContain('ボタン');
    expect(textOf(again[1])).toContain(federation.name);
    await tap(u, 'はい');
    const named = await lastMessage(u);
    expect(textOf(named)).toContain('表示するお名前');
    expect(quickLabels(named)).toEqual(['スキップ']);
    const rows = await membershipRows(u);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.community_id).toBe(a.id);
    expect(rows[0]!.display_name).toBeNull();
    await say(u, events.text(u, '3班 山田'));
    expect((await membershipRows(u))[0]!.display_name).toBe('3班 山田');
    expect(textOf(await lastMessage(u))).toContain('3班 山田');
    expect((await state(u)).flow).toBeUndefined();
    // The leaders see the name, and the join is audited without the LINE user ID.
    expect((await members(a.id)).items).toEqual([{ displayName: '3班 山田', joinedAt: expect.any(String) }]);
    const audit = await auditRows('community.join', a.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.staff_id).toBe('resident');
    expect(JSON.stringify(audit)).not.toContain(u);
  });

  it('「町内会」 typed works too; a code is read with lowercase, full-width, spaces and a hyphen', async () => {
    const unit = await newCommunity('unit');
    const { code } = await newInvite(unit.id);
    const u = await resident();
    const typed = [...formatAccessCode(code).toLowerCase()]
      .map((c) => (c === '-' ? 'ー' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)))
      .join('');
    const answer = await typeCode(u, ` ${typed} `);
    expect(textOf(answer[0])).toContain(unit.name);
    expect(textOf(answer[0])).not.toContain('（');
  });

  it('いいえ joins nothing; スキップ joins without a name; the display name must be 1–20 characters', async () => {
    const unit = await newCommunity('unit');
    const { code } = await newInvite(unit.id);
    const u = await resident();
    await typeCode(u, code);
    await tap(u, 'いいえ');
    expect(textOf(await lastMessage(u))).toContain('取りやめ');
    expect(await membershipRows(u)).toHaveLength(0);
    await typeCode(u, code);
    await tap(u, 'はい');
    const hint = await turn(u, events.text(u, 'あ'.repeat(21)));
    expect(textOf(hint[0])).toContain('1〜20文字');
    expect(quickLabels(hint[0])).toEqual(['スキップ']);
    await say(u, events.text(u, '👨‍👩‍👧'.repeat(20)));
    expect((await membershipRows(u))[0]!.display_name).toBe('👨‍👩‍👧'.repeat(20));
    const v = await resident();
    await joinWith(v, code, null);
    expect((await membershipRows(v))[0]!.display_name).toBeNull();
    expect(textOf(await lastMessage(v))).toContain('表示名なし');
  });

  it('wrong, expired, revoked and used-up codes each get their own clear message and the resident stays at the code step', async () => {
    const unit = await newCommunity('unit');
    const expired = await newInvite(unit.id, { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await env.DB.prepare('UPDATE community_invites SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, expired.id)
      .run();
    const revoked = await newInvite(unit.id);
    expect((await api(`/communities/${unit.id}/invites/${revoked.id}`, { method: 'DELETE' })).status).toBe(204);
    const once = await newInvite(unit.id, { maxUses: 1 });
    await joinWith(await resident(), once.code);
    const u = await resident();
    const answers: string[] = [];
    for (const code of ['ZZZZ2222', 'こんにちは', expired.code, revoked.code, once.code]) {
      const a = await typeCode(u, code);
      answers.push(textOf(a[0]));
      expect((await state(u)).flow.step).toBe('code');
      expect(quickLabels(a[0])).toEqual(['中止']);
    }
    expect(answers[0]).toContain('見つかりません');
    expect(answers[1]).toContain('見つかりません');
    expect(answers[2]).toContain('有効期限');
    expect(answers[3]).toContain('使えなくなっています');
    expect(answers[4]).toContain('人数に達しています');
    expect(await membershipRows(u)).toHaveLength(0);
  });

  it('a wrong code is followed at once by a good one in the same step', async () => {
    const unit = await newCommunity('unit');
    const { code } = await newInvite(unit.id);
    const u = await resident();
    await typeCode(u, 'ZZZZ3333');
    const next = await turn(u, events.text(u, code));
    expect(textOf(next[0])).toContain(unit.name);
  });

  it('5 refused codes in an hour lock the step for an hour (even the right code), then it opens again', async () => {
    const unit = await newCommunity('unit');
    const { code } = await newInvite(unit.id);
    const u = await resident();
    await say(u, events.text(u, '町内会'));
    for (let i = 0; i < 4; i++) await say(u, events.text(u, `WRNG${2222 + i}`));
    const fifth = await turn(u, events.text(u, 'WRNG3333'));
    expect(textOf(fifth[0])).toContain('一時停止');
    const locked = await turn(u, events.text(u, code));
    expect(textOf(locked[0])).toContain('一時停止');
    expect(textOf(locked[0])).toMatch(/\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}以降/);
    expect(await membershipRows(u)).toHaveLength(0);
    // The refusals while locked are not counted: the list stays at 5.
    expect((await state(u)).wrongInviteCodesAt).toHaveLength(5);
    // Leaving the flow does not reset the lock.
    await say(u, events.text(u, '中止'), events.text(u, '町内会'));
    expect(textOf(await lastMessage(u))).toContain('一時停止');
    // 59 minutes later it is still locked; after an hour the right code works.
    await age(u, 59 * 60 * 1000);
    expect(textOf((await turn(u, events.text(u, code)))[0])).toContain('一時停止');
    await age(u, 60 * 1000 + 1);
    const open = await turn(u, events.text(u, code));
    expect(textOf(open[0])).toContain(unit.name);
    expect(quickLabels(open[0])).toEqual(['はい', 'いいえ']);
  });

  it('a resident may belong to several associations; a code for one they are in says so', async () => {
    const { a, b } = await federationWithUnits();
    const ca = await newInvite(a.id);
    const cb = await newInvite(b.id);
    const u = await resident();
    await joinWith(u, ca.code, 'A');
    const again = await typeCode(u, ca.code);
    expect(textOf(again[0])).toContain('すでに');
    expect(textOf(again[0])).toContain(a.name);
    expect((await state(u)).flow.step).toBe('code');
    // Already a member is not a refused code.
    expect((await state(u)).wrongInviteCodesAt ?? []).toHaveLength(0);
    await say(u, events.text(u, '中止'));
    await joinWith(u, cb.code, 'B');
    expect((await membershipRows(u)).map((r) => r.community_id).sort()).toEqual([a.id, b.id].sort());
    await say(u, events.text(u, '町内会'));
    const list = await lastMessage(u);
    expect(textOf(list)).toContain(a.name);
    expect(textOf(list)).toContain(b.name);
    expect(quickLabels(list)[0]).toBe('参加');
    expect(quickLabels(list).filter((l) => l.startsWith('退会'))).toHaveLength(2);
  });

  it('退会 asks 退会しますか？, then deletes the membership at once with an audit row; a later code joins again', async () => {
    const unit = await newCommunity('unit');
    const { code } = await newInvite(unit.id);
    const u = await resident();
    await joinWith(u, code, '田中');
    await say(u, events.text(u, '町内会'));
    const leaveLabel = quickLabels(await lastMessage(u)).find((l) => l.startsWith('退会'))!;
    await tap(u, leaveLabel);
    const asked = await lastMessage(u);
    expect(textOf(asked)).toContain('退会しますか？');
    expect(quickLabels(asked)).toEqual(['はい', 'いいえ']);
    await tap(u, 'いいえ');
    expect(await membershipRows(u)).toHaveLength(1);
    await say(u, events.text(u, '町内会'));
    await tap(u, leaveLabel);
    await tap(u, 'はい');
    expect(textOf(await lastMessage(u))).toContain('退会しました');
    expect(await membershipRows(u)).toHaveLength(0);
    expect((await members(unit.id)).count).toBe(0);
    const audit = await auditRows('community.leave', unit.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.staff_id).toBe('resident');
    expect(JSON.stringify(audit)).not.toContain(u);
    // No membership: 「町内会」 asks for a code again, and the code joins again.
    await say(u, events.text(u, '町内会'));
    expect(textOf(await lastMessage(u))).toContain('招待コード');
    await say(u, events.text(u, code));
    await tap(u, 'はい');
    expect(await membershipRows(u)).toHaveLength(1);
  });

  it('an invite’s uses are counted once per join, also when the はい is delivered twice', async () => {
    const unit = await newCommunity('unit');
    const invite = await newInvite(unit.id, { maxUses: 2 });
    const u = await resident();
    await typeCode(u, invite.code);
    const yes = (await lastMessage(u)).quickReply.items[0].action.data;
    await say(u, events.postback(u, yes), events.postback(u, yes));
    // The join itself run again, as a retried event would run it: no second row, no second use.
    expect(await join(db(env.DB), u, invite.id, Date.now())).toBe('already');
    expect(await membershipRows(u)).toHaveLength(1);
    const { items } = await (await api(`/communities/${unit.id}/invites`)).json<{ items: Json[] }>();
    expect(items[0]!.uses).toBe(1);
    expect(items[0]!.usesLeft).toBe(1);
  });

  it('unfollow keeps the membership but the resident is not counted; following again counts them again', async () => {
    const unit = await newCommunity('unit');
    const { code } = await newInvite(unit.id);
    const u = await resident();
    await joinWith(u, code, '佐藤');
    expect((await members(unit.id)).count).toBe(1);
    await say(u, events.unfollow(u));
    expect(await membershipRows(u)).toHaveLength(1);
    expect(await members(unit.id)).toEqual({ count: 0, items: [] });
    await say(u, events.follow(u));
    expect((await members(unit.id)).count).toBe(1);
  });

  it('answers in English on an English LINE', async () => {
    const unit = await newCommunity('unit');
    const { code } = await newInvite(unit.id);
    const u = await resident('en');
    await say(u, events.text(u, '町内会'));
    expect(textOf(await lastMessage(u))).toContain('invite code');
    await say(u, events.text(u, code));
    const confirm = await lastMessage(u);
    expect(textOf(confirm)).toContain(`Join “${unit.name}”`);
    expect(quickLabels(confirm)).toEqual(['Yes', 'No']);
    await tap(u, 'Yes');
    expect(quickLabels(await lastMessage(u))).toEqual(['Skip']);
    await tap(u, 'Skip');
    await say(u, events.text(u, '町内会'));
    expect(quickLabels(await lastMessage(u))[0]).toBe('Join');
    const hint = await turn(u, events.text(u, 'WRONGXXX'));
    expect(textOf(hint[0])).toContain('choose one of the buttons');
  });
});
