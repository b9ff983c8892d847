import { DurableObject } from 'cloudflare:workers';
import { config } from '../config';
import { db } from '../db/client';
import { langOf } from '../i18n';
import { lineClients, withTimeout } from '../line/client';
import { deliver, type ReplyState } from '../line/deliver';
import type { LineEvent } from '../line/events';
import type { Msg } from '../line/messages';
import { stateAfterErasure } from '../residents/erase';
import { getResident } from '../residents/service';
import { handleEvent } from './handle';
import { handlerErrorRetryable } from './rules';
import type { ConversationState } from './types';
import { log } from '../http/log';
import {
  backoffMs,
  DEDUPE_RETENTION_MS,
  INBOX_SCHEMA,
  MAX_ATTEMPTS,
  PRUNE_EVERY_MS,
  REPLY_STATE_CODES,
  replyStateOf,
  type InboxItem,
  type InboxRow,
} from './inbox';

/**
 * One resident's conversation: a durable inbox of their webhook events, worked one at a
 * time in arrival order by the alarm, and their conversation state.
 *
 * An event goes pending → (handled: state saved, answer and its retry key stored) sending → done.
 * Effects and the answer are stored together, so a retry after a failed send only resends
 * (with the same retry key) and never runs the handler twice.
 */
export class ConversationDO extends DurableObject<Env> {
  private sql: SqlStorage;
  private working = false;
  private prunedAt = 0;
  private schemaReady = false;
  /** The state's JSON as last read or written, so an unchanged state costs no write. */
  private savedState: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
  }

  /**
   * The tables, made on first use rather than in the constructor: for a new resident they are then
   * written in the same commit as the first inbox rows instead of one of their own.
   */
  private schema(): void {
    if (this.schemaReady) return;
    this.schemaReady = true;
    this.sql.exec(INBOX_SCHEMA);
  }

  /**
   * Stores events in the inbox; returns once they are durable. A key already seen
   * (a duplicate or a redelivery) is a no-op.
   */
  async enqueue(items: InboxItem[], origin: string): Promise<{ stored: number; duplicates: number }> {
    // Read before writing: with no await between the rows and the alarm, they reach the disk in
    // one commit (the runtime coalesces the writes of one turn), the only commit on the ack path.
    const alarm = await this.ctx.storage.getAlarm();
    this.schema();
    const now = Date.now();
    let stored = 0;
    for (const item of items) {
      const cursor = this.sql.exec(
        `INSERT INTO inbox (event_key, event, origin, received_at) VALUES (?, ?, ?, ?) ON CONFLICT(event_key) DO NOTHING`,
        item.key,
        JSON.stringify(item.event),
        origin,
        now,
      );
      stored += cursor.rowsWritten;
    }
    // An alarm already set is either "now" or a retry backoff; in both cases new events wait their turn behind it.
    if (stored > 0 && alarm === null) await this.ctx.storage.setAlarm(now);
    return { stored, duplicates: items.length - stored };
  }

  override async alarm(): Promise<void> {
    this.schema();
    await this.work();
  }

  /** The inbox rows (no event bodies), oldest first, for tests and operators. */
  async inbox(): Promise<InboxRow[]> {
    this.schema();
    return this.sql
      .exec<Record<string, SqlStorageValue>>(
        `SELECT seq, event_key, status, attempts, received_at, started_at, finished_at, last_error FROM inbox ORDER BY seq`,
      )
      .toArray() as unknown as InboxRow[];
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      for (;;) {
        const row = this.sql
          .exec<{ seq: number; status: string }>(
            `SELECT seq, status FROM inbox WHERE status IN ('pending', 'sending') ORDER BY seq LIMIT 1`,
          )
          .toArray()[0];
        if (!row) break;
        const retryAt = await this.step(row.seq);
        if (retryAt !== null) {
          await this.ctx.storage.setAlarm(retryAt);
          return;
        }
      }
      this.prune();
    } finally {
      this.working = false;
    }
  }

  /** Works one inbox row one step further. Returns when to try again, or null to go on. */
  private async step(seq: number): Promise<number | null> {
    const row = this.sql
      .exec<{
        event: string;
        origin: string;
        status: string;
        attempts: number;
        answer: string | null;
        retry_key: string | null;
        reply_tried: number;
      }>(`SELECT event, origin, status, attempts, answer, retry_key, reply_tried FROM inbox WHERE seq = ?`, seq)
      .one();
    const event = JSON.parse(row.event) as LineEvent;
    const now = Date.now();
    try {
      if (row.status === 'pending') {
        // Nothing is written before the handler: its state, the answer and `started_at` go in one commit.
        const { messages, state } = await this.handle(event, row.origin, now);
        const retryKey = crypto.randomUUID();
        this.ctx.storage.transactionSync(() => {
          this.saveState(state);
          if (messages.length === 0) {
            this.finish(seq, 'done', null, now);
          } else {
            // The retry key is stored before the first attempt, so every retry of this push carries it.
            // Stored as `unanswered` before the first try: an instance evicted while LINE holds the reply finds it so.
            this.sql.exec(
              `UPDATE inbox SET status = 'sending', answer = ?, retry_key = ?, started_at = COALESCE(started_at, ?), reply_tried = 2 WHERE seq = ?`,
              JSON.stringify(messages),
              retryKey,
              now,
              seq,
            );
          }
        });
        if (messages.length === 0) return null;
        return this.send(seq, event, messages, retryKey, 'untried', row.attempts, 'unanswered');
      }
      return this.send(
        seq,
        event,
        JSON.parse(row.answer!) as Msg[],
        row.retry_key!,
        replyStateOf(row.reply_tried),
        row.attempts,
      );
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (!handlerErrorRetryable(err)) {
        this.finish(seq, 'failed', reason, now);
        log.error('event failed; not retried, the same error would recur', { eventKey: this.keyOf(seq), reason });
        return null;
      }
      return this.failAttempt(seq, row.attempts, reason, now);
    }
  }

  private async handle(event: LineEvent, origin: string, now: number) {
    const database = db(this.env.DB);
    const userId = event.source!.userId!;
    const resident = await getResident(database, userId);
    let language = resident?.language ?? null;
    // The profile's language seeds a new resident's; one already stored (perhaps chosen in 設定) is kept.
    if (event.type === 'follow' && !language) language = await this.profileLanguage(userId);
    const ctx = {
      env: this.env,
      config: config(this.env),
      db: database,
      now,
      origin,
      resident,
      lang: langOf(language),
    };
    return handleEvent(ctx, await this.loadState(), event, language);
  }

  /** The profile only tells the language; a failure to get it never holds up the greeting. */
  private async profileLanguage(userId: string): Promise<string | null> {
    try {
      const profile = await withTimeout(
        lineClients(this.env).api.getProfile(userId),
        config(this.env).lineCallTimeoutMs,
      );
      return profile.language ?? null;
    } catch (err) {
      log.warn('profile lookup failed', { error: err });
      return null;
    }
  }

  private async send(
    seq: number,
    event: LineEvent,
    messages: Msg[],
    retryKey: string,
    replyState: ReplyState,
    attempts: number,
    stored = replyState,
  ): Promise<number | null> {
    const result = await deliver(
      lineClients(this.env),
      {
        userId: event.source!.userId!,
        messages,
        replyToken: event.replyToken,
        replyState,
        eventTimestamp: event.timestamp,
        retryKey,
      },
      Date.now(),
      config(this.env).lineCallTimeoutMs,
    );
    if (result.outcome === 'sent') {
      this.finish(seq, 'done', null);
      return null;
    }
    if (result.replyState !== stored)
      this.sql.exec(`UPDATE inbox SET reply_tried = ? WHERE seq = ?`, REPLY_STATE_CODES[result.replyState], seq);
    if (result.outcome === 'failed') {
      this.finish(seq, 'failed', result.reason);
      log.error('LINE refused the answer; not retried', { eventKey: this.keyOf(seq), reason: result.reason });
      return null;
    }
    return this.failAttempt(seq, attempts, result.reason);
  }

  private failAttempt(seq: number, attempts: number, reason: string, startedAt = Date.now()): number | null {
    const next = attempts + 1;
    if (next >= MAX_ATTEMPTS) {
      this.sql.exec(`UPDATE inbox SET attempts = ? WHERE seq = ?`, next, seq);
      this.finish(seq, 'failed', reason, startedAt);
      log.error('event failed after retries', { eventKey: this.keyOf(seq), attempts: next, reason });
      return null;
    }
    this.sql.exec(
      `UPDATE inbox SET attempts = ?, last_error = ?, started_at = COALESCE(started_at, ?) WHERE seq = ?`,
      next,
      reason,
      startedAt,
      seq,
    );
    log.warn('event will be retried', { eventKey: this.keyOf(seq), attempts: next, reason });
    return Date.now() + backoffMs(next);
  }

  /** The event body (a resident's words) is dropped once worked; only its key stays, for dedupe. */
  private finish(seq: number, status: 'done' | 'failed', error: string | null, startedAt = Date.now()): void {
    const now = Date.now();
    this.sql.exec(
      `UPDATE inbox SET status = ?, started_at = COALESCE(started_at, ?), finished_at = ?, last_error = COALESCE(?, last_error),
         event = CASE WHEN ? = 'done' THEN NULL ELSE event END, answer = NULL WHERE seq = ?`,
      status,
      startedAt,
      now,
      error,
      status,
      seq,
    );
  }

  private keyOf(seq: number): string {
    return this.sql.exec<{ event_key: string }>(`SELECT event_key FROM inbox WHERE seq = ?`, seq).one().event_key;
  }

  /** At most once an hour per instance: a DELETE per worked batch is a write the inbox rarely needs. */
  private prune(): void {
    const now = Date.now();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    this.sql.exec(
      `DELETE FROM inbox WHERE status IN ('done', 'failed') AND finished_at < ?`,
      Date.now() - DEDUPE_RETENTION_MS,
    );
  }

  private async loadState(): Promise<ConversationState> {
    const row = this.sql.exec<{ value: string }>(`SELECT value FROM kv WHERE key = 'state'`).toArray()[0];
    this.savedState = row?.value ?? null;
    return row ? (JSON.parse(row.value) as ConversationState) : {};
  }

  /** A state no different from the stored one is not written again. */
  private saveState(state: ConversationState): void {
    const json = JSON.stringify(state);
    if (json === this.savedState) return;
    this.savedState = json;
    this.sql.exec(
      `INSERT INTO kv (key, value) VALUES ('state', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      json,
    );
  }

  /** Whether this object ever stored anything: asking an empty one must not create its tables. */
  private hasTables(): boolean {
    if (this.schemaReady) return true;
    const found = this.sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inbox'`).toArray();
    return found.length > 0;
  }

  /**
   * The resident's data was erased after an unfollow: every row and the alarm go, but for the
   * guess limits that still count (`stateAfterErasure`, the chat deletion's rule). Refused while
   * an event waits or is being worked: the resident is back (a follow on its way), and what that
   * event needs must not vanish under it.
   */
  async forget(now: number): Promise<{ forgotten: boolean; inboxRows: number }> {
    if (this.working) return { forgotten: false, inboxRows: 0 };
    if (!this.hasTables()) return { forgotten: true, inboxRows: 0 };
    const counts = this.sql
      .exec<{ total: number; open: number }>(
        `SELECT count(*) AS total, count(CASE WHEN status IN ('pending', 'sending') THEN 1 END) AS open FROM inbox`,
      )
      .one();
    if (counts.open > 0) return { forgotten: false, inboxRows: 0 };
    const kept = stateAfterErasure(await this.loadState(), now);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.schemaReady = false;
    this.savedState = null;
    if (Object.keys(kept).length > 0) {
      this.schema();
      this.saveState(kept);
    }
    return { forgotten: true, inboxRows: counts.total };
  }

  /**
   * The inbox's 7-day retention for residents who send nothing more (the pruning in `work` runs
   * only at a resident's next event): asked by the hourly clean-up, with its clock.
   */
  async pruneInbox(now: number): Promise<number> {
    if (!this.hasTables()) return 0;
    return this.sql.exec(
      `DELETE FROM inbox WHERE status IN ('done', 'failed') AND finished_at < ?`,
      now - DEDUPE_RETENTION_MS,
    ).rowsWritten;
  }
}
