import { env } from 'cloudflare:workers';
import { formatAccessCode, hashAccessCode, newAccessCode } from '../../src/access-codes';
import { config } from '../../src/config';
import { handleEvent } from '../../src/conversation/handle';
import type { ConversationState } from '../../src/conversation/types';
import { db } from '../../src/db/client';
import { pupils, schools } from '../../src/db/schema';
import { langOf } from '../../src/i18n';
import { getResident, recordConsent, recordFollow } from '../../src/residents/service';
import { events, newUserId } from './line';

/**
 * Schools and pupils written straight into D1 (the staff API is not needed to test the
 * chat), and a guardian whose conversation runs through the real front door
 * (`handleEvent`) at a clock the test sets, against real storage.
 */

type Msg = Record<string, any>;
const DAY = 24 * 60 * 60 * 1000;

export interface SchoolOptions {
  cutoff?: string;
  afterCutoff?: 'refuse' | 'accept_late';
  noteEnabled?: boolean;
  reasons?: string[] | null;
  name?: string;
  phone?: string;
}

export async function seedSchool(o: SchoolOptions = {}) {
  const id = crypto.randomUUID();
  const now = Date.now();
  const row = {
    id,
    code: `T${id.slice(0, 12)}`,
    name: o.name ?? `テスト小学校${id.slice(0, 4)}`,
    kind: 'elementary' as const,
    phone: o.phone ?? '086-000-1234',
    cutoff: o.cutoff ?? '08:00',
    afterCutoff: o.afterCutoff ?? 'refuse',
    noteEnabled: o.noteEnabled ?? true,
    reasons: o.reasons ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await db(env.DB).insert(schools).values(row);
  return row;
}

export interface PupilOptions {
  grade?: number;
  class?: string;
  name?: string;
  /** When the code stops working (default: in 60 days). */
  expiresAt?: number;
}

/** A pupil with a fresh registration code; returns the code as printed (XXXX-XXXX). */
export async function seedPupil(schoolId: string, o: PupilOptions = {}) {
  const id = crypto.randomUUID();
  const code = newAccessCode();
  const now = Date.now();
  await db(env.DB)
    .insert(pupils)
    .values({
      id,
      schoolId,
      grade: o.grade ?? 3,
      class: o.class ?? '2',
      name: o.name ?? `岡山 花子${id.slice(0, 3)}`,
      kana: 'おかやま はなこ',
      codeHash: await hashAccessCode(code),
      codeExpiresAt: o.expiresAt ?? now + 60 * DAY,
      createdAt: now,
      updatedAt: now,
    });
  return { id, code: formatAccessCode(code), name: o.name ?? `岡山 花子${id.slice(0, 3)}` };
}

/** A new code for the pupil, as a re-issue does: the old one stops working. */
export async function reissue(pupilId: string): Promise<string> {
  const code = newAccessCode();
  await env.DB.prepare('UPDATE pupils SET code_hash = ? WHERE id = ?')
    .bind(await hashAccessCode(code), pupilId)
    .run();
  return formatAccessCode(code);
}

export async function noticesOf(pupilId: string) {
  const rows = await env.DB.prepare('SELECT * FROM absence_notices WHERE pupil_id = ? ORDER BY submitted_at')
    .bind(pupilId)
    .all<Record<string, any>>();
  return rows.results.map(
    (r) => ({ ...r, symptoms: JSON.parse(r.symptoms as string) as string[] }) as Record<string, any>,
  );
}

export async function linksOf(pupilId: string) {
  return (
    await env.DB.prepare('SELECT line_user_id FROM guardian_links WHERE pupil_id = ? ORDER BY linked_at')
      .bind(pupilId)
      .all<{ line_user_id: string }>()
  ).results.map((r) => r.line_user_id);
}

export const labels = (m: Msg | undefined): string[] =>
  (m?.quickReply?.items ?? []).map((i: Msg) => i.action.label as string);

/**
 * A guardian who followed the account and accepted the terms, talking to the bot at
 * `now` (move it to test the cut-off, the lock-out, the 14 days). Each call returns the
 * messages the bot answered; `last` is the last of them (the question with its buttons).
 */
export class Guardian {
  state: ConversationState = {};
  last: Msg[] = [];
  constructor(
    readonly userId: string,
    readonly language: string,
    public now: number,
  ) {}

  static async create(o: { language?: string; now?: number; consent?: boolean } = {}) {
    const g = new Guardian(newUserId(), o.language ?? 'ja', o.now ?? Date.now());
    const d = db(env.DB);
    await recordFollow(d, g.userId, g.language, g.now);
    if (o.consent !== false) await recordConsent(d, g.userId, config(env).termsVersion, g.now);
    return g;
  }

  async send(event: unknown): Promise<Msg[]> {
    const d = db(env.DB);
    const resident = await getResident(d, this.userId);
    const ctx = {
      env,
      config: config(env),
      db: d,
      now: this.now,
      origin: 'https://bot.example.jp',
      resident,
      lang: langOf(resident?.language),
    };
    const r = await handleEvent(ctx, this.state, event as never, this.language);
    this.state = r.state;
    this.last = r.messages as Msg[];
    // Time passes between a guardian's messages (links made one after the other are ordered).
    this.now += 1;
    return this.last;
  }

  text(t: string) {
    return this.send(events.text(this.userId, t, { timestamp: this.now }));
  }

  sticker() {
    return this.send(events.sticker(this.userId, { timestamp: this.now }));
  }

  postback(data: string, params?: Record<string, string>) {
    const ev = events.postback(this.userId, data, { timestamp: this.now });
    return this.send(params ? { ...ev, postback: { data, params } } : ev);
  }

  /** The button with this label on the last question, as LINE shows it. */
  item(label: string): Msg {
    const q = this.last.at(-1);
    const item = (q?.quickReply?.items ?? []).find((i: Msg) => i.action.label === label);
    if (!item) throw new Error(`no button "${label}" in ${JSON.stringify(labels(q))}`);
    return item.action;
  }

  tap(label: string) {
    const a = this.item(label);
    if (a.type !== 'postback') throw new Error(`"${label}" is a ${a.type} action`);
    return this.postback(a.data);
  }

  /** Picks a date or time with the datetime picker button `label`, as LINE sends it back. */
  pick(label: string, value: string) {
    const a = this.item(label);
    if (a.type !== 'datetimepicker') throw new Error(`"${label}" is a ${a.type} action`);
    return this.postback(a.data, a.mode === 'time' ? { time: value } : { date: value });
  }

  get step(): string | undefined {
    return this.state.flow?.step;
  }

  get lastText(): string {
    return this.last.map((m) => m.text as string).join('\n');
  }
}
