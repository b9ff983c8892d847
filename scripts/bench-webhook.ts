/**
 * The webhook against the runtime's limit and the usual alternative, in one run on one machine:
 * the deploy bundle on workerd (Miniflare's API, D1/R2/Durable Objects on disk), a bare worker
 * that reads the body and answers 200, and a Node + Express + @line/bot-sdk middleware() bot
 * writing each event to SQLite on disk. Signed single-event text webhooks from autocannon at
 * 10 and 50 connections; new residents and returning ones; then a burst of 5,000 events from
 * 1,000 residents that must each be worked exactly once.
 *
 *   npm run bench                          (with the other targets)
 *   npx tsx scripts/bench-webhook.ts       (alone; BENCH_SECONDS=6 per load run)
 *   PROFILE=1 npx tsx scripts/bench-webhook.ts    also a CPU profile of workerd (new residents, 10 connections)
 *   COMMITS=1 npx tsx scripts/bench-webhook.ts    also fsyncs per event on the ack and processing paths (strace)
 */
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { startFakeLine, type RunningFakeLine } from '../test/fake-line/server.ts';
import { addRow, machine, percentile, printTable } from './lib/bench-table.ts';
import {
  buildDeployBundle,
  procStats,
  startBareWorker,
  startNodeBot,
  startProjectWorker,
  untilIdle,
  type ProjectWorker,
  type Server,
} from './lib/bench-runtime.ts';
import { countCommits, profileCpu } from './lib/bench-probes.ts';
import { memoryWaves, type MemoryWave } from './lib/bench-memory.ts';
import { DEV_SECRETS } from './start.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const RETURNING = 200;
const BURST_RESIDENTS = Number(process.env.BURST_RESIDENTS ?? 1_000);
const BURST_PER_RESIDENT = 5;
const SECRET = DEV_SECRETS.LINE_CHANNEL_SECRET;
const TERMS_VERSION = '2026-11-01';

let serial = 0;
/** A LINE-shaped user ID (U + 32 hex) that says which run it belongs to. */
const userId = (tag: number, n: number) => `U${tag.toString(16).padStart(4, '0')}${n.toString(16).padStart(28, '0')}`;

function event(user: string, extra: Record<string, unknown>) {
  const n = ++serial;
  return {
    mode: 'active',
    timestamp: Date.now(),
    source: { type: 'user', userId: user },
    webhookEventId: `01BENCH${n.toString(36).padStart(10, '0')}`,
    deliveryContext: { isRedelivery: false },
    replyToken: `reply:${user}:${n}`,
    ...extra,
  };
}
const text = (user: string) =>
  event(user, { type: 'message', message: { id: `m${serial}`, type: 'text', text: 'こんにちは' } });

function signed(events: unknown[]) {
  const body = JSON.stringify({ destination: 'Ubench', events });
  return { body, signature: createHmac('sha256', SECRET).update(body).digest('base64') };
}

/** Posts like LINE: a webhook not answered 200 (or whose connection broke) is delivered again. */
async function post(url: string, events: unknown[]): Promise<void> {
  const { body, signature } = signed(events);
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-line-signature': signature },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      if (res.status === 200) return;
      if (attempt >= 5) throw new Error(`webhook answered ${res.status}`);
    } catch (err) {
      if (attempt >= 5) throw err;
    }
    await new Promise((r) => setTimeout(r, 500 * attempt));
  }
}

interface LoadResult {
  label: string;
  connections: number;
  n: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  cpuPerReq: number;
  peakRssMb: number;
  settleMs: number;
}

/** One autocannon run; CPU counts until the process is idle again, so work done after the 200 is included. */
async function load(server: Server, label: string, connections: number, user: () => string): Promise<LoadResult> {
  const before = procStats(server.pid);
  const latencies: number[] = [];
  const options: autocannon.Options = {
    url: `${server.url}/webhook`,
    connections,
    duration: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => {
          const { body, signature } = signed([text(user())]);
          return { ...req, body, headers: { ...req.headers, 'x-line-signature': signature } };
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_c, _status, _bytes, ms) => latencies.push(ms));
  });
  const settleMs = await untilIdle(server.pid);
  const after = procStats(server.pid);
  latencies.sort((a, b) => a - b);
  const n = result.requests.total;
  const r = {
    label,
    connections,
    n,
    errors: result.non2xx + result.errors + result.timeouts,
    rps: n / (result.duration || SECONDS),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    cpuPerReq: (after.cpuMs - before.cpuMs) / Math.max(1, n),
    peakRssMb: after.peakRssMb,
    settleMs,
  };
  console.log(
    `  ${label.padEnd(34)} c=${String(connections).padStart(2)}  ${r.rps.toFixed(0).padStart(5)} req/s  ` +
      `p50 ${r.p50.toFixed(0)}  p95 ${r.p95.toFixed(0)}  p99 ${r.p99.toFixed(0)}  max ${r.max.toFixed(0)} ms  ` +
      `CPU ${r.cpuPerReq.toFixed(2)} ms/req  peak RSS ${r.peakRssMb.toFixed(0)} MB  errors ${r.errors}` +
      (settleMs > 400 ? `  (busy ${(settleMs / 1000).toFixed(1)} s after the run)` : '') +
      `  [${machine().split(', ').at(-1)}]`,
  );
  return r;
}

