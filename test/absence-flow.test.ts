import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jst } from '../src/calendar/jst';
import { addDays, today } from '../src/schools/rules';
import { Guardian, labels, noticesOf, seedPupil, seedSchool, type SchoolOptions } from './helpers/absence';
import { events, newUserId, say } from './helpers/line';
import { turn } from './helpers/reports';

const NUMBER = /A-\d{4}-\d{6}/;
const MIN = 60 * 1000;

/** A guardian with one registered child at a school with these settings, at `now`. */
async function guardianWithChild(school: SchoolOptions = {}, o: { now?: number; language?: string } = {}) {
  const s = await seedSchool(school);
  const p = await seedPupil(s.id, { name: '岡山 桃子' });
  const g = await Guardian.create({ now: o.now ?? jst('2026-12-03T07:00'), language: o.language });
  await g.text('子どもを追加');
  await g.text(p.code);
  await g.tap(o.language === 'en' ? 'Yes' : 'はい');
  return { g, school: s, pupil: p };
}

/** From the start of a notice to its summary: date button → 欠席 → 通院 (→ no note). */
async function toSummary(g: Guardian, day = '明日') {
  await g.text('欠席連絡');
  await g.tap(day);
  await g.tap('欠席');
  await g.tap('通院');
  if (g.step === 'note') await g.tap('なし');
  expect(g.step).toBe('confirm');
}

describe('a notice through the webhook, from the rich menu to the receipt', () => {
  it('consent first, registration, the date picker, 欠席 typed as the type, symptoms, temperature, note, receipt', async () => {
    const s = await seedSchool({ name: '岡山市立ウェブ小学校' });
    const p = await seedPupil(s.id, { name: '岡山 一花' });
    const u = newUserId();
    await say(u, events.follow(u));

    let msgs = await turn(u, events.postback(u, 'action=start&service=absence'));
    const consent = msgs.at(-1)!;
    const agree = consent.template.actions.find((a: Record<string, string>) => a.label === '同意する');
    msgs = await turn(u, events.postback(u, agree.data));
    expect(msgs.at(-1)!.text).toContain('登録コード');

    await turn(u, events.text(u, p.code));
    msgs = await turn(u, events.postback(u, 'action=absence&step=code_confirm&v=yes'));
    const date = msgs.at(-1)!;
    expect(date.text).toContain('08:00');
    const pick = date.quickReply.items.find((i: Record<string, any>) => i.action.type === 'datetimepicker').action;
    expect(pick).toMatchObject({ mode: 'date', label: '別の日' });
    const now = Date.now();
    expect(pick.min).toBe(today(now));
    expect(pick.max).toBe(addDays(today(now), 14));

    const day = addDays(today(now), 3);
    msgs = await turn(u, events.picked(u, pick.data, { date: day }));
    expect(labels(msgs.at(-1))).toEqual(['欠席', '遅刻', '早退', '中止']);
    msgs = await turn(u, events.text(u, '欠席'));
    expect(labels(msgs.at(-1))).toEqual(['体調不良', '通院', '家庭の事情', '忌引', 'その他', '中止']);
    await turn(u, events.postback(u, 'action=absence&step=reason&v=体調不良'));
    await turn(u, events.postback(u, 'action=absence&step=symptoms&v=発熱'));
    msgs = await turn(u, events.postback(u, 'action=absence&step=symptoms&v=咳'));
    expect(labels(msgs.at(-1))).toContain('✓発熱');
    await turn(u, events.postback(u, 'action=absence&step=symptoms&v=next'));
    await turn(u, events.text(u, '３７．８'));
    msgs = await turn(u, events.text(u, '昨夜から熱があります'));
    expect(msgs.at(-1)!.text).toContain('発熱、咳');
    expect(msgs.at(-1)!.text).toContain('37.8℃');
    expect(labels(msgs.at(-1))).toEqual(['送信', '修正', '中止']);
    msgs = await turn(u, events.postback(u, 'action=absence&step=confirm&v=send'));
    const number = msgs[0]!.text.match(NUMBER)?.[0];
    expect(number).toBeDefined();

    const [n] = await noticesOf(p.id);
    expect(n).toMatchObject({
      number,
      school_id: s.id,
      guardian_line_user_id: u,
      date: day,
      date_to: null,
      type: 'absence',
      reason: '体調不良',
      symptoms: ['発熱', '咳'],
      temperature: 37.8,
      time: null,
      note: '昨夜から熱があります',
      late: 0,
      status: 'submitted',
    });
  });
});

