/**
 * Webhook answer time: LINE counts an answer slower than 2 s as an error. Measures how long
 * POST /webhook takes to answer 200 (events durable in the residents' inboxes) sequentially
 * and under concurrent load, and how long until every resident's answer reached LINE.
 */
import { loadavg } from 'node:os';
import { signBody } from '../src/line/signature.ts';
import { percentile, startLocalWorker } from './lib/local-worker.ts';

// Half of LINE's 2-second limit, measured on local workerd (whose SQLite commits fsync to disk).
const TARGET_P95_MS = 1_000;

function followEvent(userId: string, i: number) {
  return {
    type: 'follow',
    mode: 'active',
    timestamp: Date.now(),
    source: { type: 'user', userId },
    webhookEventId: `01BENCH${i}${Math.random().toString(36).slice(2)}`,
    deliveryContext: { isRedelivery: false },
    replyToken: `reply:${userId}:${i}`,
  };
}

async function post(url: string, secret: string, events: unknown[]): Promise<number> {
  const body = JSON.stringify({ destination: 'Ubench', events });
  const signature = await signBody(secret, body);
  const t0 = performance.now();
  const res = await fetch(`${url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-line-signature': signature },
    body,
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  return performance.now() - t0;
}

export async function benchWebhook(): Promise<boolean> {
  const w = await startLocalWorker({ port: 8795, inspectorPort: 9235, name: 'webhook' });
  try {
    const secret = w.secrets.LINE_CHANNEL_SECRET;
    // Warm-up: the first requests pay for module loading and Durable Object creation.
    for (let i = 0; i < 20; i++) await post(w.url, secret, [followEvent(`Uwarm${i}`, i)]);

    const sequential: number[] = [];
    for (let i = 0; i < 300; i++) sequential.push(await post(w.url, secret, [followEvent(`Useq${i}`, i)]));

    // 500 webhooks for 100 residents, 20 in flight at any time (LINE delivers in parallel,
    // several for one resident at once when they type quickly).
    const users = 100;
    const perUser = 5;
    const inFlight = 20;
    const t0 = performance.now();
    const concurrent: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < users * perUser) {
          const i = next++;
          concurrent.push(await post(w.url, secret, [followEvent(`Ucon${i % users}`, 1000 + i)]));
        }
      }),
    );
    // End to end: every concurrent resident got an answer (a greeting) from the bot.
    for (;;) {
      const answered = new Set(w.line.fake.requests.flatMap((r) => r.to).filter((u) => u.startsWith('Ucon')));
      if (answered.size >= users) break;
      if (performance.now() - t0 > 60_000) throw new Error(`only ${answered.size}/${users} residents answered`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const endToEnd = performance.now() - t0;

    const report = (name: string, xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `${name}: n=${s.length} p50=${percentile(s, 50).toFixed(1)} ms p95=${percentile(s, 95).toFixed(1)} ms max=${s.at(-1)!.toFixed(1)} ms`;
    };
    const p95 = Math.max(
      percentile(
        [...sequential].sort((a, b) => a - b),
        95,
      ),
      percentile(
        [...concurrent].sort((a, b) => a - b),
        95,
      ),
    );
    console.log(`webhook answer time (LINE allows 2,000 ms); machine load average ${loadavg()[0]!.toFixed(1)}`);
    console.log(`  ${report('sequential, 1 event each', sequential)}`);
    console.log(
      `  ${report(`concurrent, ${users} residents × ${perUser} webhooks, ${inFlight} in flight`, concurrent)}`,
    );
    console.log(`  all ${users} concurrent residents answered by the bot within ${endToEnd.toFixed(0)} ms`);
    const ok = p95 < TARGET_P95_MS;
    console.log(`  target p95 < ${TARGET_P95_MS} ms: ${ok ? 'PASS' : 'FAIL'} (${p95.toFixed(1)} ms)`);
    return ok;
  } finally {
    await w.stop();
  }
}
