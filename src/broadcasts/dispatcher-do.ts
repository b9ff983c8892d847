import { DurableObject } from 'cloudflare:workers';
import { db } from '../db/client';
import type { Env } from '../env';
import { runSlice } from './dispatcher';

/** If a slice dies with its isolate, this alarm (set before the work starts) resumes it. */
const WATCHDOG_MS = 60_000;
/** After an unexpected error (D1 unavailable, a bug) the next slice waits this long. */
const ERROR_RETRY_MS = 10_000;

/**
 * Sends one broadcast (one instance per broadcast, `idFromName(broadcastId)`), slice by
 * slice with alarms, so a long send never depends on one cron invocation or one request.
 * It holds no state of its own besides which broadcast it is: batches, their retry keys
 * and their outcomes live in D1, so an evicted or crashed instance resumes from there.
 */
export class BroadcastDispatcherDO extends DurableObject<Env> {
  private working = false;
  private cancelRequested = false;

  /** Starts (or nudges) the send; idempotent, so the cron may call it every minute. */
  async start(broadcastId: string): Promise<void> {
    await this.ctx.storage.put('broadcastId', broadcastId);
    if (!this.working && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * Stops starting batches at once. The broadcast is already `cancelled` in D1; the next
   * slice (now) marks its unsent batches cancelled once in-flight calls are answered.
   */
  async cancel(): Promise<void> {
    this.cancelRequested = true;
    if (!this.working) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    if (this.working) return;
    const broadcastId = await this.ctx.storage.get<string>('broadcastId');
    if (!broadcastId) return;
    this.working = true;
    try {
      await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
      const { resumeAt } = await runSlice(this.env, db(this.env.DB), broadcastId, () => this.cancelRequested);
      if (resumeAt === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(resumeAt);
    } catch (err) {
      console.error(JSON.stringify({ msg: 'broadcast slice failed', broadcastId, error: err instanceof Error ? err.message : String(err) }));
      await this.ctx.storage.setAlarm(Date.now() + ERROR_RETRY_MS);
    } finally {
      this.working = false;
    }
  }
}

export function dispatcher(env: Env, broadcastId: string) {
  return env.BROADCAST_DISPATCHER.get(env.BROADCAST_DISPATCHER.idFromName(broadcastId));
}
