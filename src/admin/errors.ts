import { z } from '@hono/zod-openapi';
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { log } from '../http/log';

/**
 * The one error envelope of the staff API: RFC 9457 problem details. `type` is
 * `about:blank` (the status says it all), so `title` is the HTTP status phrase and
 * `detail` says what to fix. Validation failures add `errors`, one per field.
 */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'about:blank' }),
    title: z.string().openapi({ example: 'Bad Request' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: 'roles: Too small: expected array to have >=1 items' }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');
export type Problem = z.infer<typeof ProblemSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemResponse(
  status: ContentfulStatusCode,
  detail: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): Response {
  const body: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...extra };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** A problem that carries headers of its own (`Retry-After` on a 429), which `onApiError` keeps. */
class ProblemException extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    detail: string,
    readonly headers: Record<string, string>,
  ) {
    super(status, { message: detail });
  }
}

/** Thrown anywhere in the staff API; `onApiError` turns it into problem+json with these headers. */
export function problem(
  status: ContentfulStatusCode,
  detail: string,
  headers: Record<string, string> = {},
): HTTPException {
  return new ProblemException(status, detail, headers);
}

/** Bearer auth answers 401 with a challenge (RFC 6750), so clients know what is expected. */
const CHALLENGE = { 'www-authenticate': 'Bearer realm="okayama-city-line"' };

export const onApiError: ErrorHandler = (err, c) => {
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    // The validator's own words name no remedy; every staff body is JSON.
    if (status === 415 && err.message === 'Unsupported Media Type')
      return problemResponse(415, 'Send the body as JSON, with the header `Content-Type: application/json`.');
    const headers = { ...(err instanceof ProblemException ? err.headers : {}), ...(status === 401 ? CHALLENGE : {}) };
    return problemResponse(status, err.message || TITLES[status] || 'Error', {}, headers);
  }
  // Unknown errors are logged for us and shown to no one: no stack, no SQL, no personal data.
  log.error('staff api error', { path: c.req.path, error: String(err), stack: err.stack });
  return problemResponse(500, 'An unexpected error occurred. It has been logged.');
};

/** Names each failing field, e.g. `scopes.schools: ...`, so a form can point at it. */
export function describeZodError(error: ZodError) {
  const errors = error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
  return { detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors };
}

/** The `defaultHook` of every staff router: a failed zod parse becomes a 400 problem. */
export function validationHook(result: { success: true } | { success: false; error: ZodError }, _c: Context) {
  if (result.success) return;
  const { detail, errors } = describeZodError(result.error);
  return problemResponse(400, detail, { errors });
}