describe('the cut-off, at 07:59 / 08:00 / 08:01 JST', () => {
  it.each(['07:59', '08:00', '08:01'])(
    'refuse at %s: today is refused from 08:00 with the phone; tomorrow is not',
    async (at) => {
      const { g, pupil } = await guardianWithChild(
        { cutoff: '08:00', afterCutoff: 'refuse', phone: '086-333-4444' },
        { now: jst('2026-12-03T07:50') },
      );
      await g.text('欠席連絡');
      expect(g.lastText).toContain('08:00');
      // The tap itself happens at exactly that time.
      g.now = jst(`2026-12-03T${at}`);
      await g.tap('今日');
      if (at === '07:59') {
        expect(g.step).toBe('type');
        await g.tap('欠席');
        await g.tap('通院');
        await g.tap('なし');
        await g.tap('送信');
        expect((await noticesOf(pupil.id)).map((n) => [n.date, n.late])).toEqual([['2026-12-03', 0]]);
        return;
      }
      expect(g.lastText).toContain('086-333-4444');
      expect(g.step).toBe('date');
      await g.tap('明日');
      await g.tap('遅刻');
      await g.tap('通院');
      await g.text('10:30');
      await g.tap('なし');
      await g.tap('送信');
      expect(g.lastText).toMatch(NUMBER);
      expect(g.lastText).not.toContain('1時間目');
      expect((await noticesOf(pupil.id)).map((n) => [n.date, n.late, n.time])).toEqual([['2026-12-04', 0, '10:30']]);
    },
  );

  it.each([
    ['07:59', 0],
    ['08:00', 1],
    ['08:01', 1],
  ])('accept_late at %s: stored, late %s, and told the school may not see it in time', async (at, late) => {
    const { g, pupil } = await guardianWithChild(
      { cutoff: '08:00', afterCutoff: 'accept_late' },
      { now: jst('2026-12-03T07:50') },
    );
    await toSummary(g, '今日');
    g.now = jst(`2026-12-03T${at}`);
    await g.tap('送信');
    expect(g.lastText).toMatch(NUMBER);
    expect(g.lastText.includes('1時間目')).toBe(late === 1);
    expect((await noticesOf(pupil.id)).map((n) => [n.date, n.late])).toEqual([['2026-12-03', late]]);
  });

  it('"00:00" makes every notice for today late; the cut-off passing on the summary is checked on 送信', async () => {
    const a = await guardianWithChild(
      { cutoff: '00:00', afterCutoff: 'accept_late' },
      { now: jst('2026-12-03T00:00') },
    );
    await toSummary(a.g, '今日');
    await a.g.tap('送信');
    expect((await noticesOf(a.pupil.id))[0]!.late).toBe(1);

    const b = await guardianWithChild({ cutoff: '08:00', afterCutoff: 'refuse' }, { now: jst('2026-12-03T07:58') });
    await toSummary(b.g, '今日');
    b.g.now = jst('2026-12-03T08:00');
    await b.g.tap('送信');
    expect(b.g.lastText).toContain('お電話');
    expect(b.g.step).toBe('date');
    expect(await noticesOf(b.pupil.id)).toEqual([]);
    await b.g.tap('明日');
    expect(b.g.step).toBe('confirm');
    await b.g.tap('送信');
    expect((await noticesOf(b.pupil.id)).map((n) => n.date)).toEqual(['2026-12-04']);
  });

  it('a period starting today is refused after the cut-off like today', async () => {
    const { g } = await guardianWithChild({ afterCutoff: 'refuse' }, { now: jst('2026-12-03T09:00') });
    await g.text('欠席連絡');
    await g.tap('期間');
    await g.pick('日付を選ぶ', '2026-12-03');
    expect(g.lastText).toContain('お電話');
    expect(g.step).toBe('range_from');
  });
});

