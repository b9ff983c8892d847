import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { conversation, drain, events, fake, newUserId, say, texts } from './helpers/line';
import { lastMessage, quickLabels, tap } from './helpers/quick-reply';

async function resident(userId: string) {
  const row = await env.DB.prepare('SELECT ward, interests, language, status FROM users WHERE line_user_id = ?')
    .bind(userId)
    .first<{ ward: string | null; interests: string; language: string | null; status: string }>();
  return row && { ...row, interests: JSON.parse(row.interests) as string[] };
}

/** A friend who has followed (Japanese profile) and not yet accepted the terms. */
async function friend(language = 'ja') {
  const userId = newUserId();
  await fake.profile(userId, language);
  await say(userId, events.follow(userId));
  return userId;
}

const MENU_JA = ['区を変更', '関心分野を変更', '言語を変更', '個人情報', '完了', '中止'];
const MENU_EN = ['Ward', 'Interests', 'Language', 'Your data', 'Done', 'Cancel'];

describe('opening 設定', () => {
  it('typing 設定 shows the current settings with the menu, without asking for consent', async () => {
    const userId = await friend();
    const before = (await fake.messagesTo(userId)).length;
    await say(userId, events.text(userId, '設定'));
    const msgs = (await fake.messagesTo(userId)).slice(before);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.text).toContain('・お住まいの区：未設定');
    expect(msgs[0]!.text).toContain('・関心のある分野：なし');
    expect(msgs[0]!.text).toContain('・言語：日本語');
    expect(quickLabels(msgs[0])).toEqual(MENU_JA);
  });

  it('the rich menu’s postback opens the same menu', async () => {
    const userId = await friend();
    await say(userId, events.postback(userId, 'action=start&service=settings'));
    expect(quickLabels(await lastMessage(userId))).toEqual(MENU_JA);
  });

  it('every question stays within LINE’s quick reply limits (the fake LINE validates them too)', async () => {
    const userId = await friend();
    await say(userId, events.text(userId, '設定'));
    const seen = [await lastMessage(userId)];
    for (const [open, back] of [
      ['区を変更', '戻る'],
      ['関心分野を変更', '戻る'],
      ['言語を変更', '戻る'],
    ]) {
      await tap(userId, open!);
      seen.push(await lastMessage(userId));
      await tap(userId, back!);
    }
    for (const msg of seen) {
      const labels = quickLabels(msg);
      expect(labels.length).toBeGreaterThan(0);
      expect(labels.length).toBeLessThanOrEqual(13);
      for (const l of labels) expect([...l].length).toBeLessThanOrEqual(20);
    }
    // The fake LINE refuses quick replies over LINE's limits; a refused answer would leave its event 'failed'.
    const rows = await drain(userId);
    expect(rows.map((r) => r.status)).toEqual(Array(rows.length).fill('done'));
  });
});

describe('choosing and saving', () => {
  it('saves a ward and several interests toggled on and off, and shows the result', async () => {
    const userId = await friend();
    await say(userId, events.text(userId, '設定'));
    await tap(userId, '区を変更');
    expect(quickLabels(await lastMessage(userId))).toEqual([
      '北区',
      '中区',
      '東区',
      '南区',
      '指定しない',
      '戻る',
      '完了',
      '中止',
    ]);
    await tap(userId, '北区');
    expect((await lastMessage(userId)).text).toContain('・お住まいの区：北区');

    await tap(userId, '関心分野を変更');
    await tap(userId, '防災');
    await tap(userId, '観光');
    await tap(userId, '子育て');
    // The question comes back after each tap, with a mark on what is on.
    let q = await lastMessage(userId);
    expect(quickLabels(q).slice(0, 6)).toEqual([
      '✓ 防災',
      '✓ 子育て',
      'イベント',
      '健康・福祉',
      'ごみ・環境',
      '✓ 観光',
    ]);
    expect(q.text).toContain('選択中：防災、子育て、観光');
    await tap(userId, '✓ 防災');
    q = await lastMessage(userId);
    expect(quickLabels(q)[0]).toBe('防災');
    expect(q.text).toContain('選択中：子育て、観光');

    // Nothing is written before 完了.
    expect(await resident(userId)).toMatchObject({ ward: null, interests: [] });
    await tap(userId, '戻る');
    expect((await lastMessage(userId)).text).toContain('・関心のある分野：子育て、観光');
    await tap(userId, '完了');

    expect(await resident(userId)).toMatchObject({
      ward: '北区',
      interests: ['子育て', '観光'],
      language: 'ja',
      status: 'following',
    });
    const done = await lastMessage(userId);
    expect(done.text).toContain('設定を保存しました');
    expect(done.text).toContain('・お住まいの区：北区');
    expect(done.text).toContain('・関心のある分野：子育て、観光');
    expect(done.quickReply).toBeUndefined();

    // The flow has ended: free text gets the policy answer again, not a settings hint.
    await say(userId, events.text(userId, '北区'));
    expect((await lastMessage(userId)).text).toContain('個別のメッセージへの返信は行っておりません');
  });

  it('opens with the saved settings the next time, and 指定しない clears the ward', async () => {
    const userId = await friend();
    await say(userId, events.text(userId, '設定'));
    await tap(userId, '区を変更');
    await tap(userId, '南区');
    await tap(userId, '完了');
    await say(userId, events.text(userId, '設定'));
    expect((await lastMessage(userId)).text).toContain('・お住まいの区：南区');
    await tap(userId, '区を変更');
    await tap(userId, '指定しない');
    await tap(userId, '完了');
    expect((await resident(userId))!.ward).toBeNull();
  });

  it('accepts typed words as well as taps', async () => {
    const userId = await friend();
    await say(
      userId,
      events.text(userId, '設定'),
      events.text(userId, '区を変更'),
      events.text(userId, '中区'),
      events.text(userId, '完了'),
    );
    expect((await resident(userId))!.ward).toBe('中区');
  });

  it('完了 on a question saves what was chosen so far', async () => {
    const userId = await friend();
    await say(userId, events.text(userId, '設定'));
    await tap(userId, '関心分野を変更');
    await tap(userId, 'イベント');
    await tap(userId, '完了');
    expect((await resident(userId))!.interests).toEqual(['イベント']);
  });

  it('creates the resident’s row when there is no follow on record', async () => {
    const userId = newUserId();
    await say(userId, events.text(userId, '設定'));
    await tap(userId, '区を変更');
    await tap(userId, '東区');
    await tap(userId, '完了');
    expect(await resident(userId)).toMatchObject({ ward: '東区', status: 'following' });
  });
});

