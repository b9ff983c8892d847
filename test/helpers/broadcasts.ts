import { createScheduledController, runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import worker from '../../src/index';
import { api, newStaff } from './api';
import { newUserId } from './line';

/** A broadcaster and an approver: the two people every broadcast needs. */
export async function team() {
  return { author: await newStaff(['broadcaster']), approver: await newStaff(['approver']) };
}

export interface Resident {
  id?: string;
  status?: 'following' | 'blocked';
  ward?: string | null;
  interests?: string[];
  language?: string | null;
}

/** Residents as the webhook door stores them; returns their IDs. */
export async function addResidents(list: Resident[]): Promise<string[]> {
  const now = Date.now();
  const ids = list.map((r) => r.id ?? newUserId());
  const stmts = list.map((r, i) =>
    env.DB.prepare(
      `INSERT INTO users (line_user_id, status, language, ward, interests, followed_at, blocked_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      ids[i],
      r.status ?? 'following',
      r.language ?? null,
      r.ward ?? null,
      JSON.stringify(r.interests ?? []),
      now,
      r.status === 'blocked' ? now : null,
      now,
      now,
    ),
  );
  for (let i = 0; i < stmts.length; i += 500) await env.DB.batch(stmts.slice(i, i + 500));
  return ids;
}

let wardsUsed = 0;
/**
 * A ward no other test of this file uses, so a segment reaches only this test's residents.
 * Segments must name configured wards: vitest.config.ts configures these for the broadcast files.
 */
export function uniqueWard(): string {
  wardsUsed += 1;
  if (wardsUsed > 100) throw new Error('more test wards needed: raise TEST_WARDS in vitest.config.ts');
  return `test-ward-${wardsUsed}`;
}

export function textMessage(text = `お知らせ ${crypto.randomUUID()}`) {
  return { type: 'text', text };
}

/** Creates a broadcast as `author` and has `approver` approve it; returns its id. */
export async function approvedBroadcast(
  t: { author: { token: string }; approver: { token: string } },
  body: Record<string, unknown>,
): Promise<string> {
  const res = await api('/broadcasts', {
    token: t.author.token,
    method: 'POST',
    body: { title: 'テスト配信', messages: [textMessage()], ...body },
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const ok = await api(`/broadcasts/${id}/approve`, { token: t.approver.token, method: 'POST' });
  expect(ok.status).toBe(200);
  return id;
}

/** Runs the worker's cron handler with `scheduledTime` as now. */
export async function cron(scheduledTime: number): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: '* * * * *' });
  await worker.scheduled(controller, env);
}

export interface BroadcastView {
  id: string;
  status: string;
  nextReleaseAt: string | null;
  waitingForHours: boolean;
  failureReason: string | null;
  progress: {
    batches: number;
    recipients: number;
    delivered: number;
    failed: number;
    cancelled: number;
    unknown: number;
    pending: number;
  };
  batches: { seq: number; kind: string; recipients: number; status: string; attempts: number; error: string | null }[];
}

export async function getBroadcast(id: string): Promise<BroadcastView> {
  const res = await api(`/broadcasts/${id}`);
  expect(res.status).toBe(200);
  return res.json();
}

/** The channel's one dispatcher (it sends every broadcast; `_id` only says which one the caller waits for). */
export function dispatcherStub(_id?: string) {
  return env.BROADCAST_DISPATCHER.get(env.BROADCAST_DISPATCHER.idFromName('channel'));
}

const TERMINAL = ['sent', 'partially_failed', 'failed', 'cancelled'];

/**
 * Works the broadcast's dispatcher until the broadcast is finished, running its alarm at
 * once instead of waiting out retry backoffs and pauses.
 */
export async function settle(
  id: string,
  until: (b: BroadcastView) => boolean = (b) => TERMINAL.includes(b.status) && b.progress.pending === 0,
) {
  // Inside the 20 s test timeout, so a stuck broadcast fails with its state rather than a bare timeout.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const b = await getBroadcast(id);
    if (until(b)) return b;
    if (Date.now() > deadline)
      throw new Error(`broadcast ${id} did not settle: ${JSON.stringify({ status: b.status, progress: b.progress })}`);
    await runDurableObjectAlarm(dispatcherStub(id));
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A D1 binding that runs `hook` once, right after the first SELECT from broadcasts has answered. */
export function afterFirstRead(d1: D1Database, hook: () => Promise<void>): D1Database {
  let fired = false;
  const wrap = (stmt: D1PreparedStatement, query: string): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'bind') return (...args: unknown[]) => wrap(target.bind(...args), query);
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (!fired && /^select/i.test(query) && query.includes('from "broadcasts"')) {
            fired = true;
            await hook();
          }
          return result;
        };
      },
    });
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query), query);
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/* Schools and associations, seeded directly in D1 (their staff APIs live in src/schools/, src/communities/). */

export interface SeededSchool {
  id: string;
  name: string;
}

/** A school with its own id and name; `window`/`requireApproval` as the school's settings. */
export async function seedSchool(o: { window?: string | null; requireApproval?: boolean; name?: string } = {}) {
  const id = `school-${crypto.randomUUID()}`;
  const name = o.name ?? `岡山市立テスト${id.slice(7, 13)}小学校`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO schools (id, code, name, kind, phone, window, require_approval, created_at, updated_at) VALUES (?, ?, ?, 'elementary', '086-000-0000', ?, ?, ?, ?)`,
  )
    .bind(id, id.slice(0, 20), name, o.window ?? null, o.requireApproval ? 1 : 0, now, now)
    .run();
  return { id, name };
}

export interface Pupil {
  grade: number;
  class: string;
  name?: string;
  groups?: string[];
  graduated?: boolean;
  removed?: boolean;
  number?: number;
}

/** Pupils on a school's roster; returns their ids. */
export async function seedPupils(schoolId: string, list: Pupil[]): Promise<string[]> {
  const now = Date.now();
  const ids = list.map(() => `pupil-${crypto.randomUUID()}`);
  await env.DB.batch(
    list.map((p, i) =>
      env.DB.prepare(
        `INSERT INTO pupils (id, school_id, grade, class, number, name, kana, groups, graduated_at, removed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'てすと', ?, ?, ?, ?, ?)`,
      ).bind(
        ids[i],
        schoolId,
        p.grade,
        p.class,
        p.number ?? i + 1,
        p.name ?? `生徒${i + 1}`,
        JSON.stringify(p.groups ?? []),
        p.graduated ? now : null,
        p.removed ? now : null,
        now,
        now,
      ),
    ),
  );
  return ids;
}

/** Links guardians (LINE user IDs) to a pupil. */
export async function linkGuardians(pupilId: string, userIds: string[]): Promise<void> {
  await env.DB.batch(
    userIds.map((u) =>
      env.DB.prepare(`INSERT INTO guardian_links (pupil_id, line_user_id, linked_at) VALUES (?, ?, ?)`).bind(
        pupilId,
        u,
        Date.now(),
      ),
    ),
  );
}

/** A federation or a unit (of `parentId`). */
export async function seedCommunity(kind: 'federation' | 'unit', parentId: string | null = null, name?: string) {
  const id = `community-${crypto.randomUUID()}`;
  const now = Date.now();
  const shown = name ?? `${kind === 'federation' ? 'テスト学区連合' : 'テスト'}${id.slice(10, 14)}町内会`;
  await env.DB.prepare(
    `INSERT INTO communities (id, name, kind, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
  )
    .bind(id, shown, kind, parentId, now, now)
    .run();
  return { id, name: shown };
}

export async function addMembers(communityId: string, userIds: string[], displayName: string | null = null) {
  await env.DB.batch(
    userIds.map((u) =>
      env.DB.prepare(
        `INSERT INTO community_members (community_id, line_user_id, display_name, joined_at) VALUES (?, ?, ?, ?)`,
      ).bind(communityId, u, displayName, Date.now()),
    ),
  );
}

/** Creates a broadcast; returns the answer's status and body. */
export async function createAs(token: string, body: Record<string, unknown>) {
  const res = await api('/broadcasts', {
    token,
    method: 'POST',
    body: { title: 'お知らせ', messages: [textMessage()], ...body },
  });
  return { status: res.status, body: (await res.json()) as { id: string; status: string; detail?: string } };
}
