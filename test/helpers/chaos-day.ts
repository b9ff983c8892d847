import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { retryPendingNotifications } from '../../src/reports/notify';
import { pb as reportPb } from '../../src/reports/texts';
import { pb as absencePb } from '../../src/schools/chat-texts';
import { retrySchoolPushes } from '../../src/schools/notify';
import { api } from './api';
import { dispatcherStub, getBroadcast, type BroadcastView } from './broadcasts';
import { leader, newCommunity, newInvite } from './communities';
import { events, fake } from './line';
import { spot } from './reports';
import { createSchool, importPupils, schoolStaff } from './schools';
import { jpegWithGps } from './images';

/**
 * The scripts and the settling of the chaos day (chaos-day-script.ts): what each kind of resident says, in the
 * order the chat asks for it, and the staff side set up through the admin API as the city would.
 */

const KANA = 'あいうえおかきくけこさしすせそたちつてとなにぬねの';
const TERMINAL = ['sent', 'partially_failed', 'failed', 'cancelled'];

/** Works a broadcast's dispatcher to its end, running its alarm at once instead of waiting out backoffs. */
export async function settleBroadcast(id: string): Promise<BroadcastView> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const b = await getBroadcast(id);
    if (TERMINAL.includes(b.status) && b.progress.pending === 0) return b;
    if (Date.now() > deadline) throw new Error(`broadcast ${id} did not settle: ${JSON.stringify(b)}`);
    if (!(await runDurableObjectAlarm(dispatcherStub(id)))) await new Promise((r) => setTimeout(r, 20));
  }
}

/** A city broadcast, written by the bootstrap admin and approved by the team's approver. */
export async function cityBroadcast(approver: string, marker: string, body: Record<string, unknown>) {
  const res = await api('/broadcasts', {
    method: 'POST',
    body: { title: marker, messages: [{ type: 'text', text: `お知らせ ${marker}` }], ...body },
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  expect((await api(`/broadcasts/${id}/approve`, { token: approver, method: 'POST' })).status).toBe(200);
  return id;
}

/**
 * Pushes that chaos stopped, tried again as the cron does (each with its own retry key) until
 * none is pending: status pushes of reports and the schools' confirmations.
 */
export async function drainPushes(now: number): Promise<void> {
  for (let tick = 0; tick < 30; tick++) {
    const open = await env.DB.prepare(
      `SELECT (SELECT count(*) FROM report_notifications WHERE status = 'pending')
            + (SELECT count(*) FROM school_pushes WHERE status = 'pending') AS n`,
    ).first<{ n: number }>();
    if (open!.n === 0) return;
    await retryPendingNotifications(env, now);
    await retrySchoolPushes(env, now);
  }
}

/** A road damage report with one photo, from 報告 to 送信 (the photo's bytes registered first). */
export async function reportScript(u: string, photo: string, i: number): Promise<unknown[]> {
  const at = spot();
  await fake.content(photo, jpegWithGps(6), 'image/jpeg');
  return [
    events.postback(u, 'action=start&service=report'),
    events.postback(u, reportPb('safety', 'line')),
    events.postback(u, reportPb('category', 'road')),
    events.postback(u, reportPb('subtype', 'road-pothole')),
    events.location(u, at.lat, at.lng),
    events.image(u, photo),
    events.postback(u, reportPb('photos', 'next')),
    events.text(u, `歩道に穴があります ${i}`),
    events.postback(u, reportPb('confirm', 'send')),
  ];
}

/** A school with one pupil per guardian-to-be, and a school_staff token for it. */
export async function daySchool(pupils: number) {
  const school = await createSchool();
  const issued = await importPupils(
    school.id,
    Array.from({ length: pupils }, (_, i) => ({
      grade: 1 + (i % 6),
      class: String(1 + (i % 3)),
      name: `岡山 児童${i}`,
      kana: `おかやま ${KANA[i % KANA.length]}${KANA[Math.floor(i / KANA.length) % KANA.length]}こ`,
    })),
  );
  return { school, pupils: issued, token: await schoolStaff(school.id) };
}

/**
 * A guardian registers a child with its code and, carried on by the chat, sends a notice of
 * absence for tomorrow (no cut-off question) for a hospital visit, without a note.
 */
export function absenceScript(u: string, code: string): unknown[] {
  return [
    events.postback(u, 'action=start&service=absence'),
    events.text(u, code),
    events.postback(u, absencePb('code_confirm', 'yes')),
    events.postback(u, absencePb('date', 'tomorrow')),
    events.postback(u, absencePb('type', 'absence')),
    events.postback(u, absencePb('reason', '通院')),
    events.postback(u, absencePb('note', 'skip')),
    events.postback(u, absencePb('confirm', 'send')),
  ];
}

/** A unit association with an invite code and its leader, who posts to the members without approval. */
export async function dayAssociation() {
  const unit = await newCommunity('unit');
  const invite = await newInvite(unit.id);
  return { unit, code: invite.code, leader: await leader(unit.id) };
}

/** 町内会 typed, the invite code, はい, and スキップ for the display name: four answers. */
export function joinScript(u: string, code: string): unknown[] {
  return [events.text(u, '町内会'), events.text(u, code), events.text(u, 'はい'), events.text(u, 'スキップ')];
}

/** An association post by its leader (scheduled at once), carrying `marker` so chaos finds it. */
export async function associationPost(leaderToken: string, communityId: string, marker: string) {
  const res = await api('/broadcasts', {
    token: leaderToken,
    method: 'POST',
    body: {
      title: marker,
      audience: { type: 'community', communityId },
      messages: [{ type: 'text', text: `清掃活動のお知らせ ${marker}` }],
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as { id: string; status: string };
  expect(body.status).toBe('scheduled');
  return body.id;
}

/** Counts by key of the rows a query answers (`k`, `n`). */
export async function countsBy(sql: string, ...binds: unknown[]): Promise<Map<string, number>> {
  const rows = (
    await env.DB.prepare(sql)
      .bind(...binds)
      .all<{ k: string; n: number }>()
  ).results;
  return new Map(rows.map((r) => [r.k, r.n]));
}
