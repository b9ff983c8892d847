/**
 * Broadcast throughput against the fake LINE platform, in Node: 100,000 recipients, LINE's
 * multicast limit of 200 requests per second enforced by the fake, 5 % of the calls failing
 * (plain 500s, 503s, and 500s after LINE accepted: a lost answer). The batches go through
 * `sendBatches`, the very loop the BroadcastDispatcherDO runs, with the real @line/bot-sdk
 * client; only the batch store is a Map here instead of D1.
 *
 *   npm run bench            (all targets)
 *   npx tsx scripts/bench-broadcasts.ts [recipients]
 *
 * Passes when: calls = ⌈N/500⌉ + retries, no recipient twice, every recipient once, and
 * elapsed ≤ 1.2 × the rate-limit floor (⌈N/500⌉ calls at 200 per second).
 */
import { messagingApi } from '@line/bot-sdk';
import {
  lineSender,
  MULTICAST_MAX_RECIPIENTS,
  MULTICAST_RATE_PER_SECOND,
  sendBatches,
  type BatchOutcome,
  type SendBatch,
} from '../src/broadcasts/send-loop.ts';
import { pathToFileURL } from 'node:url';
import { FakeLine } from '../test/fake-line/fake-line.ts';
import { addRow } from './lib/bench-table.ts';

const FAILURE_SHARE = 0.05;
const BASE = 'https://api.line.me';

export async function benchBroadcasts(N = 100_000): Promise<boolean> {
  const fake = new FakeLine({ rateLimits: { multicast: MULTICAST_RATE_PER_SECOND } });
  // The SDK calls the global fetch; for this bench every call goes to the fake, in process.
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
    fake.handle(new Request(input, init))) as typeof fetch;
  try {
    return await run(fake, N);
  } finally {
    globalThis.fetch = realFetch;
  }
}

async function run(fake: FakeLine, N: number): Promise<boolean> {
  const api = new messagingApi.MessagingApiClient({ channelAccessToken: 'bench-token', baseURL: BASE });

  const userIds = Array.from({ length: N }, (_, i) => `U${i.toString(16).padStart(32, '0')}`);
  const batches: SendBatch[] = [];
  for (let i = 0; i * MULTICAST_MAX_RECIPIENTS < N; i++) {
    batches.push({
      id: `b${i}`,
      kind: 'multicast',
      retryKey: crypto.randomUUID(),
      recipients: userIds.slice(i * MULTICAST_MAX_RECIPIENTS, (i + 1) * MULTICAST_MAX_RECIPIENTS),
      attempts: 0,
    });
  }

  // 5 % of the first attempts fail, spread over the run; a third of them after LINE accepted the batch.
  const failing = Math.round(batches.length * FAILURE_SHARE);
  for (let k = 0; k < failing; k++) {
    const b = batches[Math.floor(((k + 0.5) * batches.length) / failing)]!;
    const kind = k % 3;
    fake.injections.push({
      path: '/v2/bot/message/multicast',
      to: b.recipients[0],
      times: 1,
      status: kind === 1 ? 503 : 500,
      acceptFirst: kind === 2,
    });
  }

  // The batch rows, as the dispatcher keeps them in D1.
  const rows = new Map(
    batches.map((b) => [
      b.id,
      { ...b, status: 'pending' as 'pending' | BatchOutcome['status'], error: null as string | null },
    ]),
  );
  const record = async (b: SendBatch, o: BatchOutcome) => {
    const row = rows.get(b.id)!;
    row.attempts = o.attempts;
    if (o.status !== 'pending') row.status = o.status;
    if (o.status !== 'delivered') row.error = o.error;
  };

  const messages: messagingApi.Message[] = [{ type: 'text', text: '岡山市からのお知らせ（ベンチマーク）' }];
  const started = performance.now();
  let slices = 0;
  for (;;) {
    slices += 1;
    const pending = [...rows.values()].filter((r) => r.status === 'pending');
    if (pending.length === 0) break;
    const result = await sendBatches(lineSender(api), pending, {
      messages,
      record,
      shouldStop: () => false,
      deadline: Date.now() + 20_000,
      maxCalls: Number.POSITIVE_INFINITY,
    });
    if (result.state === 'done') break;
    if (result.resumeAt) await new Promise((r) => setTimeout(r, Math.max(0, result.resumeAt! - Date.now())));
  }
  const elapsedMs = performance.now() - started;

  const attempts = fake.attempts.filter((a) => a.path === '/v2/bot/message/multicast');
  const accepted = fake.requests.filter((r) => r.path === '/v2/bot/message/multicast');
  const seen = new Map<string, number>();
  for (const r of accepted) for (const u of r.to) seen.set(u, (seen.get(u) ?? 0) + 1);
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  const missing = userIds.filter((u) => !seen.has(u)).length;
  const byStatus = new Map<number, number>();
  for (const a of attempts) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  const base = Math.ceil(N / MULTICAST_MAX_RECIPIENTS);
  const retries = attempts.length - base;
  // Answers that call for a retry (5xx, 429); 409 is the answer to a retry, not a failure.
  const failedFirst = attempts.filter((a) => a.status >= 500 || a.status === 429).length;
  const floorMs = (base / MULTICAST_RATE_PER_SECOND) * 1000;
  const failedBatches = [...rows.values()].filter((r) => r.status !== 'delivered').length;

  const figures = {
    recipients: N,
    batches: batches.length,
    injectedFailures: failing,
    calls: attempts.length,
    expectedCalls: `${base} + ${retries} retries`,
    answers: Object.fromEntries([...byStatus].sort()),
    acceptedRequests: accepted.length,
    duplicateRecipients: duplicates,
    missingRecipients: missing,
    failedBatches,
    slices,
    elapsedMs: Math.round(elapsedMs),
    rateLimitFloorMs: Math.round(floorMs),
    elapsedOverFloor: Number((elapsedMs / floorMs).toFixed(3)),
  };
  console.log(JSON.stringify(figures, null, 2));

  const checks: [string, boolean][] = [
    ['calls = ⌈N/500⌉ + retries, and every retry answers a failure', retries === failedFirst],
    ['no recipient twice', duplicates === 0],
    ['every recipient once', missing === 0 && failedBatches === 0],
    ['elapsed ≤ 1.2 × rate-limit floor', elapsedMs <= 1.2 * floorMs],
  ];
  for (const [name, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}`);
  addRow(
    `broadcast to ${N.toLocaleString('en')} recipients, 5 % failures`,
    `${base} batches + ${retries} retries, ${duplicates} duplicates, ${missing} missing, ${figures.elapsedOverFloor} × the rate-limit floor`,
    'calls = ⌈N/500⌉ + retries, ≤ 1.2 × floor',
    checks.every(([, ok]) => ok),
  );
  return checks.every(([, ok]) => ok);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exit((await benchBroadcasts(Number(process.argv[2] ?? 100_000))) ? 0 : 1);
}
