import { DurableObject } from 'cloudflare:workers';
import { backoffMs, type InboxItem } from '../conversation/inbox';
import { log } from '../http/log';

/** One resident's events from one webhook, in the order LINE sent them. */
export interface IngressBatch {
  userId: string;
  items: InboxItem[];
}

/** A held row as tests and operators see it: its events' keys, no bodies, no user ID. */
export interface HeldRow {
  seq: number;
  event_keys: string[];
  attempts: number;
  due_at: number;
}

/** Rows handed on per round: bounds the memory of one round, not its correctness. */
const ROUND_ROWS = 500;
/** After this many failed hand-offs of one resident the log says so loudly; the shard still keeps trying. */
const LOUD_AFTER_ATTEMPTS = 6;
/** One alarm run hands on for at most this long, then lets the runtime start a fresh one. */
const RUN_MS = 30_000;

/**
 * An ingress shard: one of a small fixed set of Durable Objects (src/ingress/shard.ts) that takes
 * the webhook's events off the ack path. Starting a new resident's own object (opening its SQLite
 * file) was most of the webhook's time; a shard is always warm, so the ack costs one commit of
 * this object (the rows and its alarm together).
 *
 * The alarm then hands each resident's events on, oldest first, to their ConversationDO, which
 * dedupes by event key and works each event exactly once. A row is deleted only after the
 * resident's object has acknowledged it, so a hand-off that throws (or a shard evicted meanwhile)
 * hands the same events on again, and the resident's dedupe makes the second time a no-op. A
 * resident whose hand-off fails waits out a backoff with all their rows, newer ones included, so
 * their order holds; other residents of the shard go on.
 */
export class IngressDO extends DurableObject<Env> {
  private sql: SqlStorage;
  private schemaReady = false;
  private working = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
  }

  private schema(): void {
    if (this.schemaReady) return;
    this.schemaReady = true;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS held (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL,
        origin TEXT NOT NULL,
        items TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        due_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS held_user ON held (user_id, due_at);
    `);
  }

  /** Stores the events; returns once they are durable. This is the webhook's whole ack path. */
  async accept(batches: IngressBatch[], origin: string): Promise<void> {
    // Read before writing: with no await between the rows and the alarm, both go to disk in one commit.
    const alarm = await this.ctx.storage.getAlarm();
    this.schema();
    const now = Date.now();
    for (const b of batches)
      this.sql.exec(
        `INSERT INTO held (user_id, origin, items, due_at) VALUES (?, ?, ?, ?)`,
        b.userId,
        origin,
        JSON.stringify(b.items),
        now,
      );
    // A running hand-off looks for new rows before it ends; an alarm set later (a backoff) is brought forward.
    if (!this.working && (alarm === null || alarm > now)) await this.ctx.storage.setAlarm(now);
  }

  override async alarm(): Promise<void> {
    this.schema();
    if (this.working) return;
    this.working = true;
    const started = Date.now();
    try {
      while ((await this.round()) && Date.now() - started < RUN_MS);
    } finally {
      this.working = false;
    }
    // After `working` is cleared, so a row accepted from here on arms the alarm itself.
    const next = this.sql.exec<{ at: number | null }>(`SELECT MIN(due_at) AS at FROM held`).one().at;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }

  /** What the shard still holds, oldest first; with a user ID, only theirs. For tests and operators. */
  async held(userId?: string): Promise<HeldRow[]> {
    this.schema();
    const rows = this.sql
      .exec<{ seq: number; items: string; attempts: number; due_at: number }>(
        `SELECT seq, items, attempts, due_at FROM held WHERE ?1 IS NULL OR user_id = ?1 ORDER BY seq`,
        userId ?? null,
      )
      .toArray();
    return rows.map((r) => ({
      seq: r.seq,
      event_keys: (JSON.parse(r.items) as InboxItem[]).map((i) => i.key),
      attempts: r.attempts,
      due_at: r.due_at,
    }));
  }

  /** Hands on every due resident's oldest rows; returns whether any were handed on. */
  private async round(): Promise<boolean> {
    const now = Date.now();
    // A resident with any row still waiting out a backoff is left out whole: a newer row must not overtake it.
    const rows = this.sql
      .exec<{ seq: number; user_id: string; origin: string; items: string; attempts: number }>(
        `SELECT seq, user_id, origin, items, attempts FROM held
         WHERE user_id NOT IN (SELECT user_id FROM held WHERE due_at > ?)
         ORDER BY seq LIMIT ?`,
        now,
        ROUND_ROWS,
      )
      .toArray();
    if (rows.length === 0) return false;
    const byUser = new Map<string, typeof rows>();
    for (const r of rows) {
      const own = byUser.get(r.user_id);
      if (own) own.push(r);
      else byUser.set(r.user_id, [r]);
    }

    const done: number[] = [];
    const failed: { userId: string; attempts: number; reason: string }[] = [];
    await Promise.all(
      [...byUser].map(async ([userId, own]) => {
        const stub = this.env.CONVERSATION.get(this.env.CONVERSATION.idFromName(userId));
        // One call per run of rows from the same origin (in practice one call per resident), in order.
        for (let i = 0; i < own.length;) {
          let j = i + 1;
          while (j < own.length && own[j]!.origin === own[i]!.origin) j++;
          const run = own.slice(i, j);
          try {
            await stub.enqueue(
              run.flatMap((r) => JSON.parse(r.items) as InboxItem[]),
              run[0]!.origin,
            );
          } catch (err) {
            const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
            failed.push({ userId, attempts: Math.max(...own.map((r) => r.attempts)) + 1, reason });
            return;
          }
          done.push(...run.map((r) => r.seq));
          i = j;
        }
      }),
    );

    this.ctx.storage.transactionSync(() => {
      for (let k = 0; k < done.length; k += 100) {
        const chunk = done.slice(k, k + 100);
        this.sql.exec(`DELETE FROM held WHERE seq IN (${chunk.map(() => '?').join(',')})`, ...chunk);
      }
      for (const f of failed)
        this.sql.exec(
          `UPDATE held SET attempts = ?, due_at = ? WHERE user_id = ?`,
          f.attempts,
          Date.now() + backoffMs(f.attempts),
          f.userId,
        );
    });
    for (const f of failed) {
      const fields = { shard: this.ctx.id.name ?? null, attempts: f.attempts, reason: f.reason };
      if (f.attempts >= LOUD_AFTER_ATTEMPTS) log.error('hand-off to a resident keeps failing; kept, retried', fields);
      else log.warn('hand-off to a resident failed; kept, retried', fields);
    }
    return done.length > 0;
  }
}
