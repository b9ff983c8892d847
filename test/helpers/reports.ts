import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { db } from '../../src/db/client';
import { storeDraftPhoto, submitReport, type NewReport } from '../../src/reports/service';
import { pb } from '../../src/reports/texts';
import { conversation, events, fake, newUserId, say } from './line';

/** A point inside Okayama City that no other test uses (two random points within 30 m are vanishingly rare). */
export function spot(): { lat: number; lng: number } {
  return { lat: 34.62 + Math.random() * 0.08, lng: 133.88 + Math.random() * 0.1 };
}

/** About `m` metres north of a point. */
export function north(p: { lat: number; lng: number }, m: number) {
  return { lat: p.lat + m / 111_195, lng: p.lng };
}

/** Sends events and returns only the messages they caused. */
export async function turn(userId: string, ...evs: unknown[]) {
  const before = (await fake.messagesTo(userId)).length;
  await say(userId, ...evs);
  return (await fake.messagesTo(userId)).slice(before);
}

export function quickLabels(msg: Record<string, any> | undefined): string[] {
  return (msg?.quickReply?.items ?? []).map((i: { action: { label: string } }) => i.action.label);
}

export function quickTypes(msg: Record<string, any> | undefined): string[] {
  return (msg?.quickReply?.items ?? []).map((i: { action: { type: string } }) => i.action.type);
}

/** A followed resident who accepted the current terms. */
export async function resident(language?: string) {
  const userId = newUserId();
  if (language) await fake.profile(userId, language);
  await say(userId, events.follow(userId), events.postback(userId, `action=consent&v=${env.TERMS_VERSION}`));
  return userId;
}

export const press = (userId: string, step: string, v: string) => events.postback(userId, pb(step, v));

export type StepName = 'safety' | 'category' | 'subtype' | 'location' | 'photos' | 'description' | 'confirm';

/** Walks a resident's new report up to (not through) `step`. */
export async function reportUpTo(
  userId: string,
  step: StepName,
  o: { at?: { lat: number; lng: number }; category?: string; subtype?: string } = {},
) {
  const order: StepName[] = ['safety', 'category', 'subtype', 'location', 'photos', 'description', 'confirm'];
  const at = o.at ?? spot();
  const evs: Record<StepName, () => unknown> = {
    safety: () => events.postback(userId, 'action=start&service=report'),
    category: () => press(userId, 'safety', 'line'),
    subtype: () => press(userId, 'category', o.category ?? 'road'),
    location: () => press(userId, 'subtype', o.subtype ?? 'road-pothole'),
    photos: () => events.location(userId, at.lat, at.lng),
    description: () => press(userId, 'photos', 'next'),
    confirm: () => events.text(userId, '歩道に直径30cmほどの穴があります'),
  };
  // One webhook carrying every step's event, as a quick resident's taps can arrive: the inbox
  // works them one at a time in order, so the draft ends where separate webhooks leave it, at a
  // seventh of the round trips. Each step is asserted on its own in report-flow.test.ts.
  await say(userId, ...order.slice(0, order.indexOf(step) + 1).map((s) => evs[s]()));
  return at;
}

export async function flowState(userId: string) {
  return runInDurableObject(conversation(userId), async (_o: unknown, state) => {
    const row = state.storage.sql.exec<{ value: string }>(`SELECT value FROM kv WHERE key = 'state'`).toArray()[0];
    return row
      ? (JSON.parse(row.value) as { flow?: { step: string; data: Record<string, any>; updatedAt: number } })
      : {};
  });
}

export async function reportsOf(userId: string) {
  const rows = await env.DB.prepare('SELECT * FROM reports WHERE reporter_line_user_id = ? ORDER BY created_at')
    .bind(userId)
    .all<Record<string, any>>();
  return rows.results;
}

/** A stored report, as the conversation would store it (same service function), with optional photos. */
export async function storedReport(
  reporter: string,
  over: Partial<NewReport> & { photos?: Uint8Array[]; at?: number } = {},
) {
  const p = spot();
  const d = db(env.DB);
  const photoIds: string[] = [];
  for (const [i, bytes] of (over.photos ?? []).entries())
    photoIds.push(await storeDraftPhoto(env, d, reporter, bytes, i, Date.now()));
  const r = await submitReport(
    env,
    {
      id: crypto.randomUUID(),
      categoryCode: 'road',
      subtypeCode: 'road-pothole',
      departmentId: 'road',
      lat: p.lat,
      lng: p.lng,
      address: '岡山市北区大供1丁目',
      description: '歩道に穴があります',
      reporterLineUserId: reporter,
      photoIds,
      ...over,
    },
    over.at ?? Date.now(),
  );
  return { ...r, photoIds };
}
