import { texts, type Lang } from '../i18n';
import type { Msg } from '../line/messages';

/** What the bot answers a staff member who sends 「職員 <code>」 from their own LINE. */

const T = texts({
  linked: {
    ja: (staffName: string) =>
      `職員アカウント「${staffName}」に、このLINEアカウントを連携しました。\n` +
      '配信のテスト送信は、このLINEに届きます。連携の解除は職員APIから行えます。',
    en: (staffName: string) =>
      `This LINE account is now linked to the staff account “${staffName}”.\n` +
      'Test sends of broadcasts will arrive here. You can unlink it in the staff API.',
  },
  // One answer for a wrong, an expired and a used code: it tells a guesser nothing.
  invalid: {
    ja:
      'コードが正しくないか、有効期限が切れているか、すでに使われています。\n' +
      '職員APIで新しいコードを発行し、「職員 コード」の形でもう一度お送りください。',
    en:
      'The code is wrong, has expired or has already been used.\n' +
      'Please issue a new code in the staff API and send “職員 <code>” again.',
  },
  tooManyWrong: {
    ja: '誤ったコードが続いたため、受け付けを一時停止しています。1時間ほどたってから、もう一度お試しください。',
    en: 'Too many wrong codes. Please try again in about an hour.',
  },
  full: {
    ja: (max: number) =>
      `この職員アカウントに連携できるLINEアカウントは${max}件までです。` +
      '職員APIで不要な連携を解除してから、同じコードをもう一度お送りください。',
    en: (max: number) =>
      `A staff account can have at most ${max} linked LINE accounts. ` +
      'Please unlink one in the staff API, then send the same code again.',
  },
});

const text = (t: string): Msg => ({ type: 'text', text: t });

export const linked = (lang: Lang, staffName: string) => text(T.linked(lang, staffName));
export const invalidCode = (lang: Lang) => text(T.invalid(lang));
export const tooManyWrongCodes = (lang: Lang) => text(T.tooManyWrong(lang));
export const tooManyAccounts = (lang: Lang, max: number) => text(T.full(lang, max));
