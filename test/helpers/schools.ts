import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { api, newStaff } from './api';

/** Schools, rosters and notices for tests, made through the staff API as a school office would. */

export interface TestSchool {
  id: string;
  code: string;
  name: string;
  phone: string;
  [k: string]: unknown;
}

const unique = () => crypto.randomUUID().slice(0, 8);

/** A new school (admin), elementary with the defaults unless `over` says otherwise. */
export async function createSchool(over: Record<string, unknown> = {}): Promise<TestSchool> {
  const res = await api('/schools', {
    method: 'POST',
    body: {
      code: `t-${unique()}`,
      name: `岡山市立テスト${unique()}小学校`,
      kind: 'elementary',
      phone: '086-000-0000',
      ...over,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

export interface PupilInput {
  grade: number;
  class: string;
  name: string;
  kana: string;
  number?: number;
  groups?: string[];
}

export interface IssuedPupil {
  id: string;
  grade: number;
  class: string;
  name: string;
  registrationCode: string;
  codeExpiresAt: string;
}

/** Adds pupils (two in grade 1 by default) and returns them with their registration codes. */
export async function importPupils(
  schoolId: string,
  rows: PupilInput[] = [
    { grade: 1, class: '1', name: '岡山 一郎', kana: 'おかやま いちろう' },
    { grade: 1, class: '2', name: '岡山 花子', kana: 'おかやま はなこ' },
  ],
  token?: string,
): Promise<IssuedPupil[]> {
  const res = await api(`/schools/${schoolId}/pupils`, { method: 'POST', body: rows, token });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ items: IssuedPupil[] }>()).items;
}

/** A `school_staff` token scoped to this one school. */
export async function schoolStaff(schoolId: string): Promise<string> {
  return (await newStaff(['school_staff'], { schools: [schoolId] })).token;
}

/** A guardian linked to a pupil, written as the chat's linking writes it (rows only; no conversation). */
export async function linkGuardian(pupilId: string, lineUserId: string, language: string | null = null) {
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      `INSERT OR IGNORE INTO users (line_user_id, status, language, interests, followed_at, created_at, updated_at)
       VALUES (?, 'following', ?, '[]', ?, ?, ?)`,
    ).bind(lineUserId, language, now, now, now),
    env.DB.prepare('INSERT INTO guardian_links (pupil_id, line_user_id, linked_at) VALUES (?, ?, ?)').bind(
      pupilId,
      lineUserId,
      now,
    ),
  ]);
}

// Numbers shaped like the real ones; a random start per file keeps them apart within the file's storage.
let counter = Math.floor(Math.random() * 800_000);

export interface NoticeInput {
  schoolId: string;
  pupilId: string;
  guardian?: string | null;
  date: string;
  dateTo?: string | null;
  type?: 'absence' | 'late' | 'early_leave';
  reason?: string;
  symptoms?: string[];
  temperature?: number | null;
  time?: string | null;
  note?: string | null;
  late?: boolean;
  status?: 'submitted' | 'confirmed' | 'withdrawn';
  submittedAt?: number;
}

/** A stored notice with a unique number, as the chat stores one (the staff side only reads them). */
export async function storedNotice(n: NoticeInput): Promise<{ id: string; number: string }> {
  const id = crypto.randomUUID();
  counter += 1;
  const number = `A-2099-${String(counter).padStart(6, '0')}`;
  await env.DB.prepare(
    `INSERT INTO absence_notices (id, number, school_id, pupil_id, guardian_line_user_id, date, date_to, type, reason,
       symptoms, temperature, time, note, late, status, submitted_at, withdrawn_at, withdrawn_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      number,
      n.schoolId,
      n.pupilId,
      n.guardian ?? null,
      n.date,
      n.dateTo ?? null,
      n.type ?? 'absence',
      n.reason ?? '体調不良',
      JSON.stringify(n.symptoms ?? []),
      n.temperature ?? null,
      n.time ?? null,
      n.note ?? null,
      n.late ? 1 : 0,
      n.status ?? 'submitted',
      n.submittedAt ?? Date.now(),
      n.status === 'withdrawn' ? Date.now() : null,
      n.status === 'withdrawn' ? (n.guardian ?? null) : null,
    )
    .run();
  return { id, number };
}

export async function auditCount(action: string, targetId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_id = ?')
    .bind(action, targetId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
