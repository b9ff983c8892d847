import type { messagingApi } from '@line/bot-sdk';
import type { AbsenceStatus, AbsenceType } from '../db/schema';
import { texts, type Lang } from '../i18n';
import { clipFor, LINE_LIMITS } from '../line/limits';
import type { Msg } from '../line/messages';
import { MAX_NOTE_CHARS, MAX_RANGE_DAYS } from './rules';

/** What guardians read in the absence chat. Japanese first; English where the guardian's LINE is English. */

type Item = messagingApi.QuickReplyItem;

export const label = (s: string) => clipFor('action.label', s, LINE_LIMITS.labelChars);

/** A step's button: `action=absence&step=…&v=…`; a button of another step is not an answer to this one. */
export const pb = (step: string, v: string) => `action=absence&step=${step}&v=${encodeURIComponent(v)}`;

export function choice(text: string, data: string): Item {
  return {
    type: 'action',
    action: { type: 'postback', label: label(text), data, displayText: clipFor('action.displayText', text, 300) },
  };
}

/** LINE's date or time picker; the pick arrives as a postback with `params.date` / `params.time`. */
export function picker(
  text: string,
  step: string,
  mode: 'date' | 'time',
  bounds: { min?: string; max?: string; initial?: string } = {},
): Item {
  return {
    type: 'action',
    action: { type: 'datetimepicker', label: label(text), data: pb(step, 'picked'), mode, ...bounds },
  };
}

export const cancelItem = (l: Lang) => choice(T.cancel(l), pb('any', 'cancel'));

/** A text with quick replies (at most 13). */
export function ask(text: string, items: Item[]): Msg {
  const t = clipFor('text', text, LINE_LIMITS.textChars);
  return items.length
    ? { type: 'text', text: t, quickReply: { items: items.slice(0, 13) } }
    : { type: 'text', text: t };
}