describe('dates: another day and periods, at most 14 days', () => {
  it('another day up to today + 14; outside is refused with a hint', async () => {
    const { g, pupil } = await guardianWithChild();
    await g.text('欠席連絡');
    await g.text('別の日');
    expect(g.lastText).toContain('12月17日');
    expect(g.step).toBe('date');
    expect(g.item('別の日')).toMatchObject({ mode: 'date', min: '2026-12-03', max: '2026-12-17' });
    await g.pick('別の日', '2026-12-18');
    expect(g.lastText).toContain('12月17日(木)まで');
    expect(g.step).toBe('date');
    await g.pick('別の日', '2026-12-02');
    expect(g.step).toBe('date');
    await g.postback('action=absence&step=date&v=picked', { date: 'yesterday' });
    expect(g.step).toBe('date');
    await g.pick('別の日', '2026-12-17');
    expect(g.step).toBe('type');
    await g.tap('早退');
    await g.tap('家庭の事情');
    await g.pick('時刻を選ぶ', '13:30');
    await g.tap('なし');
    await g.tap('送信');
    expect((await noticesOf(pupil.id)).map((n) => [n.date, n.type, n.time])).toEqual([
      ['2026-12-17', 'early_leave', '13:30'],
    ]);
  });

  it('a period: from and to, in order, at most 14 days, one notice covering it', async () => {
    const { g, pupil } = await guardianWithChild();
    await g.text('欠席連絡');
    await g.tap('期間');
    await g.pick('日付を選ぶ', '2026-12-05');
    expect(g.step).toBe('range_to');
    expect(g.item('日付を選ぶ')).toMatchObject({ min: '2026-12-05', max: '2026-12-17' });
    await g.pick('日付を選ぶ', '2026-12-04');
    expect(g.lastText).toContain('最初の日と同じか');
    await g.pick('日付を選ぶ', '2026-12-18');
    expect(g.step).toBe('range_to');
    await g.pick('日付を選ぶ', '2026-12-09');
    expect(g.step).toBe('type');
    await g.tap('欠席');
    await g.tap('忌引');
    expect(g.lastText).not.toContain('症状');
    await g.tap('なし');
    expect(g.lastText).toContain('12月5日(土)〜12月9日(水)');
    await g.tap('送信');
    expect((await noticesOf(pupil.id)).map((n) => [n.date, n.date_to])).toEqual([['2026-12-05', '2026-12-09']]);
  });

  it('a period longer than 14 days is refused', async () => {
    const { g } = await guardianWithChild({}, { now: jst('2026-12-03T07:00') });
    await g.text('欠席連絡');
    await g.tap('期間');
    await g.pick('日付を選ぶ', '2026-12-03');
    await g.pick('日付を選ぶ', '2026-12-17');
    expect(g.lastText).toContain('14日間まで');
    expect(g.step).toBe('range_to');
    await g.pick('日付を選ぶ', '2026-12-16');
    expect(g.step).toBe('type');
  });
});

