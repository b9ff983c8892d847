import { z } from 'zod';
import type { ServiceName } from './types';

export const POLICY_ANSWER_INTERVAL_MS = 60 * 60 * 1000;

/** Policy §6 answer throttle: the first message is always answered, then at most once an hour. */
export function policyAnswerDue(lastAnsweredAt: number | undefined, now: number): boolean {
  return lastAnsweredAt === undefined || now - lastAnsweredAt >= POLICY_ANSWER_INTERVAL_MS;
}

/** A service to start and, optionally, where in it (`history` of the absence service …). */
export interface Start {
  service: ServiceName;
  entry?: string;
}

/**
 * Words a resident may type to start a service, as the rich menu's postbacks would. A Map,
 * because typed text indexes it: an object would answer 「constructor」 with its prototype's.
 * Inside a flow, a flow that claims the word (`Flow.claimsText`) gets it instead.
 */
const KEYWORDS: ReadonlyMap<string, Start> = new Map([
  ['通報', { service: 'report' }],
  ['欠席連絡', { service: 'absence' }],
  ['欠席', { service: 'absence' }],
  ['連絡履歴', { service: 'absence', entry: 'history' }],
  ['子どもを追加', { service: 'absence', entry: 'add_child' }],
  ['登録解除', { service: 'absence', entry: 'unlink' }],
  ['町内会', { service: 'community' }],
  ['設定', { service: 'settings' }],
  ['個人情報', { service: 'settings', entry: 'privacy' }],
  ['登録内容の確認', { service: 'settings', entry: 'summary' }],
  ['データの削除', { service: 'settings', entry: 'delete' }],
  ['同意の撤回', { service: 'settings', entry: 'withdraw' }],
]);

export function startFromText(text: string): Start | null {
  return KEYWORDS.get(text.trim()) ?? null;
}

export function serviceFromText(text: string): ServiceName | null {
  return startFromText(text)?.service ?? null;
}

/** The postback data that starts a service (rich menu tiles, buttons, the consent prompt's resume). */
export function startData(start: Start): string {
  const entry = start.entry ? `&entry=${encodeURIComponent(start.entry)}` : '';
  return `action=start&service=${start.service}${entry}`;
}

export function parsePostback(data: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(data));
}

const SERVICES: ReadonlySet<string> = new Set<ServiceName>(['report', 'absence', 'community', 'settings']);

export function isService(s: string | undefined): s is ServiceName {
  return !!s && SERVICES.has(s);
}

/** Settings are not a service on residents' data, so they need no consent; the rest do. */
export function needsConsent(service: ServiceName): boolean {
  return service !== 'settings';
}

/**
 * Whether an event whose handling threw is worth trying again. A TypeError, RangeError,
 * SyntaxError, ReferenceError or a validation error comes out of the code and the event
 * alone, so it would throw the same way on every try while the resident's later events
 * wait behind it; anything else (D1, a LINE call, a timeout) may pass on a later try.
 */
export function handlerErrorRetryable(err: unknown): boolean {
  const deterministic =
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof SyntaxError ||
    err instanceof ReferenceError ||
    err instanceof z.ZodError;
  return !deterministic;
}
