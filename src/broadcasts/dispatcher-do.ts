import { DurableObject } from 'cloudflare:workers';
import { db } from '../db/client';
import { runSlice, workList } from './dispatcher';
import { MULTICAST_RATE_PER_SECOND, SlidingWindow } from './send-loop';
import { log } from '../http/log';

/** If a slice dies with its isolate, this alarm (set before the work starts) resumes it. */
const WATCHDOG_MS = 60_000;
/** After an unexpected error (D1 unavailable, a bug) that broadcast waits this long; the others go on. */
const ERROR_RETRY_MS = 10_000;

/**
 * Sends the channel's broadcasts, one slice at a time, with alarms, so a long send never
 * depends on one cron invocation or one request. There is one instance for the channel
 * (LINE's 200 multicasts per second are per channel), so two broadcasts never send at
 * once and every slice keeps the same pace as the one before it. It holds no record of
 * its own: batches, their retry keys and their outcomes live in D1, so an evicted or
 * crashed instance resumes from there. What it keeps in memory (the pace, when each
 * broadcast wants its next slice, cancels) is only an optimisation.
 */
export class BroadcastDispatcherDO extends DurableObject<Env> {
  private working = false;
  private cancelRequested = new Set<string>();
  /** When a broadcast wants its next slice (a retry backoff, a 429 pause, an error). */
  private notBefore = new Map<string, number>();
  private limiter = new SlidingWindow(
    MULTICAST_RATE_PER_SECOND,
    Date.now,
    (ms) => new Promise<void>((r) => setTimeout(r, ms)),
  );

  /** Starts (or nudges) the sending; idempotent, so the cron may call it every minute. */
  async start(): Promise<void> {
    if (!this.working && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * Stops starting this broadcast's batches at once. It is already `cancelled` in D1; its
   * next slice marks its unsent batches cancelled once in-flight calls are answered.
   */
  async cancel(broadcastId: string): Promise<void> {
    this.cancelRequested.add(broadcastId);
    this.notBefore.delete(broadcastId);
    if (!this.working) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    if (this.working) {
      // Running an alarm uses it up, and the one in storage was the running slice's watchdog
      // (a test's runDurableObjectAlarm does this; so could a watchdog that fires on time):
      // put it back, or an eviction before the slice ends would leave nothing to resume it.
      await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
      return;
    }
    if (!this.ctx.id.equals(channelId(this.env))) {
      // An instance of the earlier one-per-broadcast layout with an alarm left: hand over.
      await this.ctx.storage.deleteAlarm();
      await dispatcher(this.env).start();
      return;
    }
    this.working = true;
    try {
      await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
      const d = db(this.env.DB);
      const ids = await workList(d);
      if (ids.length === 0) {
        this.notBefore.clear();
        this.cancelRequested.clear();
        await this.ctx.storage.deleteAlarm();
        return;
      }
      const now = Date.now();
      const id = ids.find((x) => (this.notBefore.get(x) ?? 0) <= now);
      if (id === undefined) {
        await this.ctx.storage.setAlarm(Math.min(...ids.map((x) => this.notBefore.get(x) ?? now)));
        return;
      }
      try {
        const { resumeAt } = await runSlice(this.env, d, id, () => this.cancelRequested.has(id), this.limiter);
        // Done (null) takes it off the work list; should it still be there, it does not spin the alarm.
        this.notBefore.set(id, resumeAt ?? Date.now() + ERROR_RETRY_MS);
      } catch (err) {
        log.error('broadcast slice failed', { broadcastId: id, error: err });
        this.notBefore.set(id, Date.now() + ERROR_RETRY_MS);
      }
      // The next alarm takes whichever broadcast is due next (or finds nothing left).
      await this.ctx.storage.setAlarm(Date.now());
    } catch (err) {
      log.error('broadcast dispatcher failed', { error: err });
      await this.ctx.storage.setAlarm(Date.now() + ERROR_RETRY_MS);
    } finally {
      this.working = false;
    }
  }
}

function channelId(env: Env): DurableObjectId {
  return env.BROADCAST_DISPATCHER.idFromName('channel');
}

/** The channel's one dispatcher. */
export function dispatcher(env: Env) {
  return env.BROADCAST_DISPATCHER.get(channelId(env));
}
