import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { jst } from '../../src/calendar/jst';
import { api } from './api';
import { cron, team, type BroadcastView } from './broadcasts';
import {
  chaosScope,
  chaosSeed,
  pool,
  reportSeedOnFailure,
  sayUnderChaos,
  scopedUserId,
  startChaos,
  stopChaos,
} from './chaos';
import {
  absenceScript,
  associationPost,
  cityBroadcast,
  countsBy,
  dayAssociation,
  daySchool,
  drainPushes,
  joinScript,
  reportScript,
  settleBroadcast,
} from './chaos-day';
import { conversation, events, fake } from './line';
import { reportsOf } from './reports';

/**
 * A day of the account with LINE misbehaving on a share of the calls (issue 12, section 3), for
 * one half of the city: chaos-day.test.ts and chaos-day-2.test.ts each run one, so together they
 * are the 200 residents and 50 reports.
 *
 * Why halves: inside workerd a call into a Durable Object grows slower as one test file makes
 * hundreds of them (a fixed object's RPC: about 1.5 ms with 300 objects made, 13–35 ms with
 * 450–750; evicting finished ones does not help), so one file's day grows much faster than its
 * residents: measured alone, 100 residents about 50–60 s, 150 about 195 s, 200 not done in 300 s.
 * Each test file has a workerd of its own, so two halves of 100 run in the time of one. Each half
 * is a whole day with the shape and proportions (a quarter report, a tenth register a
 * child, some join an association; three broadcasts and a post), under its own chaos scope.
 */

const RESIDENTS = 100;
const REPORTERS = 25;
const GUARDIANS = 10;
const JOINERS = 15;
/** The share of LINE calls that misbehave (the issue asks for 5–20 %). */
const RATE = 0.15;
const CONCURRENCY = 8;
const SENDS = /\/v2\/bot\/message\/(reply|push)$/;

