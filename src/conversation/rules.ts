import { z } from 'zod';
import type { ServiceName } from './types';

export const POLICY_ANSWER_INTERVAL_MS = 60 * 60 * 1000;

/** Policy §6 answer throttle: the first message is always answered, then at most once an hour. */
export function policyAnswerDue(lastAnsweredAt: number | undefined, now: number): boolean {
  return lastAnsweredAt === undefined || now - lastAnsweredAt >= POLICY_ANSWER_INTERVAL_MS;
}

/**
 * Words a resident may type to start a service, as the rich menu's postbacks would. A Map,
 * because typed text indexes it: an object would answer 「constructor」 with its prototype's.
 */
const KEYWORDS: ReadonlyMap<string, ServiceName> = new Map([
  ['通報', 'report'],
  ['欠席連絡', 'absence'],
  ['欠席', 'absence'],
  ['町内会', 'community'],
  ['設定', 'settings'],
]);

export function serviceFromText(text: string): ServiceName | null {
  return KEYWORDS.get(text.trim()) ?? null;
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
