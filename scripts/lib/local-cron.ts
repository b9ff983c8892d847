/**
 * The Cron Trigger for `npm start`. Cloudflare runs the worker's `scheduled()` at the start of
 * every minute (`crons = ["* * * * *"]`); `wrangler dev` never does, so without this an approved
 * broadcast or a department mail retry waits for someone to call the cron URL by hand.
 */

export const MINUTE_MS = 60_000;

/** wrangler dev's door to `scheduled()`; `time` becomes `controller.scheduledTime`, the handler's "now". */
export function cronUrl(workerUrl: string, time: number): string {
  return `${workerUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${time}`;
}

/** Cloudflare fires on the minute: the next boundary after `now`, as epoch ms. */
export function nextMinute(now: number): number {
  return Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
}

export interface LocalCron {
  stop(): void;
}

/**
 * Ticks once at once (work left from before the start is done without waiting a minute), then
 * on every minute boundary with that minute as the scheduled time. A tick still running when
 * the next is due makes that one skip, so a slow tick never piles up requests. A worker that
 * does not answer (restarting after a file change) is reported once, not every minute.
 */
export function startLocalCron(workerUrl: string, log: (line: string) => void = console.log): LocalCron {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running = false;
  let failing = false;

  const tick = async (time: number) => {
    if (running) return;
    running = true;
    try {
      const res = await fetch(cronUrl(workerUrl, time), { signal: AbortSignal.timeout(50_000) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      if (failing) log(`cron: the worker answers again (${new Date(time).toISOString()})`);
      failing = false;
    } catch (err) {
      if (!failing && !stopped) log(`cron: the tick of ${new Date(time).toISOString()} failed: ${String(err)}`);
      failing = true;
    } finally {
      running = false;
    }
  };

  const schedule = () => {
    if (stopped) return;
    const at = nextMinute(Date.now());
    timer = setTimeout(() => {
      void tick(at);
      schedule();
    }, at - Date.now());
  };

  void tick(Date.now());
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
