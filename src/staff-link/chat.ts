import type { Db } from '../db/client';
import type { Lang } from '../i18n';
import type { Msg } from '../line/messages';
import { readLinkCommand } from './codes';
import { recentTimes, windowLimit } from '../calendar/window-limit';
import { MAX_LINKED_ACCOUNTS, redeemLinkCode } from './service';
import * as t from './texts';

export const MAX_WRONG_CODES_PER_HOUR = 5;
const HOUR_MS = 60 * 60 * 1000;

/**
 * The chat's side of linking: 「職員 <code>」 sent from a staff member's own LINE. Returns
 * null for any other message. `wrongCodes` are the times of this LINE account's wrong
 * guesses (kept by the conversation); after 5 in an hour no code is even looked up.
 */
export async function answerLinkCommand(
  d: Db,
  lineUserId: string,
  text: string,
  wrongCodes: readonly number[] | undefined,
  lang: Lang,
  now: number,
): Promise<{ messages: Msg[]; wrongCodes: number[] } | null> {
  const command = readLinkCommand(text);
  if (!command) return null;
  const recent = recentTimes(wrongCodes ?? [], now, HOUR_MS);
  if (!windowLimit(recent, now, MAX_WRONG_CODES_PER_HOUR, HOUR_MS).allowed) {
    return { messages: [t.tooManyWrongCodes(lang)], wrongCodes: recent };
  }
  const result = command.code ? await redeemLinkCode(d, lineUserId, command.code, now) : { kind: 'invalid' as const };
  switch (result.kind) {
    case 'linked':
      return { messages: [t.linked(lang, result.staffName)], wrongCodes: recent };
    case 'full':
      return { messages: [t.tooManyAccounts(lang, MAX_LINKED_ACCOUNTS)], wrongCodes: recent };
    case 'invalid':
      return { messages: [t.invalidCode(lang)], wrongCodes: [...recent, now] };
  }
}
