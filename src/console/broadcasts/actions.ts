import { HTTPException } from 'hono/http-exception';
import { approveBroadcast, cancelBroadcast, returnBroadcast, submitBroadcast } from '../../broadcasts/service';
import { testSend } from '../../broadcasts/test-send';
import { consoleRouter, field, guard, type ConsoleContext } from '../kit';

/**
 * The buttons of the 配信 pages, each a POST that calls the API's service function and
 * redirects (303) back with a notice. The service decides who may: a refusal is its 403/409 page.
 */
export const actionPages = consoleRouter();

/** Roles as the API's routes let them in (routes.ts: READERS, SENDERS, approve). */
export const READERS = ['broadcaster', 'approver', 'school_staff', 'community_leader'] as const;
export const APPROVERS = ['approver', 'school_staff'] as const;
export const SENDERS = ['broadcaster', 'school_staff', 'community_leader'] as const;

/** Why a test send did not go, by the service's status, as a `?failed=` key. */
const TEST_FAILURES: Record<number, string> = { 409: 'nolink', 422: 'refused', 503: 'unavailable' };

/** Sends the broadcast to the caller's own linked LINE accounts, then back to `back` with the outcome. */
export async function testAndRedirect(c: ConsoleContext, id: string, back: string) {
  let outcome: string;
  try {
    const r = await testSend(c.env, c.var.db, c.var.staff, id);
    outcome = 'retryAfterSeconds' in r ? 'failed=limit' : 'done=test';
  } catch (err) {
    const key = err instanceof HTTPException ? TEST_FAILURES[err.status] : undefined;
    if (!key) throw err;
    outcome = `failed=${key}`;
  }
  return c.redirect(`${back}?${outcome}`, 303);
}

/** Where a button's page goes back to: the queue when it was pressed there, else the broadcast. */
function back(body: Record<string, unknown>, id: string) {
  return field(body, 'back') === 'approvals' ? '/admin/approvals' : `/admin/broadcasts/${id}`;
}

const ID = '/broadcasts/:id{[0-9a-f-]{36}}';

actionPages.post(`${ID}/submit`, guard(...SENDERS), async (c) => {
  const id = c.req.param('id');
  const r = await submitBroadcast(c.var.db, c.var.staff, id);
  return c.redirect(`/admin/broadcasts/${id}?done=${r.status === 'scheduled' ? 'scheduled' : 'submit'}`, 303);
});

actionPages.post(`${ID}/approve`, guard(...APPROVERS), async (c) => {
  const id = c.req.param('id');
  const body = await c.req.parseBody();
  await approveBroadcast(c.var.db, c.var.staff, id);
  return c.redirect(`${back(body, id)}?done=approved`, 303);
});

actionPages.post(`${ID}/return`, guard(...APPROVERS), async (c) => {
  const id = c.req.param('id');
  const body = await c.req.parseBody();
  const reason = field(body, 'reason');
  if (reason === '') throw new HTTPException(400, { message: '差し戻しの理由を書いてください。' });
  await returnBroadcast(c.var.db, c.var.staff, id, reason);
  return c.redirect(`${back(body, id)}?done=returned`, 303);
});

actionPages.post(`${ID}/cancel`, guard(...READERS), async (c) => {
  const id = c.req.param('id');
  await cancelBroadcast(c.env, c.var.db, c.var.staff, id);
  return c.redirect(`/admin/broadcasts/${id}?done=cancelled`, 303);
});

actionPages.post(`${ID}/test`, guard(...READERS), async (c) => {
  const id = c.req.param('id');
  return testAndRedirect(c, id, `/admin/broadcasts/${id}`);
});
