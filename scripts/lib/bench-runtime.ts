/**
 * What the webhook bench runs, each in a process of its own so its CPU and memory can be read
 * from /proc: the worker as built for deploy on workerd through Miniflare's API (no
 * `wrangler dev` proxy), a bare worker on the same runtime, and the Node + Express bot.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DEV_SECRETS, ROOT } from '../start.ts';

// Wrangler's own Miniflare, so the runtime is the workerd that `wrangler dev` and the bundle check use.
const requireFromWrangler = createRequire(join(ROOT, 'node_modules', 'wrangler', 'package.json'));
const { Miniflare } = requireFromWrangler('miniflare') as typeof import('miniflare');
type Mf = InstanceType<typeof Miniflare>;

const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const COMPATIBILITY_DATE = '2026-05-01';

export interface Server {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ProjectWorker extends Server {
  mf: Mf;
  d1(): ReturnType<Mf['getD1Database']>;
}

/** `wrangler deploy --dry-run --outdir`: the very bundle that would be deployed. */
export function buildDeployBundle(outdir: string): string {
  rmSync(outdir, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('wrangler deploy --dry-run failed');
  return join(outdir, 'index.js');
}

function workerdChildren(): Set<number> {
  const out = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && stat.includes('(workerd)')) out.add(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function startMiniflare(
  name: string,
  options: Record<string, unknown>,
): Promise<{ mf: Mf; url: string; pid: number }> {
  const before = workerdChildren();
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ['nodejs_compat'],
    ...options,
  } as unknown as ConstructorParameters<typeof Miniflare>[0]);
  const url = (await mf.ready).href.replace(/\/$/, '');
  const pid = [...workerdChildren()].find((p) => !before.has(p));
  if (!pid) throw new Error(`${name}: cannot find the workerd process`);
  return { mf, url, pid };
}

/** The project's bundle with D1, R2 and Durable Objects persisted on disk, as in production. */
export async function startProjectWorker(opts: {
  bundle: string;
  persistTo: string;
  lineUrl: string;
  inspectorPort?: number;
}): Promise<ProjectWorker> {
  rmSync(opts.persistTo, { recursive: true, force: true });
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const vars: Record<string, string> = {};
  const varsSection = toml.split(/^\[vars\]$/m)[1]?.split(/^\[/m)[0] ?? '';
  for (const m of varsSection.matchAll(/^([A-Z_]+)\s*=\s*"(.*)"$/gm)) vars[m[1]!] = m[2]!;
  const bundleDir = join(opts.bundle, '..');
  // An older build (BUNDLE=…) may predate the ingress shards; its bindings are the ones it knows.
  const hasIngress = /\bIngressDO\b/.test(readFileSync(opts.bundle, 'utf8'));
  const { mf, url, pid } = await startMiniflare('project', {
    modules: true,
    modulesRoot: bundleDir,
    scriptPath: opts.bundle,
    inspectorPort: opts.inspectorPort,
    d1Databases: { DB: 'okayama-city-line' },
    r2Buckets: ['PHOTOS'],
    durableObjects: {
      CONVERSATION: { className: 'ConversationDO', useSQLite: true },
      ...(hasIngress ? { INGRESS: { className: 'IngressDO', useSQLite: true } } : {}),
      BROADCAST_DISPATCHER: { className: 'BroadcastDispatcherDO', useSQLite: true },
    },
    email: { send_email: [{ name: 'REPORT_MAIL' }] },
    bindings: {
      ...vars,
      ...DEV_SECRETS,
      LINE_API_BASE_URL: opts.lineUrl,
      LINE_DATA_API_BASE_URL: opts.lineUrl,
      // WEBHOOK_INGRESS=shards npx tsx scripts/bench-webhook.ts: the same build through the ingress shards.
      ...(process.env.WEBHOOK_INGRESS ? { WEBHOOK_INGRESS: process.env.WEBHOOK_INGRESS } : {}),
    },
    d1Persist: join(opts.persistTo, 'd1'),
    r2Persist: join(opts.persistTo, 'r2'),
    durableObjectsPersist: join(opts.persistTo, 'do'),
  });
  const d1 = () => mf.getD1Database('DB');
  const db = await d1();
  const dir = join(ROOT, 'migrations');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    for (const stmt of readFileSync(join(dir, file), 'utf8').split('--> statement-breakpoint')) {
      if (stmt.trim()) await db.prepare(stmt).run();
    }
  }
  return { name: 'project', url, pid, mf, d1, stop: () => mf.dispose() };
}

const BARE_WORKER = `export default {
  async fetch(request) {
    await request.arrayBuffer();
    return new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } });
  },
};`;

/** The runtime's limit: a worker that reads the body and answers 200. */
export async function startBareWorker(dir: string): Promise<Server> {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'bare.js');
  writeFileSync(script, BARE_WORKER);
  const { mf, url, pid } = await startMiniflare('bare', { modules: true, modulesRoot: dir, scriptPath: script });
  return { name: 'bare', url, pid, stop: () => mf.dispose() };
}

/** The usual alternative: Node + Express + @line/bot-sdk middleware() + SQLite on disk (scripts/bench-node-bot.ts). */
export async function startNodeBot(opts: { dbPath: string; lineUrl: string }): Promise<Server> {
  rmSync(opts.dbPath, { force: true });
  rmSync(`${opts.dbPath}-wal`, { force: true });
  rmSync(`${opts.dbPath}-shm`, { force: true });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench-node-bot.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      BOT_DB: opts.dbPath,
      LINE_API_BASE_URL: opts.lineUrl,
      LINE_CHANNEL_SECRET: DEV_SECRETS.LINE_CHANNEL_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: DEV_SECRETS.LINE_CHANNEL_ACCESS_TOKEN,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = out.match(/listening on (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the Node bot exited (${code})`)));
  });
  return {
    name: 'node',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export interface ProcStats {
  cpuMs: number;
  peakRssMb: number;
  rssMb: number;
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU time used so far (user + system) and the peak resident memory of one process. */
export function procStats(pid: number): ProcStats {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1] ?? 0);
  return { cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** Waits until a process has used less than 10 ms of CPU in 300 ms: its queued work is done. */
export async function untilIdle(pid: number, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  let last = procStats(pid).cpuMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = procStats(pid).cpuMs;
    if (now - last < 10 || performance.now() - t0 > timeoutMs) return performance.now() - t0;
    last = now;
  }
}
