import { describe, expect, it } from 'vitest';
import { Guardian, labels, linksOf, reissue, seedPupil, seedSchool } from './helpers/absence';

const HOUR = 60 * 60 * 1000;

/** The code as a phone might type it: full-width, lower case, spaces instead of the hyphen. */
function sloppy(code: string): string {
  return [...code.replace('-', ' ').toLowerCase()]
    .map((c) => (c === ' ' ? '　' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)))
    .join('');
}

describe('registering a child with the code from the school', () => {
  it('asks for the code, shows school, class and name, links on はい and goes straight on into the notice', async () => {
    const school = await seedSchool({ name: '岡山市立テスト小学校' });
    const p = await seedPupil(school.id, { grade: 3, class: '2', name: '岡山 太郎' });
    const g = await Guardian.create();

    await g.text('欠席連絡');
    expect(g.step).toBe('code');
    expect(g.lastText).toContain('登録コード');

    await g.text(p.code);
    expect(g.step).toBe('code_confirm');
    expect(g.lastText).toContain('岡山市立テスト小学校');
    expect(g.lastText).toContain('3年2組');
    expect(g.lastText).toContain('岡山 太郎');
    expect(labels(g.last.at(-1))).toEqual(['はい', 'いいえ', '中止']);
    expect(await linksOf(p.id)).toEqual([]);

    await g.tap('はい');
    expect(await linksOf(p.id)).toEqual([g.userId]);
    expect(g.lastText).toContain('岡山 太郎さんを登録しました');
    expect(g.step).toBe('date');
    expect(labels(g.last.at(-1))).toEqual(['今日', '明日', '別の日', '期間', '連絡履歴', '子どもを追加', '中止']);
  });

  it('reads a full-width, lower-case code with a full-width space', async () => {
    const school = await seedSchool();
    const p = await seedPupil(school.id);
    const g = await Guardian.create();
    await g.text('欠席連絡');
    await g.text(sloppy(p.code));
    expect(g.step).toBe('code_confirm');
    expect(g.lastText).toContain(p.name);
  });

  it('いいえ links nothing and asks for the code again', async () => {
    const school = await seedSchool();
    const p = await seedPupil(school.id);
    const g = await Guardian.create();
    await g.text('欠席連絡');
    await g.text(p.code);
    await g.tap('いいえ');
    expect(await linksOf(p.id)).toEqual([]);
    expect(g.step).toBe('code');
    expect(g.lastText).toContain('登録コード');
  });

  it('a wrong, an expired and a re-issued code each get a clear message and the same question', async () => {
    const school = await seedSchool();
    const expired = await seedPupil(school.id, { expiresAt: Date.now() - 1000 });
    const old = await seedPupil(school.id);
    const fresh = await reissue(old.id);
    const g = await Guardian.create();
    await g.text('欠席連絡');

    await g.text('ABCD-EFGH');
    expect(g.lastText).toContain('見つかりません');
    expect(g.step).toBe('code');

    await g.text(expired.code);
    expect(g.lastText).toContain('有効期限が切れています');
    expect(g.step).toBe('code');

    await g.text(old.code);
    expect(g.lastText).toContain('見つかりません');
    expect(g.step).toBe('code');

    await g.sticker();
    expect(g.step).toBe('code');
    expect(g.lastText).toContain('登録コード');

    await g.text(fresh);
    expect(g.step).toBe('code_confirm');
  });

  it('a third guardian is told to call the school, by its phone number', async () => {
    const school = await seedSchool({ name: '岡山市立三人小学校', phone: '086-111-2222' });
    const p = await seedPupil(school.id);
    for (let i = 0; i < 2; i++) {
      const g = await Guardian.create();
      await g.text('欠席連絡');
      await g.text(p.code);
      await g.tap('はい');
    }
    const third = await Guardian.create();
    await third.text('欠席連絡');
    await third.text(p.code);
    await third.tap('はい');
    expect(third.lastText).toContain('既に2人の保護者');
    expect(third.lastText).toContain('岡山市立三人小学校（086-111-2222）');
    expect(third.step).toBeUndefined();
    expect(await linksOf(p.id)).toHaveLength(2);
    expect(await linksOf(p.id)).not.toContain(third.userId);
  });

  it('5 wrong codes within an hour lock registration for an hour; then it works again', async () => {
    const school = await seedSchool();
    const p = await seedPupil(school.id);
    const t0 = Date.now();
    const g = await Guardian.create({ now: t0 });
    await g.text('欠席連絡');
    // Words that cannot be a code are not guesses.
    for (const words of ['こんにちは', 'はい', '1234']) await g.text(words);
    for (let i = 0; i < 4; i++) {
      g.now = t0 + i * 60_000;
      await g.text('ZZZZ-ZZZZ');
      expect(g.step).toBe('code');
    }
    g.now = t0 + 10 * 60_000;
    await g.text('ZZZZ-ZZZZ');
    expect(g.lastText).toContain('一時的に停止');
    expect(g.step).toBeUndefined();

    // Even the right code is not looked at while locked, typed again or after starting over.
    await g.text('欠席連絡');
    expect(g.lastText).toContain('一時的に停止');
    expect(g.lastText).toContain('約50分後');
    await g.text('子どもを追加');
    expect(g.lastText).toContain('一時的に停止');

    // An hour after the first wrong code it counts four again: one more try is allowed.
    g.now = t0 + HOUR;
    await g.text('欠席連絡');
    expect(g.step).toBe('code');
    await g.text(p.code);
    expect(g.step).toBe('code_confirm');
  });

  it('several children, at two schools: 子どもを追加, then the notice asks which child', async () => {
    const a = await seedSchool({ name: '岡山市立A小学校' });
    const b = await seedSchool({ name: '岡山市立B中学校' });
    const p1 = await seedPupil(a.id, { name: '岡山 一郎' });
    const p2 = await seedPupil(b.id, { name: '岡山 二郎' });
    const g = await Guardian.create();
    await g.text('欠席連絡');
    await g.text(p1.code);
    await g.tap('はい');
    await g.tap('子どもを追加');
    expect(g.step).toBe('code');
    await g.text(p2.code);
    expect(g.lastText).toContain('岡山市立B中学校');
    await g.tap('はい');
    expect(g.step).toBeUndefined();
    expect(g.lastText).toContain('岡山 二郎さんを登録しました');

    await g.text('欠席連絡');
    expect(g.step).toBe('child');
    expect(labels(g.last.at(-1))).toEqual(['岡山 一郎', '岡山 二郎', '連絡履歴', '子どもを追加', '中止']);
    await g.tap('岡山 二郎');
    expect(g.step).toBe('date');
    expect(g.lastText).toContain('岡山 二郎さんの連絡');
  });

  it('the same code twice says the child is already registered', async () => {
    const school = await seedSchool();
    const p = await seedPupil(school.id);
    const g = await Guardian.create();
    await g.text('欠席連絡');
    await g.text(p.code);
    await g.tap('はい');
    await g.text('子どもを追加');
    await g.text(p.code);
    expect(g.lastText).toContain('既に登録されています');
    expect(await linksOf(p.id)).toEqual([g.userId]);
  });

  it('登録解除 unlinks one child after a confirmation', async () => {
    const school = await seedSchool();
    const p1 = await seedPupil(school.id, { name: '岡山 三郎' });
    const p2 = await seedPupil(school.id, { name: '岡山 四郎' });
    const g = await Guardian.create();
    for (const p of [p1, p2]) {
      await g.text('子どもを追加');
      await g.text(p.code);
      await g.tap('はい');
    }
    await g.text('登録解除');
    expect(labels(g.last.at(-1))).toEqual(['岡山 三郎', '岡山 四郎', '中止']);
    await g.sticker();
    expect(g.step).toBe('unlink_child');
    await g.tap('岡山 四郎');
    expect(g.lastText).toContain('岡山 四郎さん');
    await g.tap('いいえ');
    expect(await linksOf(p2.id)).toEqual([g.userId]);

    await g.text('登録解除');
    await g.tap('岡山 四郎');
    await g.tap('はい');
    expect(g.lastText).toContain('登録を解除しました');
    expect(await linksOf(p2.id)).toEqual([]);
    expect(await linksOf(p1.id)).toEqual([g.userId]);
  });

  it('in English for a guardian whose LINE is English', async () => {
    const school = await seedSchool();
    const p = await seedPupil(school.id, { grade: 5, class: '1' });
    const g = await Guardian.create({ language: 'en' });
    await g.text('欠席連絡');
    expect(g.lastText).toContain('registration code');
    await g.text('ABCD-EFGH');
    expect(g.lastText).toContain('not found');
    await g.text(p.code);
    expect(g.lastText).toContain('Grade 5, class 1');
    expect(labels(g.last.at(-1))).toEqual(['Yes', 'No', 'Cancel']);
    await g.tap('Yes');
    expect(g.lastText).toContain('is registered');
    expect(labels(g.last.at(-1))).toEqual([
      'Today',
      'Tomorrow',
      'Another day',
      'Several days',
      'History',
      'Add a child',
      'Cancel',
    ]);
  });
});