describe('中止 and wrong input', () => {
  it('中止 leaves the saved settings as they were', async () => {
    const userId = await friend();
    await say(userId, events.text(userId, '設定'));
    await tap(userId, '区を変更');
    await tap(userId, '北区');
    await tap(userId, '完了');

    await say(userId, events.text(userId, '設定'));
    await tap(userId, '区を変更');
    await tap(userId, '中区');
    await tap(userId, '関心分野を変更');
    await tap(userId, '防災');
    await tap(userId, '中止');
    expect(await resident(userId)).toMatchObject({ ward: '北区', interests: [] });
    const last = await lastMessage(userId);
    expect(last.text).toContain('設定の変更を中止しました');
    expect(last.quickReply).toBeUndefined();
  });

  it.each([
    ['free text', (u: string) => events.text(u, 'よくわかりません')],
    ['a sticker', (u: string) => events.sticker(u)],
    ['an answer that belongs to another question', (u: string) => events.text(u, '観光')],
    ['a forged ward', (u: string) => events.postback(u, 'action=settings&op=ward&v=西区')],
    ['a malformed postback', (u: string) => events.postback(u, 'action=settings&op=ward')],
  ])('%s on the ward question gets a hint and the same question', async (_label, make) => {
    const userId = await friend();
    await say(userId, events.text(userId, '設定'));
    await tap(userId, '区を変更');
    const question = await lastMessage(userId);
    const before = (await fake.messagesTo(userId)).length;

    await say(userId, make(userId));
    const msgs = (await fake.messagesTo(userId)).slice(before);
    expect(texts(msgs)).toEqual(['下のボタンから選んでください。', question.text]);
    expect(quickLabels(msgs[1])).toEqual(quickLabels(question));

    // And the question still works afterwards.
    await tap(userId, '東区');
    await tap(userId, '完了');
    expect((await resident(userId))!.ward).toBe('東区');
  });
});

describe('language', () => {
  it('switching to English answers in English at once, saves it, and later answers stay English', async () => {
    const userId = await friend();
    await say(userId, events.text(userId, '設定'));
    await tap(userId, '言語を変更');
    expect(quickLabels(await lastMessage(userId))).toEqual(['日本語', 'English', '戻る', '完了', '中止']);
    await tap(userId, 'English');
    const menu = await lastMessage(userId);
    expect(quickLabels(menu)).toEqual(MENU_EN);
    expect(menu.text).toContain('・Language: English');
    await tap(userId, 'Ward');
    await tap(userId, 'Kita Ward');
    await tap(userId, 'Done');

    expect(await resident(userId)).toMatchObject({ language: 'en', ward: '北区' });
    const done = await lastMessage(userId);
    expect(done.text).toContain('Your settings have been saved.');
    expect(done.text).toContain('・Ward: Kita Ward');

    // Outside the flow: the policy answer and the consent prompt now come in English.
    await say(userId, events.text(userId, 'hello'));
    expect((await lastMessage(userId)).text).toContain('This account does not reply to messages individually');
    await say(userId, events.postback(userId, 'action=start&service=report'));
    expect((await lastMessage(userId)).template.actions[0].label).toBe('I agree');
    await say(userId, events.text(userId, '設定'));
    expect(quickLabels(await lastMessage(userId))).toEqual(MENU_EN);
  });

  it('an English resident can switch back to Japanese', async () => {
    const userId = await friend('en');
    await say(userId, events.text(userId, '設定'));
    expect(quickLabels(await lastMessage(userId))).toEqual(MENU_EN);
    await tap(userId, 'Language');
    await tap(userId, '日本語');
    await tap(userId, '完了');
    expect((await resident(userId))!.language).toBe('ja');
    expect((await lastMessage(userId)).text).toContain('設定を保存しました');
  });

  it('中止 after choosing English answers in the language still saved', async () => {
    const userId = await friend();
    await say(userId, events.text(userId, '設定'));
    await tap(userId, '言語を変更');
    await tap(userId, 'English');
    await tap(userId, 'Cancel');
    expect((await resident(userId))!.language).toBe('ja');
    expect((await lastMessage(userId)).text).toContain('設定の変更を中止しました');
  });
});

describe('robustness', () => {
  it('starts over with the menu when the stored draft has an unknown shape', async () => {
    const userId = await friend();
    const flow = { name: 'settings', step: 'somewhere', data: {}, updatedAt: Date.now() };
    await runInDurableObject(conversation(userId), async (_obj: unknown, state) => {
      state.storage.sql.exec(
        `INSERT INTO kv (key, value) VALUES ('state', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        JSON.stringify({ flow }),
      );
    });
    const rows = await say(userId, events.text(userId, '完了'));
    expect(rows.at(-1)!.status).toBe('done');
    expect(quickLabels(await lastMessage(userId))).toEqual(MENU_JA);
  });
});
