import { texts } from '../i18n';

/**
 * What residents read of the broadcast pipeline itself (acknowledgements). A broadcast goes
 * to many residents in one multicast, so what it carries is Japanese; the brief answer to a
 * tap is a reply and follows the resident's language.
 */
export const T = texts({
  ackLabel: { ja: '確認しました', en: 'Noted' },
  ackPrompt: {
    ja: 'お読みになったら「確認しました」を押してください。',
    en: 'Please tap “Noted” once you have read this.',
  },
  ackThanks: { ja: '確認しました。ありがとうございます。', en: 'Thank you, your confirmation has been recorded.' },
  ackUnknown: {
    ja: 'このお知らせの確認は受け付けていません。',
    en: 'This message does not take confirmations.',
  },
});
