import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { StaffRole } from '../db/schema';
import { requireRole, type ApiEnv } from './auth';
import { onApiError, validationHook } from './errors';
import { authErrorResponses } from './openapi';

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

/**
 * `createRoute` for a staff operation: `roles` is enforced (admin always passes; an
 * empty list means any staff member) and is written into the document as
 * `x-required-roles`, so the docs page can never disagree with what is enforced.
 */
export function staffRoute<const R extends Omit<RouteConfig, 'middleware' | 'security'>>(
  roles: StaffRole[],
  config: R,
) {
  return createRoute({
    ...config,
    security: [{ [BEARER_SCHEME]: [] }],
    'x-required-roles': roles,
    middleware: requireRole(...roles),
    responses: withAuthErrors(config.responses),
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
