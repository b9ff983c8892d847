import { z } from '@hono/zod-openapi';
import { DAY_MS, isJstDate } from '../calendar/jst';
import { ProblemSchema } from './errors';

/**
 * The pieces every staff route declares its contract with. Error answers are built only
 * from `problemAnswer`, so the document cannot show an error body other than the one
 * `onApiError` sends (the OpenAPI-walking test checks every 4xx/5xx).
 */

export const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

/** One documented error answer: problem+json with the `Problem` schema. */
export const problemAnswer = (description: string) => ({ description, content: problemContent });

/** Error answers every authenticated operation can give; `staffRoute()` adds them. */
export const authErrorResponses = {
  401: problemAnswer('Missing, malformed, unknown or revoked token'),
  403: problemAnswer('The token lacks the role or scope'),
  503: problemAnswer('ADMIN_BOOTSTRAP_TOKEN is not configured'),
} as const;
export const badRequestResponse = { 400: problemAnswer('Invalid input; `errors` names each field') } as const;
export const notFoundResponse = { 404: problemAnswer('No such record') } as const;
export const conflictResponse = (description: string) => ({ 409: problemAnswer(description) }) as const;
export const unprocessableResponse = (description: string) => ({ 422: problemAnswer(description) }) as const;

/** Times are stored as UTC milliseconds and leave the staff API as ISO 8601 strings. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * A moment in a query: an ISO 8601 date-time with its offset, or a JST day `YYYY-MM-DD`, which
 * is what a clerk means by "from 1 December". `momentMs` turns either into UTC milliseconds.
 */
export const momentQuery = (description: string) =>
  z
    .union([
      z.iso.datetime({ offset: true }),
      z.string().refine(isJstDate, 'an ISO 8601 date-time with offset, or a day YYYY-MM-DD (JST)'),
    ])
    .openapi({ description, example: '2026-12-01' });

/**
 * A JST day stands for its first millisecond (`start`), its last (`end`, for inclusive
 * bounds) or the first of the next day (`next`, for exclusive bounds).
 */
export function momentMs(s: string, edge: 'start' | 'end' | 'next'): number {
  if (!isJstDate(s)) return Date.parse(s);
  const start = Date.parse(`${s}T00:00:00+09:00`);
  return edge === 'start' ? start : edge === 'next' ? start + DAY_MS : start + DAY_MS - 1;
}

/** How a time leaves the staff API (what `iso()` writes): documented as a date-time with its offset. */
export const isoTime = () => z.iso.datetime({ offset: true }).openapi({ example: '2026-12-01T00:30:00.000Z' });
