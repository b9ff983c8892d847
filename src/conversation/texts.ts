import { texts, type Lang } from '../i18n';
import type { Msg } from '../line/messages';

/** What residents read in the conversation around the services: welcome, consent, the policy answer. */

const T = texts({
  greeting: {
    ja:
      '岡山市役所公式LINEを友だち追加いただき、ありがとうございます。\n\n' +
      'このアカウントでは次のことができます。\n' +
      '・岡山市からのお知らせやイベント情報の受け取り\n' +
      '・道路・公園の損傷の通報\n' +
      '・市立小中学校への欠席・遅刻・早退の連絡\n' +
      '・町内会からのお知らせの受け取り\n\n' +
      'ご利用の前に、利用規約をお読みいただき、同意をお願いします。',
    en:
      'Thank you for adding the Okayama City official account.\n\n' +
      'Here you can:\n' +
      '・receive news and event information from the city\n' +
      '・report damage to roads and parks\n' +
      '・send absence notices to municipal elementary and junior high schools\n' +
      '・receive information from your community association\n\n' +
      'Please read and accept the terms of use before using these services.',
  },
  consentQuestion: {
    ja: '岡山市役所公式LINE利用規約に同意しますか？',
    en: 'Do you accept the terms of use of the Okayama City official LINE account?',
  },
  consentAltText: { ja: '利用規約への同意のお願い', en: 'Please accept the terms of use' },
  agree: { ja: '同意する', en: 'I agree' },
  readTerms: { ja: '利用規約を読む', en: 'Read the terms' },
  consentThanks: {
    ja: '利用規約への同意を受け付けました。下のメニューから各サービスをご利用いただけます。',
    en: 'Thank you. You can now use the services from the menu below.',
  },
  consentAccepted: {
    ja: '利用規約への同意を受け付けました。',
    en: 'Thank you for accepting the terms of use.',
  },
  consentNeeded: {
    ja: 'このサービスをご利用いただくには、先に利用規約への同意が必要です。',
    en: 'To use this service, please accept the terms of use first.',
  },
  termsRevised: {
    ja: (url: string) =>
      `利用規約が改定されました。改定後の利用規約（${url}）をお読みいただき、あらためて同意をお願いします。`,
    en: (url: string) =>
      `The terms of use have been revised. Please read the new terms (${url}) and accept them again.`,
  },
  serviceRestricted: {
    ja: (contactEmail: string) =>
      `現在、このサービスはご利用いただけません。お問い合わせは電子メール（${contactEmail}）でお願いします。`,
    en: (contactEmail: string) =>
      `This service is not available to you at the moment. For questions, please e-mail ${contactEmail}.`,
  },
  policyAnswer: {
    ja: (contactEmail: string) =>
      'メッセージありがとうございます。\n' +
      'このアカウントでは、個別のメッセージへの返信は行っておりません。\n' +
      `ご質問等は、電子メール（${contactEmail}）で直接お問い合わせください。\n` +
      '道路・公園の損傷の通報は、メニューからお願いします。',
    en: (contactEmail: string) =>
      'Thank you for your message. This account does not reply to messages individually.\n' +
      `If you have a question, please e-mail ${contactEmail}.\n` +
      'To report road or park damage, please use the menu.',
  },
  serviceNotReady: {
    ja: (service: string) => `「${service}」は準備中です。公開まで今しばらくお待ちください。`,
    en: (service: string) => `${service} is not available yet. Please wait a little longer.`,
  },
  flowExpired: {
    ja: '30分間操作がなかったため、入力途中の内容は破棄されました。お手数ですが、メニューからもう一度お始めください。',
    en: 'Your unfinished entry was discarded after 30 minutes without a reply. Please start again from the menu.',
  },
});

const SERVICES = texts({
  report: { ja: '道路・公園の損傷通報', en: 'Reporting road and park damage' },
  absence: { ja: '学校への欠席連絡', en: 'School absence notices' },
  community: { ja: '町内会', en: 'Community associations' },
  settings: { ja: '設定', en: 'Settings' },
});

export function greeting(lang: Lang): Msg {
  return { type: 'text', text: T.greeting(lang) };
}

/**
 * The consent question. `resume`: the postback data of the service the resident asked for
 * (`action=start&…`), carried by 同意する so that service goes on by itself afterwards.
 */
export function consentPrompt(lang: Lang, termsVersion: string, termsUrl: string, resume?: string): Msg {
  const then = resume ? `&then=${encodeURIComponent(resume)}` : '';
  return {
    type: 'template',
    altText: T.consentAltText(lang),
    template: {
      type: 'buttons',
      text: T.consentQuestion(lang),
      actions: [
        {
          type: 'postback',
          label: T.agree(lang),
          data: `action=consent&v=${encodeURIComponent(termsVersion)}${then}`,
          displayText: T.agree(lang),
        },
        { type: 'uri', label: T.readTerms(lang), uri: termsUrl },
      ],
    },
  };
}

export function consentThanks(lang: Lang): Msg {
  return { type: 'text', text: T.consentThanks(lang) };
}

export function consentAccepted(lang: Lang): Msg {
  return { type: 'text', text: T.consentAccepted(lang) };
}

/** For a resident who accepted an older version: why they are asked again. */
export function termsRevised(lang: Lang, termsUrl: string): Msg {
  return { type: 'text', text: T.termsRevised(lang, termsUrl) };
}

/** A restricted resident starting a restricted service: no reason given (terms §1). */
export function serviceRestricted(lang: Lang, contactEmail: string): Msg {
  return { type: 'text', text: T.serviceRestricted(lang, contactEmail) };
}

export function consentNeeded(lang: Lang): Msg {
  return { type: 'text', text: T.consentNeeded(lang) };
}

/** Policy §6: no individual replies; questions go to the contact e-mail. */
export function policyAnswer(lang: Lang, contactEmail: string): Msg {
  return { type: 'text', text: T.policyAnswer(lang, contactEmail) };
}

export function serviceNotReady(lang: Lang, service: string): Msg {
  const name = Object.hasOwn(SERVICES, service) ? SERVICES[service as keyof typeof SERVICES](lang) : service;
  return { type: 'text', text: T.serviceNotReady(lang, name) };
}

export function flowExpired(lang: Lang): Msg {
  return { type: 'text', text: T.flowExpired(lang) };
}
