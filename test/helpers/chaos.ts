import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { onTestFailed } from 'vitest';
import { ingressMode } from '../../src/ingress/hand-in';
import { hash32, type ChaosConfig, type ChaosStats } from '../fake-line/chaos';
import { conversation, envelope, handedOn, postWebhook } from './line';

const CHAOS = 'https://api.line.me/__fake/chaos';
/** What each scope's chaos did when it was stopped (a failure after the stop still reports it). */
const finalStats = new Map<string, ChaosStats>();

/**
 * The seed of this run: CHAOS_SEED from the environment of the vitest process (to replay a
 * failure: `CHAOS_SEED=<seed> npx vitest run --project worker test/chaos-day.test.ts`), else a fixed one, so CI answers the same every time.
 */
export async function chaosSeed(): Promise<number> {
  const { seed } = (await (await fetch(CHAOS)).json()) as { seed: number | null };
  return seed ?? 20261202;
}

/** Prints the seed and what the chaos did when the current test fails, so the failure can be replayed. */
export function reportSeedOnFailure(seed: number, scope: string): void {
  onTestFailed(async () => {
    const stats = finalStats.get(scope) ?? (await chaosStats(scope).catch(() => null));
    // A test's own output is the only place the seed can go; the worker's log stays free of it.
    console.error(`chaos seed ${seed} (replay: CHAOS_SEED=${seed}); chaos did: ${JSON.stringify(stats)}`);
  });
}

/**
 * A prefix for this test's LINE user IDs (`U` + 8 hex digits) that the chaos mode takes as its
 * scope: every call to one of these residents, or naming the prefix in its body, may misbehave.
 */
export function chaosScope(seed: number, part = 1): string {
  // Part 1 keeps the scope it always had, so an old seed replays as it did.
  return `U${hash32(part === 1 ? `scope|${seed}` : `scope|${seed}|${part}`)
    .toString(16)
    .padStart(8, '0')}`;
}

/** The n-th resident of a scope: the same seed gives the same IDs, so a replay calls LINE the same way. */
export function scopedUserId(scope: string, n: number): string {
  const tail = [1, 2, 3].map((k) => hash32(`${scope}|${n}|${k}`).toString(16).padStart(8, '0')).join('');
  return `${scope}${tail}`;
}

export async function startChaos(config: ChaosConfig): Promise<void> {
  const res = await fetch(CHAOS, { method: 'POST', body: JSON.stringify(config) });
  if (!res.ok) throw new Error(`chaos not started: ${await res.text()}`);
}

export async function chaosStats(scope: string): Promise<ChaosStats> {
  return (await fetch(`${CHAOS}?scope=${encodeURIComponent(scope)}`)).json();
}

export async function stopChaos(scope: string): Promise<ChaosStats> {
  const stats = (await (
    await fetch(`${CHAOS}?scope=${encodeURIComponent(scope)}`, { method: 'DELETE' })
  ).json()) as ChaosStats;
  finalStats.set(scope, stats);
  return stats;
}

/** Runs `work` on every item with at most `limit` at a time. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, i);
    }
  });
  await Promise.all(runners);
  return out;
}

/**
 * Like `say`, with room for chaos: a chaos timeout costs seconds, and an event may need several
 * tries. Drains by running the alarm at once instead of waiting out the backoff.
 */
export async function sayUnderChaos(userId: string, ...evs: unknown[]) {
  const res = await postWebhook(envelope(evs));
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  return drainLong(userId);
}

export async function drainLong(userId: string, timeoutMs = 60_000) {
  // With the direct ingress the webhook's 200 means the events are in the inbox already.
  if (ingressMode(env.WEBHOOK_INGRESS) === 'shards') await handedOn(userId, timeoutMs);
  const stub = conversation(userId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await workInside(stub, deadline);
    const rows = await stub.inbox();
    if (!rows.some((r) => r.status === 'pending' || r.status === 'sending')) return rows;
    if (Date.now() > deadline) throw new Error(`inbox of ${userId} not drained: ${JSON.stringify(rows)}`);
  }
}

/**
 * Works the conversation's inbox from inside its object: runs a waiting alarm at once (a retry
 * backoff is not waited out) and, while the runtime's own alarm is at work, waits there for it.
 * One call from the test instead of two round trips per poll: with a day's worth of residents
 * polling at once, those round trips were what the machine spent its time on.
 */
async function workInside(stub: DurableObjectStub, deadline: number): Promise<void> {
  await runInDurableObject(stub, async (instance, state) => {
    for (let wait = 2; Date.now() < deadline; wait = Math.min(wait * 2, 32)) {
      const open = state.storage.sql
        .exec<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE status IN ('pending', 'sending')`)
        .one().n;
      if (open === 0) return;
      if ((await state.storage.getAlarm()) !== null) {
        await state.storage.deleteAlarm();
        await instance.alarm?.();
        wait = 1;
        continue;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  });
}
