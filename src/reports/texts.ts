import type { messagingApi } from '@line/bot-sdk';
import type { ReportStatus } from '../db/schema';
import { texts, type Lang } from '../i18n';
import { clipFor, LINE_LIMITS } from '../line/limits';
import type { Msg } from '../line/messages';
import { DAILY_REPORT_LIMIT, isReopening, MAX_DESCRIPTION_CHARS, MAX_PHOTOS } from './rules';

/** What residents read in the report flow. Japanese first; English where the resident's LINE is English. */

type Item = messagingApi.QuickReplyItem;

/** LINE caps action labels at 20 characters (graphemes); names from D1 may be longer. */
export function label(s: string): string {
  return clipFor('action.label', s, LINE_LIMITS.labelChars);
}

export const pb = (step: string, v: string) => `action=report&step=${step}&v=${encodeURIComponent(v)}`;

export function choice(text: string, data: string): Item {
  return { type: 'action', action: { type: 'postback', label: label(text), data, displayText: text } };
}

export function cancelItem(lang: Lang): Item {
  return choice(T.cancel(lang), pb('any', 'cancel'));
}

/** A text with quick replies; at most 13 items, the last always 中止 where given. */
export function ask(text: string, items: Item[]): Msg {
  return items.length ? { type: 'text', text, quickReply: { items: items.slice(0, 13) } } : { type: 'text', text };
}

export const text = (t: string): Msg => ({ type: 'text', text: t });

/** What 送信 will send, as the confirm question shows it. */
type Summary = { category: string; subtype: string; place: string; photos: number; description: string };

