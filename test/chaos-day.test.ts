import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { jst } from '../src/calendar/jst';
import { retryPendingNotifications } from '../src/reports/notify';
import { pb } from '../src/reports/texts';
import { api } from './helpers/api';
import { cron, dispatcherStub, getBroadcast, team, type BroadcastView } from './helpers/broadcasts';
import {
  chaosScope,
  chaosSeed,
  pool,
  reportSeedOnFailure,
  sayUnderChaos,
  scopedUserId,
  startChaos,
  stopChaos,
} from './helpers/chaos';
import { jpegWithGps } from './helpers/images';
import { conversation, events, fake } from './helpers/line';
import { reportsOf, spot } from './helpers/reports';

/**
 * A day of the account with LINE misbehaving on a share of the calls (issue 12, section 3).
 * The day has 200 residents and 50 reports; on a busy 2-core CI machine that alone
 * would take minutes, so CI runs a smaller day of the same shape. CHAOS_RESIDENTS and
 * CHAOS_REPORTERS are not read inside workerd; change the numbers here to run the full day.
 */
const RESIDENTS = 60;
const REPORTERS = 15;
/** The share of LINE calls that misbehave (the issue asks for 5–20 %). */
const RATE = 0.15;
const CONCURRENCY = 8;
const SENDS = /\/v2\/bot\/message\/(reply|push)$/;
const TERMINAL = ['sent', 'partially_failed', 'failed', 'cancelled'];