export const text = (t: string): Msg => ({ type: 'text', text: clipFor('text', t, LINE_LIMITS.textChars) });

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-12-03` as `12月3日(木)` or `Thu 3 Dec`. */
export function dayText(l: Lang, date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return l === 'ja' ? `${m}月${d}日(${WEEKDAYS_JA[wd]})` : `${WEEKDAYS_EN[wd]} ${d} ${MONTHS_EN[m - 1]}`;
}

export function daysText(l: Lang, date: string, dateTo?: string | null): string {
  return dateTo && dateTo !== date ? `${dayText(l, date)}〜${dayText(l, dateTo)}` : dayText(l, date);
}

/** `3年2組` (a class named in words: `3年 ひまわり`), `Grade 3, class 2`. */
export function classText(l: Lang, grade: number, cls: string): string {
  if (l === 'en') return `Grade ${grade}, class ${cls}`;
  return /^[0-9０-９A-Za-zＡ-Ｚａ-ｚ]{1,2}$/.test(cls) ? `${grade}年${cls}組` : `${grade}年 ${cls}`;
}

const TYPE_NAMES = {
  absence: { ja: '欠席', en: 'Absent' },
  late: { ja: '遅刻', en: 'Late' },
  early_leave: { ja: '早退', en: 'Leaving early' },
} as const;
export const typeName = (l: Lang, t: AbsenceType) => TYPE_NAMES[t][l];

/** The default labels in English; a school's own labels are shown as the school wrote them. */
const LABELS_EN: Record<string, string> = {
  体調不良: 'Illness',
  通院: 'Medical appointment',
  家庭の事情: 'Family reasons',
  忌引: 'Bereavement',
  その他: 'Other',
  発熱: 'Fever',
  咳: 'Cough',
  頭痛: 'Headache',
  腹痛: 'Stomach ache',
  嘔吐: 'Vomiting',
};
export const labelName = (l: Lang, s: string) => (l === 'en' ? (LABELS_EN[s] ?? s) : s);

const STATUS_NAMES = {
  submitted: { ja: '送信済', en: 'Sent' },
  confirmed: { ja: '確認済', en: 'Seen by school' },
  withdrawn: { ja: '取消', en: 'Withdrawn' },
} as const;
export const statusName = (l: Lang, s: AbsenceStatus) => STATUS_NAMES[s][l];

export interface SummaryParts {
  child: string;
  days: string;
  type: string;
  reason: string;
  symptoms: string;
  temperature: string;
  time: string;
  note: string;
}

export const T = texts({
  cancel: { ja: '中止', en: 'Cancel' },
  yes: { ja: 'はい', en: 'Yes' },
  no: { ja: 'いいえ', en: 'No' },
  history: { ja: '連絡履歴', en: 'History' },
  addChild: { ja: '子どもを追加', en: 'Add a child' },
  hintChoose: { ja: '下のボタンから選んでください。', en: 'Please choose one of the buttons below.' },
  startOver: {
    ja: '連絡の途中の内容を読み込めませんでした。お手数ですが、はじめからやり直してください。',
    en: 'The notice in progress could not be read. Please start again.',
  },
  cancelled: {
    ja: '連絡を中止しました。学校には何も送っていません。',
    en: 'Cancelled. Nothing was sent to the school.',
  },
  askCode: {
    ja: '欠席・遅刻・早退の連絡をするには、まずお子さまを登録します。\n学校から配られた登録コード（8文字、例：ABCD-EFGH）を送ってください。',
    en: 'To send absence, lateness or early-leave notices, first register your child.\nPlease send the 8-character registration code from the school (e.g. ABCD-EFGH).',
  },
  askAnotherCode: {
    ja: '追加するお子さまの登録コード（8文字）を送ってください。',
    en: 'Please send the registration code (8 characters) of the child you want to add.',
  },
  unknownCode: {
    ja: 'この登録コードは見つかりません。学校から配られた8文字のコードを、もう一度送ってください。\n（コードが再発行された場合、古いコードは使えません）',
    en: 'This registration code was not found. Please send the 8-character code from the school again.\n(When a code is re-issued, the old one no longer works.)',
  },
  expiredCode: {
    ja: 'この登録コードは有効期限が切れています。学校に新しいコードをお尋ねのうえ、送ってください。',
    en: 'This registration code has expired. Please ask the school for a new code and send it.',
  },
  locked: {
    ja: (minutes: number) =>
      `登録コードの誤りが続いたため、登録を一時的に停止しています。約${minutes}分後にもう一度お試しください。`,
    en: (minutes: number) =>
      `Too many wrong registration codes. Registration is paused; please try again in about ${minutes} minutes.`,
  },
  confirmChild: {
    ja: (school: string, cls: string, name: string) =>
      `次のお子さまを登録しますか？\n\n学校：${school}\n学年・組：${cls}\n名前：${name}`,
    en: (school: string, cls: string, name: string) =>
      `Register this child?\n\nSchool: ${school}\nGrade and class: ${cls}\nName: ${name}`,
  },
  notLinked: {
    ja: '登録しませんでした。登録コードをお確かめのうえ、もう一度送ってください。',
    en: 'Not registered. Please check the code and send it again.',
  },
  linkedGoOn: {
    ja: (name: string) => `${name}さんを登録しました。続けて連絡を作成します。`,
    en: (name: string) => `${name} is registered. Now for the notice.`,
  },
  linked: {
    ja: (name: string) => `${name}さんを登録しました。連絡するときは「欠席連絡」と送ってください。`,
    en: (name: string) => `${name} is registered. To send a notice, send "欠席連絡".`,
  },
  alreadyLinked: {
    ja: (name: string) => `${name}さんは既に登録されています。`,
    en: (name: string) => `${name} is already registered.`,
  },
  full: {
    ja: (school: string, phone: string) =>
      `このお子さまには、既に2人の保護者が登録されています。登録については${school}（${phone}）へお問い合わせください。`,
    en: (school: string, phone: string) =>
      `Two guardians are already registered for this child. Please contact ${school} (${phone}).`,
  },
  whichChild: { ja: 'どのお子さまの連絡ですか？', en: 'Which child is this notice for?' },
  date: {
    ja: (name: string, cutoff: string, refuse: boolean) =>
      `${name}さんの連絡です。いつの連絡ですか？\n\n当日の連絡は${cutoff}までにお願いします。${refuse ? `${cutoff}を過ぎたら学校へお電話ください。` : `${cutoff}を過ぎた連絡は、1時間目までに学校が確認できないことがあります。`}`,
    en: (name: string, cutoff: string, refuse: boolean) =>
      `Notice for ${name}. For which day?\n\nNotices for today by ${cutoff}, please. ${refuse ? `After ${cutoff}, please phone the school.` : `After ${cutoff}, the school may not see it before the first period.`}`,
  },
  today: { ja: '今日', en: 'Today' },
  tomorrow: { ja: '明日', en: 'Tomorrow' },
  otherDay: { ja: '別の日', en: 'Another day' },
  period: { ja: '期間', en: 'Several days' },
  pickDate: { ja: '日付を選ぶ', en: 'Choose a date' },
  pickTime: { ja: '時刻を選ぶ', en: 'Choose a time' },
  otherDayAsk: {
    ja: (max: string) => `「日付を選ぶ」を押して日付を選んでください（${max}まで）。`,
    en: (max: string) => `Tap "Choose a date" and pick the day (until ${max}).`,
  },
  rangeFrom: {
    ja: '期間の最初の日を選んでください。',
    en: 'Choose the first day of the period.',
  },
  rangeTo: {
    ja: (from: string) => `${from}から、最後の日を選んでください（${MAX_RANGE_DAYS}日間まで）。`,
    en: (from: string) => `From ${from}: choose the last day (at most ${MAX_RANGE_DAYS} days).`,
  },
  outsideDates: {
    ja: (max: string) => `選べるのは今日から${max}までの日です。その範囲で選んでください。`,
    en: (max: string) => `Please choose a day from today until ${max}.`,
  },
  rangeReversed: {
    ja: '最後の日は、最初の日と同じか、それより後の日を選んでください。',
    en: 'The last day must be the first day or later.',
  },
  rangeTooLong: {
    ja: `期間は${MAX_RANGE_DAYS}日間までです。最後の日を選び直してください。`,
    en: `A period covers at most ${MAX_RANGE_DAYS} days. Please choose the last day again.`,
  },
  refusedToday: {
    ja: (cutoff: string, school: string, phone: string) =>
      `本日分のLINEでの受付は${cutoff}までです。本日のことは${school}（${phone}）へお電話でご連絡ください。\n別の日の連絡は、このまま続けられます。`,
    en: (cutoff: string, school: string, phone: string) =>
      `Notices for today are accepted by LINE until ${cutoff}. For today, please phone ${school} (${phone}).\nYou can still send a notice for another day.`,
  },
  type: { ja: '連絡の種類を選んでください。', en: 'What is the notice about?' },
  reason: { ja: '理由を選んでください。', en: 'Please choose the reason.' },
  symptoms: {
    ja: (chosen: string) =>
      `症状を選んでください（複数選べます）。選び終わったら「次へ」を押してください。\n選択中：${chosen || 'なし'}`,
    en: (chosen: string) => `Choose the symptoms (several are possible), then tap "Next".\nChosen: ${chosen || 'none'}`,
  },
  next: { ja: '次へ', en: 'Next' },
  temperature: {
    ja: '体温を数字で送ってください（例：37.5）。測っていない場合は「なし」を押してください。',
    en: 'Please send the temperature as a number (e.g. 37.5). If not measured, tap "Skip".',
  },
  skip: { ja: 'なし', en: 'Skip' },
  badTemperature: {
    ja: '体温は35.0〜42.0の数字で送ってください（例：37.5）。',
    en: 'Please send a temperature between 35.0 and 42.0 (e.g. 37.5).',
  },
  arrival: {
    ja: '登校する予定の時刻を「時刻を選ぶ」で選ぶか、送ってください（例：9:30）。',
    en: 'When will your child arrive? Tap "Choose a time" or send it (e.g. 9:30).',
  },
  leaving: {
    ja: '早退する予定の時刻を「時刻を選ぶ」で選ぶか、送ってください（例：13:30）。',
    en: 'When will your child leave? Tap "Choose a time" or send it (e.g. 13:30).',
  },
  badTime: {
    ja: '時刻が読み取れませんでした。「時刻を選ぶ」を押すか、9:30 のように送ってください。',
    en: 'That is not a time. Tap "Choose a time" or send it like 9:30.',
  },
  note: {
    ja: `学校への連絡事項があれば送ってください（${MAX_NOTE_CHARS}文字まで）。なければ「なし」を押してください。`,
    en: `Anything else the school should know? Send it (up to ${MAX_NOTE_CHARS} characters), or tap "Skip".`,
  },
  tooLong: {
    ja: (n: number) => `連絡事項が長すぎます（${n}文字）。${MAX_NOTE_CHARS}文字以内で送ってください。`,
    en: (n: number) => `Too long (${n} characters). Please keep it within ${MAX_NOTE_CHARS}.`,
  },
  hintText: { ja: '文字で送ってください。', en: 'Please send text.' },
  confirm: {
    ja: (s: SummaryParts) =>
      `この内容で学校へ送信しますか？\n\nお子さま：${s.child}\n日付：${s.days}\n種類：${s.type}\n理由：${s.reason}${s.symptoms ? `\n症状：${s.symptoms}` : ''}${s.temperature ? `\n体温：${s.temperature}℃` : ''}${s.time ? `\n時刻：${s.time}` : ''}${s.note ? `\n連絡事項：${s.note}` : ''}`,
    en: (s: SummaryParts) =>
      `Send this to the school?\n\nChild: ${s.child}\nDate: ${s.days}\nType: ${s.type}\nReason: ${s.reason}${s.symptoms ? `\nSymptoms: ${s.symptoms}` : ''}${s.temperature ? `\nTemperature: ${s.temperature}°C` : ''}${s.time ? `\nTime: ${s.time}` : ''}${s.note ? `\nNote: ${s.note}` : ''}`,
  },
  send: { ja: '送信', en: 'Send' },
  edit: { ja: '修正', en: 'Edit' },
  editWhat: { ja: 'どこを修正しますか？', en: 'What do you want to change?' },
  editDate: { ja: '日付', en: 'Date' },
  editType: { ja: '種類', en: 'Type' },
  editReason: { ja: '理由', en: 'Reason' },
  editNote: { ja: '連絡事項', en: 'Note' },
  back: { ja: '戻る', en: 'Back' },
  receipt: {
    ja: (number: string, name: string, days: string, type: string) =>
      `${name}さんの${days}の${type}の連絡を、学校へ送信しました。\n受付番号：${number}\n\n学校が確認すると、このLINEでお知らせします。取り消すときは「連絡履歴」から。`,
    en: (number: string, name: string, days: string, type: string) =>
      `Sent to the school: ${name}, ${days}, ${type}.\nNumber: ${number}\n\nWe will tell you here when the school has seen it. To withdraw it, use "連絡履歴" (history).`,
  },
  receiptLate: {
    ja: (cutoff: string, school: string, phone: string) =>
      `受付時刻（${cutoff}）を過ぎているため、1時間目までに学校が確認できないことがあります。お急ぎの場合は${school}（${phone}）へお電話ください。`,
    en: (cutoff: string, school: string, phone: string) =>
      `It is past ${cutoff}, so the school may not see this before the first period. If it is urgent, please phone ${school} (${phone}).`,
  },
  historyEmpty: { ja: '過去30日間の連絡はありません。', en: 'No notices in the last 30 days.' },
  historyHead: { ja: '過去30日間の連絡です。', en: 'Your notices of the last 30 days:' },
  historyHint: {
    ja: '取り消すときは、下のボタンを押してください。',
    en: 'To withdraw one, tap its button below.',
  },
  withdrawButton: { ja: (number: string) => `取消 ${number}`, en: (number: string) => `Undo ${number}` },
  withdrawAsk: {
    ja: (number: string, what: string) => `${number}（${what}）を取り消しますか？学校にも取消として表示されます。`,
    en: (number: string, what: string) => `Withdraw ${number} (${what})? The school will see it as withdrawn.`,
  },
  withdrawYes: { ja: '取り消す', en: 'Withdraw' },
  withdrawNo: { ja: '取り消さない', en: 'Keep it' },
  withdrawn: {
    ja: (number: string) => `${number}を取り消しました。`,
    en: (number: string) => `${number} is withdrawn.`,
  },
  kept: { ja: '取り消しませんでした。', en: 'Not withdrawn.' },
  alreadyWithdrawn: { ja: 'この連絡は既に取り消されています。', en: 'This notice is already withdrawn.' },
  tooLateToWithdraw: {
    ja: 'この連絡の日は過ぎているため、取り消せません。',
    en: "This notice's day has passed; it can no longer be withdrawn.",
  },
  noticeNotFound: { ja: 'この連絡は見つかりません。', en: 'This notice was not found.' },
  unlinkNone: { ja: '登録されているお子さまはいません。', en: 'No child is registered.' },
  unlinkWhich: { ja: 'どのお子さまの登録を解除しますか？', en: 'Which child do you want to unregister?' },
  unlinkAsk: {
    ja: (name: string, school: string) =>
      `${name}さん（${school}）の登録を解除しますか？解除すると、このお子さまの連絡や学校からのお知らせは届かなくなります。`,
    en: (name: string, school: string) =>
      `Unregister ${name} (${school})? You will no longer send notices for this child or receive the school's messages.`,
  },
  unlinked: {
    ja: (name: string) => `${name}さんの登録を解除しました。`,
    en: (name: string) => `${name} is unregistered.`,
  },
  notUnlinked: { ja: '登録を解除しませんでした。', en: 'Nothing was changed.' },
});