export const T = texts({
  cancel: { ja: '中止', en: 'Cancel' },
  intro: {
    ja: '道路・公園の損傷を通報します。\n\n大きな陥没や倒木など、危険・緊急の場合は、LINEではなく電話でご連絡ください。',
    en: 'Report damage to a road or park.\n\nIf it is dangerous or urgent (a large hole, a fallen tree), please call instead of using LINE.',
  },
  viaLine: { ja: 'LINEで通報する', en: 'Report via LINE' },
  viaPhone: { ja: '危険・緊急の場合は電話で', en: 'Urgent: phone number' },
  emergencyWhich: {
    ja: 'どこの損傷ですか？ お電話先をご案内します。',
    en: 'Where is the damage? We will show the number to call.',
  },
  emergencyPhone: {
    ja: (name: string, dept: string, phone: string) =>
      `${name}の危険・緊急のご連絡は、${dept}（${phone}）へお電話ください。\n人命に関わる場合や事故の場合は、110番・119番へ。\n\nLINEでの通報もされる場合は「通報」と送ってください。`,
    en: (name: string, dept: string, phone: string) =>
      `For urgent ${name} damage, please call ${dept} (${phone}).\nIf lives are at risk or there has been an accident, call 110 or 119.\n\nTo also report via LINE, send "通報".`,
  },
  category: { ja: '損傷があるのはどこですか？', en: 'Where is the damage?' },
  subtype: {
    ja: (name: string) => `${name}のどのような損傷ですか？`,
    en: (name: string) => `What kind of damage (${name})?`,
  },
  location: {
    ja: '損傷の場所を送ってください。\n下の「位置情報を送る」を押し、地図のピンを場所に合わせて送信してください。',
    en: 'Please send the location.\nTap "Send location" below, move the pin to the spot and send it.',
  },
  sendLocation: { ja: '位置情報を送る', en: 'Send location' },
  outsideArea: {
    ja: '送られた場所は岡山市の区域外のようです。岡山市内の場所を送ってください。\n（市外の道路・公園は、その市町村や管理者へご連絡ください）',
    en: 'That place seems to be outside Okayama City. Please send a place inside the city.\n(For roads and parks elsewhere, please contact that municipality.)',
  },
  duplicate: {
    ja: (number: string, subtype: string, status: string, meters: number) =>
      `近くに同じ種類の通報があります。\n受付番号：${number}（${subtype}・${status}・約${meters}m）\n\n同じ損傷でしたら「賛同する」を押すと、その通報の対応状況をお知らせします。別の損傷でしたら、通報を続けてください。`,
    en: (number: string, subtype: string, status: string, meters: number) =>
      `There is already a report of this kind nearby.\nNumber: ${number} (${subtype}, ${status}, about ${meters} m away)\n\nIf it is the same damage, tap "Same damage" to follow that report. Otherwise, continue with yours.`,
  },
  support: { ja: '同じ損傷なので賛同する', en: 'Same damage: follow' },
  continueOwn: { ja: '別の損傷として通報する', en: 'Different: continue' },
  supported: {
    ja: (number: string) =>
      `${number} に賛同しました。対応状況が変わったときは、このLINEでお知らせします。ご協力ありがとうございました。`,
    en: (number: string) =>
      `You are now following ${number}. We will tell you here when its status changes. Thank you.`,
  },
  photos: {
    ja: `損傷の様子がわかる写真を送ってください（${MAX_PHOTOS}枚まで）。写真がない場合は「写真なしで進む」を押してください。`,
    en: `Please send photos of the damage (up to ${MAX_PHOTOS}). If you have none, tap "No photo".`,
  },
  camera: { ja: 'カメラで撮る', en: 'Camera' },
  cameraRoll: { ja: '写真を選ぶ', en: 'Choose photo' },
  noPhoto: { ja: '写真なしで進む', en: 'No photo' },
  next: { ja: '次へ', en: 'Next' },
  photoReceived: {
    ja: (n: number) =>
      `写真を受け付けました（${n}/${MAX_PHOTOS}枚）。ほかにもあれば送ってください。終わったら「次へ」を押してください。`,
    en: (n: number) => `Photo received (${n}/${MAX_PHOTOS}). Send more, or tap "Next".`,
  },
  photosFull: { ja: `写真を${MAX_PHOTOS}枚受け付けました。`, en: `${MAX_PHOTOS} photos received.` },
  photoTooMany: { ja: `写真は${MAX_PHOTOS}枚までです。`, en: `Up to ${MAX_PHOTOS} photos.` },
  photoNotFound: {
    ja: '写真を受け取れませんでした。お手数ですが、もう一度送ってください。',
    en: 'We could not receive the photo. Please send it again.',
  },
  photoTooLarge: {
    ja: '写真が大きすぎます（10MBまで）。小さくして送ってください。',
    en: 'The photo is too large (10 MB at most).',
  },
  photoNotImage: { ja: 'JPEGまたはPNGの写真を送ってください。', en: 'Please send a JPEG or PNG photo.' },
  photoExternal: {
    ja: '写真はカメラか写真の選択から、直接送ってください。',
    en: 'Please send the photo directly with Camera or Choose photo.',
  },
  description: {
    ja: `損傷の様子を文章で教えてください（${MAX_DESCRIPTION_CHARS.toLocaleString('en-US')}文字まで）。\n例：歩道に直径30cmほどの穴があり、つまずきそうです。`,
    en: `Please describe the damage (up to ${MAX_DESCRIPTION_CHARS} characters).\nExample: a hole about 30 cm wide in the pavement.`,
  },
  noDescription: { ja: '説明なしで進む', en: 'No description' },
  tooLong: {
    ja: (n: number) => `説明が${n}文字でした。${MAX_DESCRIPTION_CHARS.toLocaleString('en-US')}文字以内でお願いします。`,
    en: (n: number) => `That was ${n} characters; please keep it within ${MAX_DESCRIPTION_CHARS}.`,
  },
  personalData: {
    ja: (what: string) =>
      `ご注意：説明に${what}のようなものが含まれています。ほかの方の個人情報は書かないでください（利用規約1(6)）。\nこのままでよければ「このまま進む」を、書き直す場合は新しい説明を送ってください。`,
    en: (what: string) =>
      `Note: your description seems to contain ${what}. Please do not include other people's personal details (terms 1(6)).\nTap "Keep it" to continue, or send a new description.`,
  },
  phoneWord: { ja: '電話番号', en: 'a phone number' },
  emailWord: { ja: 'メールアドレス', en: 'an e-mail address' },
  and: { ja: 'や', en: ' or ' },
  keep: { ja: 'このまま進む', en: 'Keep it' },
  confirm: {
    ja: (s: Summary) =>
      `次の内容で通報します。\n\n種類：${s.category}／${s.subtype}\n場所：${s.place}\n写真：${s.photos}枚\n説明：${s.description || '（なし）'}\n\nよろしければ「送信」を押してください。`,
    en: (s: Summary) =>
      `Your report:\n\nType: ${s.category} / ${s.subtype}\nPlace: ${s.place}\nPhotos: ${s.photos}\nDescription: ${s.description || '(none)'}\n\nTap "Send" to send it.`,
  },
  send: { ja: '送信', en: 'Send' },
  edit: { ja: '修正', en: 'Edit' },
  editWhat: { ja: 'どこを修正しますか？', en: 'What would you like to change?' },
  editCategory: { ja: '種類', en: 'Type' },
  editLocation: { ja: '場所', en: 'Place' },
  editPhotos: { ja: '写真（撮り直し）', en: 'Photos (retake)' },
  editDescription: { ja: '説明', en: 'Description' },
  back: { ja: '確認に戻る', en: 'Back to summary' },
  receipt: {
    ja: (number: string, dept: string) =>
      `通報を受け付けました。ありがとうございます。\n受付番号：${number}\n\n担当課（${dept}）が平日の開庁時間に内容を確認し、対応します。個別の返信は行っておりませんが、対応状況が変わったときはこのLINEでお知らせします。\n急を要する場合は、お電話でご連絡ください。`,
    en: (number: string, dept: string) =>
      `Thank you. Your report has been received.\nNumber: ${number}\n\nThe responsible section (${dept}) will look at it on a weekday. There is no individual reply, but we will tell you here when its status changes.\nIf it is urgent, please call.`,
  },
  cancelled: {
    ja: '通報を中止しました。入力した内容は破棄しました。',
    en: 'The report was cancelled and what you entered was discarded.',
  },
  dailyLimit: {
    ja: `通報は1日${DAILY_REPORT_LIMIT}件までです。本日の上限に達したため受け付けられません。明日以降にお願いします。急を要する場合はお電話でご連絡ください。`,
    en: `You can send up to ${DAILY_REPORT_LIMIT} reports a day and have reached today's limit. Please try again tomorrow, or call if it is urgent.`,
  },
  hintChoose: { ja: '下のボタンから選んでください。', en: 'Please choose one of the buttons below.' },
  hintLocation: { ja: '位置情報を送ってください。', en: 'Please send a location.' },
  hintPhoto: { ja: '写真を送るか、下のボタンを押してください。', en: 'Please send a photo or tap a button below.' },
  hintText: { ja: '説明は文字で送ってください。', en: 'Please type the description as text.' },
  startOver: {
    ja: '入力途中の内容を続けられませんでした。お手数ですが、もう一度「通報」からお始めください。',
    en: 'Your entry could not be continued. Please start again with "通報".',
  },
  unavailable: {
    ja: '選択肢が変更されました。もう一度お選びください。',
    en: 'The choices have changed. Please choose again.',
  },
});