/** Works a broadcast's dispatcher to its end, with room for chaos timeouts and retries. */
async function settleLong(id: string): Promise<BroadcastView> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const b = await getBroadcast(id);
    if (TERMINAL.includes(b.status) && b.progress.pending === 0) return b;
    if (Date.now() > deadline) throw new Error(`broadcast ${id} did not settle: ${JSON.stringify(b)}`);
    await runDurableObjectAlarm(dispatcherStub(id));
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function broadcast(t: Awaited<ReturnType<typeof team>>, marker: string, body: Record<string, unknown>) {
  const res = await api('/broadcasts', {
    method: 'POST',
    body: { title: marker, messages: [{ type: 'text', text: `お知らせ ${marker}` }], ...body },
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  expect((await api(`/broadcasts/${id}/approve`, { token: t.approver.token, method: 'POST' })).status).toBe(200);
  return id;
}

describe('a scripted day under chaos (issue 12, section 3)', () => {
  it(
    'every resident gets each answer, broadcast and status push exactly once; every report is stored once with its photo; nothing is left pending',
    {
      timeout: 240_000,
    },
    async () => {
      const seed = await chaosSeed();
      const scope = chaosScope(seed);
      reportSeedOnFailure(seed, scope);
      const t = await team();
      const residents = Array.from({ length: RESIDENTS }, (_, i) => scopedUserId(scope, i));
      const reporters = residents.slice(0, REPORTERS);
      /** Events each resident sent that call for one answer each. */
      const answersDue = new Map<string, number>(residents.map((u) => [u, 0]));
      const said = async (u: string, ev: unknown) => {
        answersDue.set(u, answersDue.get(u)! + 1);
        await sayUnderChaos(u, ev);
      };

      await startChaos({ seed, rate: RATE, scope });

      // Morning: everyone adds the account and accepts the terms.
      await pool(residents, CONCURRENCY, async (u) => {
        await said(u, events.follow(u));
        await said(u, events.postback(u, `action=consent&v=${env.TERMS_VERSION}`));
      });
      // Half chose 北区 and 防災 in 設定, the others 子育て only (set directly: the settings flow has its own
      // tests, and fuzz-chat walks it). No interests at all would mean "tell me everything".
      const north = residents.filter((_, i) => i % 2 === 0);
      for (const u of residents) {
        const prefs = north.includes(u) ? ['北区', '["防災"]'] : [null, '["子育て"]'];
        await env.DB.prepare(`UPDATE users SET ward = ?, interests = ? WHERE line_user_id = ?`)
          .bind(...prefs, u)
          .run();
      }

      // Late morning: some file a road damage report with a photo (the content API is under chaos too).
      await pool(reporters, CONCURRENCY, async (u, i) => {
        const at = spot();
        const photo = `${scope}-photo-${i}`;
        await fake.content(photo, jpegWithGps(6), 'image/jpeg');
        await said(u, events.postback(u, 'action=start&service=report'));
        await said(u, events.postback(u, pb('safety', 'line')));
        await said(u, events.postback(u, pb('category', 'road')));
        await said(u, events.postback(u, pb('subtype', 'road-pothole')));
        await said(u, events.location(u, at.lat, at.lng));
        await said(u, events.image(u, photo));
        await said(u, events.postback(u, pb('photos', 'next')));
        await said(u, events.text(u, `歩道に穴があります ${i}`));
        await said(u, events.postback(u, pb('confirm', 'send')));
      });

      // ── Absence notices (schools) go here once that capability is on main, and association joins
      // ── (on main since this day was written, not scripted yet): their residents' events run under
      // ── the same chaos and are counted in answersDue the same way.

      // Afternoon: three broadcasts (everyone, a segment, an urgent one), released by the cron on an office day.
      const markers = { all: `${scope}-all`, segment: `${scope}-segment`, urgent: `${scope}-urgent` };
      const ids = {
        all: await broadcast(t, markers.all, { audience: { type: 'all' } }),
        segment: await broadcast(t, markers.segment, { audience: { type: 'segment', wards: ['北区'] } }),
        urgent: await broadcast(t, markers.urgent, {
          audience: { type: 'segment', interests: ['防災'] },
          urgent: true,
        }),
      };
      await cron(jst('2026-12-04T10:00'));
      const views = {
        all: await settleLong(ids.all),
        segment: await settleLong(ids.segment),
        urgent: await settleLong(ids.urgent),
      };

      // Staff accept each report: the reporter is told by push; the cron retries what chaos stopped.
      const reports = (await Promise.all(reporters.map((u) => reportsOf(u)))).flat();
      for (const r of reports) {
        const res = await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: 'accepted' } });
        expect(res.status).toBe(200);
      }
      for (let tick = 0; tick < 20; tick++) {
        const pending = await env.DB.prepare(
          `SELECT count(*) AS n FROM report_notifications WHERE status = 'pending'`,
        ).first<{
          n: number;
        }>();
        if (pending!.n === 0) break;
        await retryPendingNotifications(env, Date.now());
      }

      const stats = await stopChaos(scope);
      // The day did meet chaos, of every kind.
      expect(Object.values(stats.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);

      // Nothing is left pending or sending.
      const notifications = (
        await env.DB.prepare(`SELECT id, line_user_id, status FROM report_notifications`).all<{
          id: string;
          line_user_id: string;
          status: string;
        }>()
      ).results;
      expect(notifications.filter((n) => n.status === 'pending')).toEqual([]);
      const openBatches = await env.DB.prepare(
        `SELECT count(*) AS n FROM broadcast_batches WHERE status IN ('pending', 'sending')`,
      ).first<{ n: number }>();
      expect(openBatches!.n).toBe(0);

      // Every report once, with its one photo in R2.
      expect(reports).toHaveLength(REPORTERS);
      for (const u of reporters) expect(await reportsOf(u)).toHaveLength(1);
      for (const r of reports) {
        const photos = (
          await env.DB.prepare('SELECT r2_key FROM report_photos WHERE report_id = ?')
            .bind(r.id)
            .all<{ r2_key: string }>()
        ).results;
        expect(photos).toHaveLength(1);
        expect(await env.PHOTOS.head(photos[0]!.r2_key)).not.toBeNull();
      }

      // Each resident: every event worked, and exactly one accepted answer per event and per status push.
      const sentNotifications = new Map<string, number>();
      for (const n of notifications)
        if (n.status === 'sent')
          sentNotifications.set(n.line_user_id, (sentNotifications.get(n.line_user_id) ?? 0) + 1);
      for (const u of residents) {
        const rows = await conversation(u).inbox();
        expect(rows.filter((r) => r.status !== 'done')).toEqual([]);
        const accepted = (await fake.requests({ to: u })).filter((r) => SENDS.test(r.path));
        const keys = accepted.map((r) => r.retryKey).filter((k) => k !== null);
        expect(new Set(keys).size).toBe(keys.length);
        expect(accepted.length).toBe(answersDue.get(u)! + (sentNotifications.get(u) ?? 0));
      }

      // Broadcasts: one accepted call per batch that LINE took; each resident of a segment in exactly one multicast.
      const multicasts = await fake.requests({ path: '/v2/bot/message/multicast' });
      const broadcasts = await fake.requests({ path: '/v2/bot/message/broadcast' });
      const carrying = (reqs: typeof multicasts, marker: string) =>
        reqs.filter((r) => JSON.stringify(r.body).includes(marker));
      const unknown = (v: BroadcastView) => v.batches.filter((b) => b.status === 'unknown').length;
      // A batch whose every attempt went unanswered is reported `unknown`: LINE may or may not have taken it.
      const allCalls = carrying(broadcasts, markers.all).length;
      if (unknown(views.all) > 0) expect(allCalls).toBeLessThanOrEqual(1);
      else expect(allCalls).toBe(1);
      for (const kind of ['segment', 'urgent'] as const) {
        const reqs = carrying(multicasts, markers[kind]);
        if (unknown(views[kind]) > 0) continue;
        const reached = reqs.flatMap((r) => r.to).sort();
        expect(reached).toEqual([...north].sort());
      }
      for (const v of Object.values(views)) expect(v.progress.pending).toBe(0);
    },
  );
});