describe('wrong inputs and 中止', () => {
  it('every step answers a sticker, a stray word and an old button with a hint and the same question', async () => {
    const { g } = await guardianWithChild();
    const steps: [string, () => Promise<unknown>][] = [
      ['date', () => g.text('欠席連絡')],
      ['type', () => g.tap('明日')],
      ['reason', () => g.tap('遅刻')],
      ['symptoms', () => g.tap('体調不良')],
      ['temperature', () => g.tap('次へ')],
      ['time', () => g.text('37.0')],
      ['note', () => g.text('9:45')],
      ['confirm', () => g.tap('なし')],
      ['edit', () => g.tap('修正')],
    ];
    for (const [step, reach] of steps) {
      await reach();
      expect(g.step).toBe(step);
      const question = g.last.at(-1)!.text;
      // In the note step any text is the note.
      const typed = step === 'note' ? [] : [() => g.text('こんにちは')];
      for (const wrong of [() => g.sticker(), ...typed, () => g.postback('action=absence&step=old&v=x')]) {
        await wrong();
        expect(g.step, step).toBe(step);
        expect(g.last).toHaveLength(2);
        expect(g.last.at(-1)!.text).toBe(question);
      }
    }
    await g.text('99.9');
    expect(g.step).toBe('edit');
  });

  it('the child, period and confirmation steps answer wrong input with a hint and the same question too', async () => {
    const { g } = await guardianWithChild();
    const s2 = await seedSchool();
    const p2 = await seedPupil(s2.id, { name: '岡山 柿男' });
    await g.text('子どもを追加');
    await g.text(p2.code);
    await g.sticker();
    expect(g.step).toBe('code_confirm');
    expect(g.lastText).toContain('岡山 柿男');
    await g.tap('はい');
    await g.text('欠席連絡');
    for (const step of ['child', 'range_from', 'range_to']) {
      if (step === 'range_from') {
        await g.tap('岡山 柿男');
        await g.tap('期間');
      }
      if (step === 'range_to') await g.pick('日付を選ぶ', '2026-12-07');
      expect(g.step).toBe(step);
      const question = g.last.at(-1)!.text;
      await g.sticker();
      await g.text('明日');
      expect(g.step).toBe(step);
      expect(g.last.at(-1)!.text).toBe(question);
    }
  });

  it('a bad temperature, a bad time and a note over 200 characters get their own hints', async () => {
    const { g } = await guardianWithChild();
    await g.text('欠席連絡');
    await g.tap('明日');
    await g.tap('遅刻');
    await g.tap('体調不良');
    await g.tap('次へ');
    await g.text('45');
    expect(g.lastText).toContain('35.0〜42.0');
    await g.tap('なし');
    await g.text('25:00');
    expect(g.lastText).toContain('9:30 のように');
    await g.text('9時半');
    await g.text('あ'.repeat(201));
    expect(g.lastText).toContain('201文字');
    expect(g.step).toBe('note');
    await g.text('あ'.repeat(200));
    expect(g.step).toBe('confirm');
    expect(g.lastText).toContain('時刻：09:30');
  });

  it('中止 ends the notice at every step and stores nothing', async () => {
    const { g, pupil } = await guardianWithChild();
    const reach = [
      async () => g.text('欠席連絡'),
      async () => g.tap('明日'),
      async () => g.tap('遅刻'),
      async () => g.tap('体調不良'),
      async () => g.tap('次へ'),
      async () => g.tap('なし'),
      async () => g.text('10:00'),
      async () => g.tap('なし'),
      async () => g.tap('修正'),
    ];
    for (let i = 0; i < reach.length; i++) {
      await g.text('欠席連絡');
      for (const r of reach.slice(1, i + 1)) await r();
      const step = g.step;
      if (i % 2) await g.tap('中止');
      else await g.text('中止');
      expect(g.step, String(step)).toBeUndefined();
      expect(g.lastText).toContain('中止しました');
    }
    expect(await noticesOf(pupil.id)).toEqual([]);
  });

  it('a school without notes skips the note; its own reasons are offered', async () => {
    const { g, pupil } = await guardianWithChild({ noteEnabled: false, reasons: ['かぜ', '用事'] });
    await g.text('欠席連絡');
    await g.tap('明日');
    await g.tap('欠席');
    expect(labels(g.last.at(-1))).toEqual(['かぜ', '用事', '中止']);
    await g.text('用事');
    expect(g.step).toBe('confirm');
    await g.tap('送信');
    expect((await noticesOf(pupil.id))[0]).toMatchObject({ reason: '用事', note: null });
  });

  it('修正 changes one answer and comes back to the summary; the draft expires after 30 minutes', async () => {
    const { g, pupil } = await guardianWithChild();
    await toSummary(g);
    await g.tap('修正');
    await g.tap('理由');
    await g.tap('体調不良');
    expect(g.step).toBe('symptoms');
    await g.tap('腹痛');
    await g.tap('次へ');
    await g.tap('なし');
    expect(g.step).toBe('confirm');
    expect(g.lastText).toContain('症状：腹痛');
    g.now += 31 * MIN;
    await g.tap('送信');
    expect(g.step).toBeUndefined();
    expect(await noticesOf(pupil.id)).toEqual([]);
  });

  it('numbers are consecutive and a retried 送信 stores one notice', async () => {
    const { g, pupil } = await guardianWithChild();
    await toSummary(g);
    const [state, summary] = [g.state, g.last];
    await g.tap('送信');
    const first = g.lastText.match(NUMBER)![0];
    [g.state, g.last] = [state, summary];
    await g.tap('送信');
    expect(g.lastText).toContain(first);
    await toSummary(g, '今日');
    await g.tap('送信');
    const second = g.lastText.match(NUMBER)![0];
    const seq = (n: string) => Number(n.slice(-6));
    expect(seq(second)).toBeGreaterThan(seq(first));
    expect(await noticesOf(pupil.id)).toHaveLength(2);
    const between = await env.DB.prepare(`SELECT count(*) AS n FROM absence_notices WHERE number > ? AND number < ?`)
      .bind(first, second)
      .first<{ n: number }>();
    expect(between!.n).toBe(seq(second) - seq(first) - 1);
  });
});