/** Keyed by status, so a status added to the schema without a name here fails the typecheck. */
const STATUS: Record<ReportStatus, (l: Lang) => string> = texts({
  received: { ja: '受付済み', en: 'received' },
  accepted: { ja: '受理（確認中）', en: 'accepted' },
  in_progress: { ja: '対応中', en: 'in progress' },
  resolved: { ja: '対応完了', en: 'resolved' },
  not_city_managed: { ja: '市の管理外', en: 'not managed by the city' },
  duplicate: { ja: '重複（他の通報で対応）', en: 'duplicate' },
  rejected: { ja: '対応不可', en: 'rejected' },
});

export function statusName(l: Lang, s: ReportStatus): string {
  return STATUS[s](l);
}

/** A category's or subtype's name in `l`; D1 holds both. */
export function categoryName(l: Lang, c: { nameJa: string; nameEn: string }): string {
  return l === 'en' ? c.nameEn : c.nameJa;
}

const PUSH = texts({
  heading: {
    ja: (number: string) => `【通報 ${number} の対応状況】`,
    en: (number: string) => `[Report ${number}: status update]`,
  },
  status: { ja: (status: string) => `状況：${status}`, en: (status: string) => `Status: ${status}` },
  reopened: {
    ja: '対応を再開しました。あらためて確認し、対応します。',
    en: 'This report is being handled again; the city will look at it once more.',
  },
  resolved: {
    ja: 'ご通報ありがとうございました。対応が完了しました。',
    en: 'Thank you for your report. The repair is complete.',
  },
  notCityManaged: {
    ja: 'この場所は岡山市の管理ではないため、管理者へお伝えします。',
    en: 'This place is not managed by Okayama City; we will pass your report on to its manager.',
  },
  duplicateOf: {
    ja: (number: string) => `同じ損傷の通報（${number}）で対応します。`,
    en: (number: string) => `It is being handled together with report ${number} about the same damage.`,
  },
  rejected: {
    ja: '内容を確認した結果、この通報では対応できませんでした。',
    en: 'After checking, the city cannot act on this report.',
  },
  noReply: {
    ja: 'このメッセージへの個別の返信は行っておりません。',
    en: 'This account does not reply to messages individually.',
  },
});

/**
 * The push a reporter (or supporter) gets when their report's status changes, with the number,
 * in their language. Staff write the public note; it is passed on as written.
 */
export function statusChanged(
  number: string,
  from: ReportStatus,
  to: ReportStatus,
  publicNote: string | null,
  duplicateOfNumber: string | null,
  lang: Lang = 'ja',
): Msg {
  const lines = [PUSH.heading(lang, number), PUSH.status(lang, statusName(lang, to))];
  if (isReopening(from, to)) lines.push(PUSH.reopened(lang));
  if (to === 'resolved') lines.push(PUSH.resolved(lang));
  if (to === 'not_city_managed') lines.push(PUSH.notCityManaged(lang));
  if (to === 'duplicate' && duplicateOfNumber) lines.push(PUSH.duplicateOf(lang, duplicateOfNumber));
  if (to === 'rejected') lines.push(PUSH.rejected(lang));
  if (publicNote?.trim()) lines.push('', publicNote.trim());
  lines.push('', PUSH.noReply(lang));
  return { type: 'text', text: lines.join('\n') };
}