const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(0)} / p95 ${r.p95.toFixed(0)} / p99 ${r.p99.toFixed(0)} / max ${r.max.toFixed(0)} ms, ` +
  `${r.cpuPerReq.toFixed(2)} ms CPU/req, peak RSS ${r.peakRssMb.toFixed(0)} MB` +
  // The 200 comes before the processing: a run whose acks outpace it leaves work behind.
  (r.settleMs > 400 ? `, busy ${(r.settleMs / 1000).toFixed(1)} s after the run` : '');

/** Every burst event's answer, per resident, in the order the events were sent. */
async function burst(w: ProjectWorker, line: RunningFakeLine): Promise<boolean> {
  const tag = 0xb0;
  const residents = Array.from({ length: BURST_RESIDENTS }, (_, i) => userId(tag, i));
  const data = `action=consent&v=${TERMS_VERSION}`;
  // Residents write in turns, as after a broadcast; every tenth webhook is also redelivered.
  const webhooks: unknown[][] = [];
  for (let k = 0; k < BURST_PER_RESIDENT; k++)
    for (const u of residents) {
      const ev = event(u, { type: 'postback', postback: { data } });
      webhooks.push([ev]);
      if (webhooks.length % 10 === 0) webhooks.push([{ ...ev, deliveryContext: { isRedelivery: true } }]);
    }
  const total = BURST_RESIDENTS * BURST_PER_RESIDENT;
  const answers = () =>
    // By reply while the token is fresh, by push once an event waited past it.
    line.fake.requests.filter((r) => /\/(reply|push)$/.test(r.path) && r.to[0]?.startsWith(`U00${tag.toString(16)}`));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < webhooks.length) await post(w.url, webhooks[next++]!);
    }),
  );
  const postedMs = performance.now() - t0;
  while (answers().length < total && performance.now() - t0 < postedMs + 150_000)
    await new Promise((r) => setTimeout(r, 100));
  const answeredMs = performance.now() - t0;
  await untilIdle(w.pid, 10_000);
  const replies = answers();
  const perResident = new Map<string, number[]>();
  const count = new Map<string, number>();
  for (const r of replies) count.set(r.to[0]!, (count.get(r.to[0]!) ?? 0) + 1);
  // Order is read from the reply tokens (a push carries none).
  for (const r of replies.filter((x) => x.path.endsWith('/reply'))) {
    const seq = Number((r.body as { replyToken: string }).replyToken.split(':')[2]);
    perResident.set(r.to[0]!, [...(perResident.get(r.to[0]!) ?? []), seq]);
  }
  const inOrder = [...perResident.values()].every((s) => s.every((x, i) => i === 0 || x > s[i - 1]!));
  const rows = await (
    await w.d1()
  )
    .prepare(`SELECT count(*) AS n FROM consents WHERE line_user_id LIKE 'U00${tag.toString(16)}%'`)
    .first<{ n: number }>();
  const exact =
    replies.length === total &&
    rows?.n === total &&
    count.size === BURST_RESIDENTS &&
    [...count.values()].every((n) => n === BURST_PER_RESIDENT);
  console.log(
    `  burst: ${webhooks.length} webhooks (${total} events + ${webhooks.length - total} redeliveries) from ${BURST_RESIDENTS} residents ` +
      `posted in ${(postedMs / 1000).toFixed(1)} s; ${replies.length} answers in the fake LINE, ${rows?.n} consent rows in D1; ` +
      `all answered after ${(answeredMs / 1000).toFixed(1)} s; per-resident order ${inOrder ? 'kept' : 'BROKEN'}  [${machine().split(', ').at(-1)}]`,
  );
  addRow(
    'webhook burst',
    `${total} events (+${webhooks.length - total} redeliveries) from ${BURST_RESIDENTS} residents: posted in ${(postedMs / 1000).toFixed(1)} s, all answered after ${(answeredMs / 1000).toFixed(1)} s; ${replies.length} answers, ${rows?.n} D1 rows`,
    'each event worked exactly once, in order per resident',
    exact && inOrder,
  );
  return exact && inOrder;
}

export async function benchWebhook(): Promise<boolean> {
  console.log(`webhook comparison; ${machine()}; ${SECONDS} s per run`);
  const work = join(tmpdir(), `okayama-bench-${process.pid}`);
  // BUNDLE=<dir>/index.js measures another build (an older commit's, say) the same way.
  const bundle = process.env.BUNDLE ?? buildDeployBundle(join(work, 'dist'));
  const line = await startFakeLine(0, {});
  // workerd keeps its connections to the fake; closing them while idle loses the next request on one.
  line.server.keepAliveTimeout = 10 * 60_000;
  const results: Record<string, LoadResult> = {};
  let ok = true;
  try {
    if (process.env.ONLY === 'commits') {
      const w = await startProjectWorker({ bundle, persistTo: join(work, 'state'), lineUrl: line.url });
      for (let i = 0; i < 30; i++) await post(w.url, [text(userId(3, i))]);
      await untilIdle(w.pid);
      await countCommits(w, (i) => [text(userId(4, i))], post);
      const u = userId(7, 0);
      await post(w.url, [
        event(u, { type: 'follow' }),
        event(u, { type: 'postback', postback: { data: `action=consent&v=${TERMS_VERSION}` } }),
      ]);
      await untilIdle(w.pid);
      await countCommits(w, () => [text(u)], post, 20, 'returning resident (no answer due)');
      await w.stop();
      return true;
    }
    if (process.env.ONLY === 'memory') {
      const w = await startProjectWorker({ bundle, persistTo: join(work, 'state'), lineUrl: line.url });
      await memoryWaves(w, {
        waves: Number(process.env.MEMORY_WAVES ?? 4),
        perWave: Number(process.env.MEMORY_PER_WAVE ?? 1000),
        idleMs: Number(process.env.MEMORY_IDLE_MS ?? 30_000),
        post: (n) => post(w.url, [text(userId(8, n))]),
        log: console.log,
      });
      await w.stop();
      return true;
    }
    if (process.env.ONLY === 'burst') {
      const w = await startProjectWorker({ bundle, persistTo: join(work, 'state'), lineUrl: line.url });
      const passed = await burst(w, line);
      await w.stop();
      return passed;
    }
    // ONLY=project: this worker's load runs alone (with PROFILE=1, to see where its time goes).
    const only = process.env.ONLY === 'project';
    if (!only) {
      const bare = await startBareWorker(join(work, 'bare'));
      for (const c of [10, 50])
        results[`bare${c}`] = await load(bare, 'bare worker (runtime limit)', c, () => userId(1, 0));
      await bare.stop();

      const node = await startNodeBot({ dbPath: join(work, 'node-bot.sqlite'), lineUrl: line.url });
      let nodeUsers = 0;
      for (const c of [10, 50])
        results[`node${c}`] = await load(node, 'Node + Express + SQLite', c, () => userId(2, nodeUsers++));
      await node.stop();
    }

    const w = await startProjectWorker({
      bundle,
      persistTo: join(work, 'state'),
      lineUrl: line.url,
      inspectorPort: process.env.PROFILE ? 9241 : undefined,
    });
    try {
      // Warm-up: module load and the first Durable Objects.
      for (let i = 0; i < 30; i++) await post(w.url, [text(userId(3, i))]);
      await untilIdle(w.pid);
      if (process.env.COMMITS) await countCommits(w, (i) => [text(userId(4, i))], post);
      let fresh = 0;
      const profiling = process.env.PROFILE ? await profileCpu(9241) : null;
      results.new10 = await load(w, 'this worker, a new resident each', 10, () => userId(5, fresh++));
      if (profiling) await profiling.stop();
      results.new50 = await load(w, 'this worker, a new resident each', 50, () => userId(5, fresh++));
      // Returning residents: followed and consented before, then writing again and again.
      for (let i = 0; i < RETURNING; i++) {
        const u = userId(6, i);
        await post(w.url, [
          event(u, { type: 'follow' }),
          event(u, { type: 'postback', postback: { data: `action=consent&v=${TERMS_VERSION}` } }),
        ]);
      }
      await untilIdle(w.pid);
      let turn = 0;
      const returning = () => userId(6, turn++ % RETURNING);
      const profilingReturning = process.env.PROFILE ? await profileCpu(9241) : null;
      results.ret10 = await load(w, `this worker, ${RETURNING} returning residents`, 10, returning);
      if (profilingReturning) await profilingReturning.stop();
      results.ret50 = await load(w, `this worker, ${RETURNING} returning residents`, 50, returning);
      const seen = 30 + fresh + RETURNING;
      if (only) return true;
      try {
        ok = (await burst(w, line)) && ok;
      } catch (err) {
        ok = false;
        console.error('  burst failed to run:', err);
        addRow('webhook burst', `failed to run: ${err instanceof Error ? err.message : String(err)}`, '', false);
      }
      // Memory: two more waves of new residents, each followed by an idle pause; what the last
      // thousand residents add once idle is what seeing more residents costs.
      const waves = await memoryWaves(w, {
        waves: 2,
        perWave: 1000,
        idleMs: 15_000,
        seenBefore: seen + BURST_RESIDENTS,
        post: (n) => post(w.url, [text(userId(8, n))]),
        log: console.log,
      });
      const [a, b] = waves as [MemoryWave, MemoryWave];
      const growth = (b.rssAfterIdleMb - a.rssAfterIdleMb) / a.rssAfterIdleMb;
      const peak = procStats(w.pid).peakRssMb;
      addRow(
        'webhook memory',
        `workerd RSS when idle ${a.rssAfterIdleMb.toFixed(0)} MB after ${a.residents} residents, ` +
          `${b.rssAfterIdleMb.toFixed(0)} MB after ${b.residents} (${(100 * growth).toFixed(1)} %); peak ${peak.toFixed(0)} MB under load`,
        'the last 1,000 residents add < 5 % once idle',
        growth < 0.05,
      );
      ok = ok && growth < 0.05;
    } finally {
      await w.stop();
    }
  } finally {
    await line.close();
  }

  const r = results as Record<
    'bare10' | 'bare50' | 'node10' | 'node50' | 'new10' | 'new50' | 'ret10' | 'ret50',
    LoadResult
  >;
  addRow('webhook c=10 bare worker', fmt(r.bare10));
  addRow('webhook c=10 Node + Express + SQLite', fmt(r.node10));
  addRow('webhook c=10 new residents', fmt(r.new10), 'p99 < 50 ms', r.new10.p99 < 50);
  addRow('webhook c=10 returning residents', fmt(r.ret10), 'p99 < 50 ms', r.ret10.p99 < 50);
  const ratioNode = Math.min(r.new10.rps, r.ret10.rps) / r.node10.rps;
  addRow(
    'webhook c=10 ratios',
    `project/bare ${(r.new10.rps / r.bare10.rps).toFixed(2)}×, project/Node ${ratioNode.toFixed(2)}× (new ${(r.new10.rps / r.node10.rps).toFixed(2)}×, returning ${(r.ret10.rps / r.node10.rps).toFixed(2)}×)`,
    'project/Node ≥ 0.5× (stretch 1×)',
    ratioNode >= 0.5,
  );
  const cpu = Math.max(r.new10.cpuPerReq, r.ret10.cpuPerReq);
  addRow(
    'webhook CPU per event',
    `${cpu.toFixed(2)} ms at 10 connections (ack + processing + answer; new residents ${r.new10.cpuPerReq.toFixed(2)} ms, ` +
      `returning ${r.ret10.cpuPerReq.toFixed(2)} ms; Node ${r.node10.cpuPerReq.toFixed(2)} ms, bare ${r.bare10.cpuPerReq.toFixed(2)} ms)`,
    '≤ 1.5 ms',
    cpu <= 1.5,
  );
  addRow('webhook c=50 bare worker', fmt(r.bare50));
  addRow('webhook c=50 Node + Express + SQLite', fmt(r.node50));
  addRow('webhook c=50 new residents', fmt(r.new50), 'p99 < 500 ms', r.new50.p99 < 500);
  addRow('webhook c=50 returning residents', fmt(r.ret50), 'p99 < 500 ms', r.ret50.p99 < 500);
  addRow(
    'webhook c=50 ratios',
    `project/bare ${(r.new50.rps / r.bare50.rps).toFixed(2)}×, project/Node ${(Math.min(r.new50.rps, r.ret50.rps) / r.node50.rps).toFixed(2)}×`,
  );
  const targets = [
    r.new10.p99 < 50,
    r.ret10.p99 < 50,
    ratioNode >= 0.5,
    cpu <= 1.5,
    r.new50.p99 < 500,
    r.ret50.p99 < 500,
  ];
  return ok && targets.every(Boolean);
}

// Run alone: `npx tsx scripts/bench-webhook.ts`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchWebhook().then(
    (ok) => {
      printTable();
      process.exit(ok ? 0 : 1);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