/** One half's day: `half` picks its residents (its chaos scope), 1 or 2. */
export async function chaosDay(half: 1 | 2): Promise<void> {
  const seed = await chaosSeed();
  const scope = chaosScope(seed, half);
  reportSeedOnFailure(seed, scope);
  const t = await team();
  const residents = Array.from({ length: RESIDENTS }, (_, i) => scopedUserId(scope, i));
  // Each resident has one part in the day's middle: a report, a child's absence, an association, or none.
  const reporters = residents.slice(0, REPORTERS);
  const guardians = residents.slice(REPORTERS, REPORTERS + GUARDIANS);
  const joiners = residents.slice(REPORTERS + GUARDIANS, REPORTERS + GUARDIANS + JOINERS);
  const school = await daySchool(GUARDIANS);
  const association = await dayAssociation();
  /** Events each resident sent that call for one answer each. */
  const answersDue = new Map<string, number>(residents.map((u) => [u, 0]));
  const said = async (u: string, evs: unknown[]) => {
    for (const ev of evs) {
      answersDue.set(u, answersDue.get(u)! + 1);
      await sayUnderChaos(u, ev);
    }
  };

  await startChaos({ seed, rate: RATE, scope });

  // Morning: everyone adds the account and accepts the terms.
  await pool(residents, CONCURRENCY, async (u) => {
    await said(u, [events.follow(u), events.postback(u, `action=consent&v=${env.TERMS_VERSION}`)]);
  });
  // Half chose 北区 and 防災 in 設定, the others 子育て only (set directly: the settings flow has its own
  // tests, and fuzz-chat walks it). No interests at all would mean "tell me everything".
  const north = residents.filter((_, i) => i % 2 === 0);
  await env.DB.batch(
    residents.map((u, i) =>
      env.DB.prepare(`UPDATE users SET ward = ?, interests = ? WHERE line_user_id = ?`).bind(
        ...(i % 2 === 0 ? ['北区', '["防災"]'] : [null, '["子育て"]']),
        u,
      ),
    ),
  );

  // Late morning, all at once: road damage reports with a photo (the content API is under chaos
  // too), guardians registering a child with its code and sending an absence notice, residents
  // joining their association with its invite code.
  const scripts = new Map<string, () => Promise<unknown[]>>([
    ...reporters.map((u, i) => [u, () => reportScript(u, `${scope}-photo-${i}`, i)] as const),
    ...guardians.map((u, i) => [u, async () => absenceScript(u, school.pupils[i]!.registrationCode)] as const),
    ...joiners.map((u) => [u, async () => joinScript(u, association.code)] as const),
  ]);
  await pool([...scripts.keys()], CONCURRENCY, async (u) => said(u, await scripts.get(u)!()));

  // Afternoon: three city broadcasts (everyone, a segment, an urgent one) and the association's
  // post, released by the cron on an office day.
  const markers = {
    all: `${scope}-all`,
    segment: `${scope}-segment`,
    urgent: `${scope}-urgent`,
    association: `${scope}-association`,
  };
  const ids = {
    all: await cityBroadcast(t.approver.token, markers.all, { audience: { type: 'all' } }),
    segment: await cityBroadcast(t.approver.token, markers.segment, {
      audience: { type: 'segment', wards: ['北区'] },
    }),
    urgent: await cityBroadcast(t.approver.token, markers.urgent, {
      audience: { type: 'segment', interests: ['防災'] },
      urgent: true,
    }),
    association: await associationPost(association.leader.token, association.unit.id, markers.association),
  };
  const afternoon = jst('2026-12-04T10:00');
  await cron(afternoon);
  const views: Record<keyof typeof ids, BroadcastView> = {
    all: await settleBroadcast(ids.all),
    segment: await settleBroadcast(ids.segment),
    urgent: await settleBroadcast(ids.urgent),
    association: await settleBroadcast(ids.association),
  };

  // Staff accept each report and the school confirms half the notices with a comment: each
  // is told by push, and what chaos stopped is tried again as the cron does.
  const reports = (await Promise.all(reporters.map((u) => reportsOf(u)))).flat();
  await pool(reports, CONCURRENCY, async (r) => {
    const res = await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: 'accepted' } });
    expect(res.status).toBe(200);
  });
  const notices = (
    await env.DB.prepare(
      `SELECT id, pupil_id, guardian_line_user_id AS guardian, status FROM absence_notices WHERE school_id = ?`,
    )
      .bind(school.school.id)
      .all<{ id: string; pupil_id: string; guardian: string; status: string }>()
  ).results;
  const confirmed = notices.filter((_, i) => i % 2 === 0);
  await pool(confirmed, CONCURRENCY, async (n) => {
    const res = await api(`/schools/${school.school.id}/absences/${n.id}/confirm`, {
      method: 'POST',
      token: school.token,
      body: { comment: 'お大事になさってください。' },
    });
    expect(res.status).toBe(200);
  });
  await drainPushes(Date.now());

  const stats = await stopChaos(scope);
  // The day did meet chaos, of every kind.
  for (const n of Object.values(stats.injected)) expect(n).toBeGreaterThan(0);

  // Nothing is left pending or sending.
  const open = await env.DB.prepare(
    `SELECT (SELECT count(*) FROM report_notifications WHERE status = 'pending')
            + (SELECT count(*) FROM school_pushes WHERE status = 'pending')
            + (SELECT count(*) FROM broadcast_batches WHERE status IN ('pending', 'sending')) AS n`,
  ).first<{ n: number }>();
  expect(open!.n).toBe(0);

  // Every report once, with its one photo in R2.
  expect(reports).toHaveLength(REPORTERS);
  for (const u of reporters) expect(await reportsOf(u)).toHaveLength(1);
  const photos = (
    await env.DB.prepare(
      `SELECT report_id, r2_key FROM report_photos WHERE report_id IN (SELECT value FROM json_each(?))`,
    )
      .bind(JSON.stringify(reports.map((r) => r.id)))
      .all<{ report_id: string; r2_key: string }>()
  ).results;
  expect(photos.map((p) => p.report_id).sort()).toEqual(reports.map((r) => r.id).sort());
  for (const p of photos) expect(await env.PHOTOS.head(p.r2_key)).not.toBeNull();

  // Every guardian's child once, its notice stored once; the confirmed ones pushed once each.
  expect(notices.map((n) => n.guardian).sort()).toEqual([...guardians].sort());
  expect(new Set(notices.map((n) => n.pupil_id)).size).toBe(GUARDIANS);
  const links = await countsBy(
    `SELECT line_user_id AS k, count(*) AS n FROM guardian_links WHERE pupil_id IN (SELECT id FROM pupils WHERE school_id = ?) GROUP BY line_user_id`,
    school.school.id,
  );
  for (const u of guardians) expect(links.get(u)).toBe(1);
  const confirmations = (
    await env.DB.prepare(`SELECT id, ref_id, line_user_id, status FROM school_pushes WHERE school_id = ?`)
      .bind(school.school.id)
      .all<{ id: string; ref_id: string; line_user_id: string; status: string }>()
  ).results;
  expect(confirmations.map((p) => p.ref_id).sort()).toEqual(confirmed.map((n) => n.id).sort());
  expect(confirmations.every((p) => p.status === 'sent')).toBe(true);
  const now = await env.DB.prepare(
    `SELECT count(*) AS n FROM absence_notices WHERE school_id = ? AND status = 'confirmed'`,
  )
    .bind(school.school.id)
    .first<{ n: number }>();
  expect(now!.n).toBe(confirmed.length);

  // Every joiner a member once.
  const memberships = await countsBy(
    `SELECT line_user_id AS k, count(*) AS n FROM community_members WHERE community_id = ? GROUP BY line_user_id`,
    association.unit.id,
  );
  expect([...memberships.keys()].sort()).toEqual([...joiners].sort());
  for (const u of joiners) expect(memberships.get(u)).toBe(1);

  // Each resident: every event worked, and exactly one accepted answer per event and per push.
  const pushesDue = await countsBy(
    `SELECT line_user_id AS k, count(*) AS n FROM (
         SELECT line_user_id FROM report_notifications WHERE status = 'sent'
         UNION ALL SELECT line_user_id FROM school_pushes WHERE status = 'sent')
       GROUP BY line_user_id`,
  );
  const accepted = new Map<string, { retryKey: string | null }[]>(residents.map((u) => [u, []]));
  const all = await fake.requests();
  for (const r of all) if (SENDS.test(r.path)) for (const u of r.to) accepted.get(u)?.push(r);
  await pool(residents, CONCURRENCY, async (u) => {
    const rows = await conversation(u).inbox();
    expect(rows.filter((r) => r.status !== 'done')).toEqual([]);
    const keys = accepted
      .get(u)!
      .map((r) => r.retryKey)
      .filter((k) => k !== null);
    expect(new Set(keys).size).toBe(keys.length);
    expect(accepted.get(u)!.length).toBe(answersDue.get(u)! + (pushesDue.get(u) ?? 0));
  });

  // Broadcasts and the post: one accepted call per batch LINE took; each member of an audience in
  // exactly one multicast. A batch whose every attempt went unanswered is reported `unknown`:
  // LINE may or may not have taken it, so only "at most once" can be asserted for it.
  const carrying = (marker: string, path: string) =>
    all.filter((r) => r.path === path && JSON.stringify(r.body).includes(marker));
  const unknown = (v: BroadcastView) => v.batches.filter((b) => b.status === 'unknown').length;
  const allCalls = carrying(markers.all, '/v2/bot/message/broadcast').length;
  if (unknown(views.all) > 0) expect(allCalls).toBeLessThanOrEqual(1);
  else expect(allCalls).toBe(1);
  const audiences = { segment: north, urgent: north, association: joiners };
  for (const kind of ['segment', 'urgent', 'association'] as const) {
    const reached = carrying(markers[kind], '/v2/bot/message/multicast')
      .flatMap((r) => r.to)
      .sort();
    if (unknown(views[kind]) > 0) expect(new Set(reached).size).toBe(reached.length);
    else expect(reached).toEqual([...audiences[kind]].sort());
  }
  for (const v of Object.values(views)) expect(v.progress.pending).toBe(0);
}
