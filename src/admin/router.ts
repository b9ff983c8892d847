import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { StaffRole } from '../db/schema';
import { requireRole, type ApiEnv } from './auth';
import { onApiError, problem, validationHook } from './errors';
import { authErrorResponses, problemAnswer } from './openapi';

/** Name of the bearer scheme in the OpenAPI document. */
export const BEARER_SCHEME = 'bearerAuth';

/**
 * A router for one capability's staff routes (staff, reports, broadcasts, schools …).
 * Mount it in `src/api.ts`; it then sits behind `authenticate`, so its handlers have
 * `c.var.staff` and `c.var.db`, and its zod failures and thrown errors leave as
 * problem+json like every other staff route.
 */
export function createRouter() {
  const router = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  router.onError(onApiError);
  return router;
}

/** Bytes a staff request body may have unless its route declares more (a roster, an image). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Refuses a body over `maxBytes` before anything parses it: by its Content-Length, or, for a
 * chunked body, while reading it (the read stops at the cap; nothing larger is buffered).
 */
function bodyCap(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw problem(413, `The request body is larger than ${maxBytes} bytes, the most this operation takes.`);
    },
  });
}

/**
 * `createRoute` for a staff operation: `roles` is enforced (admin always passes; an
 * empty list means any staff member) and is written into the document as
 * `x-required-roles`, so the docs page can never disagree with what is enforced.
 * The body is capped at `maxBodyBytes` (default `MAX_BODY_BYTES`), checked after the role,
 * so a caller without it never gets to send one.
 */
export function staffRoute<const R extends Omit<RouteConfig, 'middleware' | 'security'>>(
  roles: StaffRole[],
  config: R,
  { maxBodyBytes = MAX_BODY_BYTES }: { maxBodyBytes?: number } = {},
) {
  const responses = config.request?.body
    ? { ...config.responses, 413: problemAnswer(`The body is larger than ${maxBodyBytes} bytes`) }
    : config.responses;
  return createRoute({
    ...config,
    security: [{ [BEARER_SCHEME]: [] }],
    'x-required-roles': roles,
    middleware: [requireRole(...roles), bodyCap(maxBodyBytes)] as const,
    responses: withAuthErrors(responses),
  });
}

/**
 * The route's own answers plus the ones `authenticate` and `requireRole` give. Where both
 * give the same status (a route's own 503 beside the unconfigured door's), the document
 * names both causes instead of the later one hiding the other.
 */
function withAuthErrors<T extends RouteConfig['responses']>(own: T) {
  const merged: RouteConfig['responses'] = { ...own };
  for (const [status, answer] of Object.entries(authErrorResponses)) {
    const mine = own[status] as { description: string } | undefined;
    merged[status] = mine ? { ...answer, description: `${mine.description}; or: ${answer.description}` } : answer;
  }
  return merged as T & typeof authErrorResponses;
}
