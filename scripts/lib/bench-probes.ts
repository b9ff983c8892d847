/**
 * Where the webhook's time goes, for the README's Speed section: a CPU profile of workerd
 * through its inspector, and the durable commits (fsync/fdatasync, seen with strace) of each
 * event, split into the ack path (until the webhook answers) and the processing after it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT } from '../start.ts';
import { addRow, machine } from './bench-table.ts';
import type { ProjectWorker } from './bench-runtime.ts';

const requireFromWrangler = createRequire(join(ROOT, 'node_modules', 'wrangler', 'package.json'));
// The inspector speaks WebSocket; Node 20 has no WebSocket client of its own, wrangler ships \`ws\`.
interface Socket {
  once(event: 'open' | 'error', cb: (e?: unknown) => void): Socket;
  on(event: 'message', cb: (raw: unknown) => void): void;
  send(data: string): void;
  close(): void;
}
const WebSocket = requireFromWrangler('ws') as new (url: string) => Socket;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** Starts the V8 sampling profiler of the worker's isolate; `stop()` prints the functions with the most self time. */
export async function profileCpu(inspectorPort: number): Promise<{ stop(): Promise<void> }> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    title: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => !t.title.startsWith('core:')) ?? targets[0]!;
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  await call('Profiler.start');
  return {
    async stop() {
      const { profile } = (await call('Profiler.stop')) as {
        profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
      };
      ws.close();
      const perSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
      const self = new Map<string, number>();
      let total = 0;
      for (const n of profile.nodes) {
        const f = n.callFrame;
        const file = f.url.split('/').at(-1) || '';
        const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
        self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0));
        total += n.hitCount ?? 0;
      }
      const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
      console.log(`  CPU profile of the worker's isolate (${total} samples of ${perSample.toFixed(2)} ms):`);
      for (const [key, hits] of top) console.log(`    ${((100 * hits) / total).toFixed(1).padStart(5)} %  ${key}`);
      // Self time scatters a cost over the runtime's functions; time under our own (named) functions says which step costs it.
      const inclusive = inclusiveHits(profile.nodes);
      const ours = [...inclusive]
        .filter(([key]) => /index\.js:/.test(key) && !key.startsWith('(anonymous)'))
        .sort((a, b) => b[1] - a[1])
        .slice(0, 20);
      console.log('  the same profile, time in and under named functions of the bundle:');
      for (const [key, hits] of ours) console.log(`    ${((100 * hits) / total).toFixed(1).padStart(5)} %  ${key}`);
    },
  };
}

/** Samples in and under each function (a recursive function's are counted once per path). */
function inclusiveHits(nodes: ProfileNode[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const memo = new Map<number, number>();
  const under = (id: number): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    let hits = n.hitCount ?? 0;
    for (const c of n.children ?? []) hits += under(c);
    memo.set(id, hits);
    return hits;
  };
  const keyOf = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').at(-1) || ''}:${n.callFrame.lineNumber + 1}`;
  const parent = new Map<number, number>();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  for (const n of nodes) {
    const key = keyOf(n);
    // Only the outermost frame of a key on each path, so recursion is not counted twice.
    let p = parent.get(n.id);
    let nested = false;
    while (p !== undefined) {
      if (keyOf(byId.get(p)!) === key) {
        nested = true;
        break;
      }
      p = parent.get(p);
    }
    if (!nested) out.set(key, (out.get(key) ?? 0) + under(n.id));
  }
  return out;
}

/**
 * Durable commits per event: sequential webhooks, each left to finish, with strace counting
 * fsync/fdatasync of workerd by file (a Durable Object's SQLite, D1's) and by phase.
 */
export async function countCommits(
  w: ProjectWorker,
  events: (i: number) => unknown[],
  post: (url: string, events: unknown[]) => Promise<void>,
  n = 40,
  label = 'new-resident text webhook',
): Promise<void> {
  if (spawnSync('strace', ['-V']).status !== 0) {
    console.log('  commit count skipped: strace is not installed');
    return;
  }
  const out = join(tmpdir(), `bench-strace-${process.pid}.txt`);
  const strace = spawn('strace', ['-f', '-ttt', '-y', '-e', 'trace=fsync,fdatasync', '-o', out, '-p', String(w.pid)], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 1_000));
  const windows: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const t0 = Date.now() / 1000;
    await post(w.url, events(i));
    const t1 = Date.now() / 1000;
    await new Promise((r) => setTimeout(r, 400));
    windows.push([t0, t1, Date.now() / 1000]);
  }
  strace.kill('SIGINT');
  await new Promise((r) => strace.once('exit', r));
  // A Durable Object's commit is an fsync of its WAL; the alarm store (Miniflare's metadata.sqlite) is
  // where an alarm change is recorded; a new object's file costs a journal and a directory fsync more;
  // an fsync of a main .sqlite file is a checkpoint (also when an idle object is closed). An ingress
  // shard's commit is told apart by its class's folder. The shard's hand-off starts while the 200 is on
  // its way, so some of the resident object's fsyncs land in the ack window though the 200 waits for none.
  const kinds = ['shard commit', 'DO commit', 'alarm store', 'D1 commit', 'checkpoint', 'new file'] as const;
  const counts = { ack: new Map<string, number>(), work: new Map<string, number>() };
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = line.match(/^\d+\s+(\d+\.\d+)\s+f(?:data)?sync\(\d+<([^>]*)>/);
    if (!m) continue;
    const t = Number(m[1]);
    const file = m[2]!;
    const kind = /metadata\.sqlite/.test(file)
      ? 'alarm store'
      : /\/d1\/.*-wal$/.test(file)
        ? 'D1 commit'
        : /\/do\/[^/]*IngressDO\/[0-9a-f]{64}\.sqlite-wal$/.test(file)
          ? 'shard commit'
          : /\/do\/.*[0-9a-f]{64}\.sqlite-wal$/.test(file)
            ? 'DO commit'
            : /\.sqlite$/.test(file)
              ? 'checkpoint'
              : 'new file';
    const win = windows.find(([a, , c]) => t >= a && t < c);
    if (!win) continue;
    const phase = t <= win[1] ? counts.ack : counts.work;
    phase.set(kind, (phase.get(kind) ?? 0) + 1);
  }
  const per = (m: Map<string, number>) =>
    kinds
      .filter((k) => m.get(k))
      .map((k) => `${(m.get(k)! / n).toFixed(1)} ${k}`)
      .join(' + ') || 'none';
  const figure = `ack path: ${per(counts.ack)}; processing: ${per(counts.work)}`;
  console.log(`  fsyncs per ${label} (${n} sequential) — ${figure}  [${machine().split(', ').at(-1)}]`);
  addRow(`webhook fsyncs per ${label}`, figure);
}