describe('連絡履歴 and withdrawal', () => {
  it('lists the last 30 days with their state; 取り消す asks first, records which guardian, and ends with the day', async () => {
    const { g, pupil } = await guardianWithChild();
    await toSummary(g, '今日');
    await g.tap('送信');
    const a = g.lastText.match(NUMBER)![0];
    await toSummary(g);
    await g.tap('送信');
    const b = g.lastText.match(NUMBER)![0];
    await env.DB.prepare(`UPDATE absence_notices SET status = 'confirmed', confirmed_at = ? WHERE number = ?`)
      .bind(g.now, a)
      .run();

    await g.text('連絡履歴');
    expect(g.lastText).toContain(`${a}\n岡山 桃子 12月3日(木) 欠席【確認済】`);
    expect(g.lastText).toContain('12月4日(金) 欠席【送信済】');
    expect(labels(g.last.at(-1))).toEqual([`取消 ${b}`, `取消 ${a}`]);

    await g.tap(`取消 ${b}`);
    expect(g.step).toBe('withdraw_confirm');
    await g.tap('取り消さない');
    expect((await noticesOf(pupil.id)).map((n) => n.status)).toEqual(['confirmed', 'submitted']);

    await g.text('連絡履歴');
    await g.tap(`取消 ${a}`);
    await g.tap('取り消す');
    expect(g.lastText).toContain(`${a}を取り消しました`);
    const withdrawn = (await noticesOf(pupil.id))[0]!;
    expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawn_at: g.now - 1, withdrawn_by: 'guardian:1' });

    // The next day: today's notice has passed (no button), tomorrow's can still go.
    g.now = jst('2026-12-04T07:00');
    await g.text('連絡履歴');
    expect(g.lastText).toContain('【取消】');
    expect(labels(g.last.at(-1))).toEqual([`取消 ${b}`]);
    g.now = jst('2026-12-05T00:00');
    await g.postback(g.item(`取消 ${b}`).data);
    expect(g.lastText).toContain('取り消せません');
    expect((await noticesOf(pupil.id))[1]!.status).toBe('submitted');
  });

  it("another guardian's notice cannot be withdrawn by its id; the second guardian is recorded as guardian:2", async () => {
    const s = await seedSchool();
    const p = await seedPupil(s.id);
    const now = jst('2026-12-03T07:00');
    const [g1, g2] = [await Guardian.create({ now }), await Guardian.create({ now: now + 5 })];
    for (const g of [g1, g2]) {
      await g.text('子どもを追加');
      await g.text(p.code);
      await g.tap('はい');
    }
    await toSummary(g1);
    await g1.tap('送信');
    const [n] = await noticesOf(p.id);
    await g2.postback(`action=start&service=absence&entry=withdraw:${n!.id}`);
    expect(g2.lastText).toContain('見つかりません');
    await toSummary(g2);
    await g2.tap('送信');
    await g2.text('連絡履歴');
    await g2.tap(labels(g2.last.at(-1))[0]!);
    await g2.tap('取り消す');
    expect((await noticesOf(p.id)).map((x) => [x.status, x.withdrawn_by])).toEqual([
      ['submitted', null],
      ['withdrawn', 'guardian:2'],
    ]);
  });
});

describe('English', () => {
  it('a whole notice in English, stored with the labels', async () => {
    const { g, pupil } = await guardianWithChild(
      { afterCutoff: 'accept_late' },
      { language: 'en', now: jst('2026-12-03T08:30') },
    );
    await g.text('欠席連絡');
    expect(g.lastText).toContain('by 08:00');
    await g.tap('Today');
    expect(labels(g.last.at(-1))).toEqual(['Absent', 'Late', 'Leaving early', 'Cancel']);
    await g.tap('Late');
    await g.tap('Illness');
    await g.tap('Fever');
    await g.tap('Next');
    await g.tap('Skip');
    await g.text('10:00');
    await g.text('Sorry');
    expect(g.lastText).toContain('Symptoms: Fever');
    await g.tap('Send');
    expect(g.lastText).toContain('Number: A-');
    expect(g.lastText).toContain('first period');
    expect((await noticesOf(pupil.id))[0]).toMatchObject({
      type: 'late',
      reason: '体調不良',
      symptoms: ['発熱'],
      late: 1,
    });
    await g.text('連絡履歴');
    expect(g.lastText).toContain('Thu 3 Dec Late【Sent】');
  });
});
