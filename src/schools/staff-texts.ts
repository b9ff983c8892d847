import type { AbsenceType } from '../db/schema';
import { texts, type Lang } from '../i18n';
import { clipFor, LINE_LIMITS } from '../line/limits';
import type { Msg } from '../line/messages';

/** What the school side sends guardians: the confirmation of a notice, the end of links at graduation. */

const TYPE = texts({
  absence: { ja: '欠席', en: 'absence' },
  late: { ja: '遅刻', en: 'late arrival' },
  early_leave: { ja: '早退', en: 'early leave' },
});

const T = texts({
  confirmed: {
    ja: (school: string, pupil: string, days: string, type: string, number: string) =>
      `【${school}】\n${pupil}さんの${days}の${type}連絡（${number}）を学校が確認しました（確認済）。`,
    en: (school: string, pupil: string, days: string, type: string, number: string) =>
      `[${school}]\nThe school has confirmed (確認済) your ${type} notice ${number} for ${pupil} (${days}).`,
  },
  comment: {
    ja: (comment: string) => `\n\n学校からのコメント：\n${comment}`,
    en: (comment: string) => `\n\nComment from the school:\n${comment}`,
  },
  graduated: {
    ja: (school: string, pupil: string) =>
      `【${school}】\n${pupil}さんのご卒業に伴い、このLINEでの${school}との連絡（欠席連絡・学校からのお知らせ）の登録を終了しました。ご卒業おめでとうございます。\n\n進学先の学校から新しい登録コードを受け取りましたら、「子どもを追加」と送ってください。`,
    en: (school: string, pupil: string) =>
      `[${school}]\nAs ${pupil} has graduated, the link with ${school} in this chat (absence notices and school messages) has ended. Congratulations on the graduation!\n\nWhen the next school gives you a new registration code, send "子どもを追加" (add a child).`,
  },
});

const pad = (n: string) => String(Number(n));
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12月2日` / `Dec 2`; a range as `12月2日〜12月4日`. */
export function daysText(lang: Lang, date: string, dateTo: string | null): string {
  const one = (d: string) => {
    const [, m = '', day = ''] = d.split('-');
    if (lang === 'ja') return `${pad(m)}月${pad(day)}日`;
    return `${MONTHS[Number(m) - 1]} ${pad(day)}`;
  };
  return dateTo && dateTo !== date ? `${one(date)}${lang === 'ja' ? '〜' : ' – '}${one(dateTo)}` : one(date);
}

export function confirmedMessage(
  lang: Lang,
  n: { schoolName: string; pupilName: string; date: string; dateTo: string | null; type: AbsenceType; number: string },
  comment: string | null,
): Msg {
  const text =
    T.confirmed(lang, n.schoolName, n.pupilName, daysText(lang, n.date, n.dateTo), TYPE[n.type](lang), n.number) +
    (comment ? T.comment(lang, comment) : '');
  return { type: 'text', text: clipFor('text', text, LINE_LIMITS.textChars) };
}

export function graduatedMessage(lang: Lang, schoolName: string, pupilName: string): Msg {
  return { type: 'text', text: clipFor('text', T.graduated(lang, schoolName, pupilName), LINE_LIMITS.textChars) };
}
