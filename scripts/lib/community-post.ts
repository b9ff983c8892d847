/**
 * The second half of `npm run simulate -- community-tour`: a leader of the demo unit is made
 * through the staff API, posts to the unit with `POST /api/v1/broadcasts` (a leader's post
 * needs no city approval), and a cron tick inside the association window (07:00–21:00 JST)
 * releases it to the members.
 */
import { DAY_MS, jstDayStart, jstParts } from '../../src/calendar/jst.ts';
import { cronUrl } from './local-cron.ts';

const HOUR_MS = 60 * 60 * 1000;

/** Now if the association window is open, else the next 09:00 JST, so the tick releases the post. */
export function tickTime(now: number): number {
  const minutes = jstParts(now).minutes;
  if (minutes >= 7 * 60 && minutes < 21 * 60) return now;
  const nine = jstDayStart(now) + 9 * HOUR_MS;
  return nine > now ? nine : nine + DAY_MS;
}

async function call(workerUrl: string, token: string, path: string, method: string, body?: unknown) {
  const res = await fetch(`${workerUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/**
 * Creates the leader and the post, runs the tick; returns the broadcast's id, or throws with
 * what the staff API answered.
 */
export async function leaderPost(
  workerUrl: string,
  adminToken: string,
  communityId: string,
  communityName: string,
  log: (line: string) => void,
): Promise<string> {
  const staff = await call(workerUrl, adminToken, '/staff', 'POST', {
    name: `${communityName}の役員（デモ）`,
    roles: ['community_leader'],
    scopes: { communities: [communityId] },
  });
  if (staff.status !== 201) throw new Error(`POST /staff answered ${staff.status}: ${JSON.stringify(staff.body)}`);
  const token = String(staff.body.token);
  log(`   leader created: ${String(staff.body.name)} (role community_leader, scoped to ${communityName})`);
  const post = await call(workerUrl, token, '/broadcasts', 'POST', {
    title: '防災訓練のお知らせ',
    messages: [{ type: 'text', text: '12月7日（日）9時から、中央公園で防災訓練を行います。ご参加ください。' }],
    audience: { type: 'community', communityId },
  });
  if (post.status !== 201)
    throw new Error(
      `the leader's POST /api/v1/broadcasts answered ${post.status}: ${JSON.stringify(post.body)} ` +
        '(association posts need the broadcast pipeline for communities)',
    );
  const id = String(post.body.id);
  log(`   post ${id} created as ${String(post.body.status)}`);
  const now = Date.now();
  const at = tickTime(now);
  const tick = await fetch(cronUrl(workerUrl, at));
  await tick.arrayBuffer();
  log(
    `   cron tick at ${new Date(at).toISOString()}${at === now ? '' : ' (the next moment the association window is open)'}`,
  );
  return id;
}
