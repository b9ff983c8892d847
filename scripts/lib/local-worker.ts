/**
 * A throwaway local worker for benchmarks: its own persistence directory, migrations
 * applied, a fake LINE platform in this process, and `wrangler dev` on free ports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeLineOptions } from '../../test/fake-line/fake-line.ts';
import { startFakeLine, type RunningFakeLine } from '../../test/fake-line/server.ts';
import { DEV_SECRETS, ROOT } from '../start.ts';

const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

export interface LocalWorker {
  url: string;
  line: RunningFakeLine;
  secrets: typeof DEV_SECRETS;
  stop(): Promise<void>;
}

export async function startLocalWorker(opts: {
  port: number;
  inspectorPort: number;
  name: string;
  fake?: FakeLineOptions;
}): Promise<LocalWorker> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' };
  const persistTo = join(ROOT, '.wrangler', `bench-${opts.name}`);
  rmSync(persistTo, { recursive: true, force: true });
  const migrate = spawnSync(
    process.execPath,
    [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (migrate.status !== 0) throw new Error('applying migrations for the bench failed');

  const line = await startFakeLine(0, opts.fake ?? {});
  const args = [
    WRANGLER,
    'dev',
    '--port',
    String(opts.port),
    '--inspector-port',
    String(opts.inspectorPort),
    '--persist-to',
    persistTo,
    '--show-interactive-dev-session=false',
    '--log-level',
    'error',
    '--var',
    `LINE_API_BASE_URL:${line.url}`,
    '--var',
    `LINE_DATA_API_BASE_URL:${line.url}`,
  ];
  for (const [k, v] of Object.entries(DEV_SECRETS)) args.push('--var', `${k}:${v}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the local worker did not start');
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    url,
    line,
    secrets: DEV_SECRETS,
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await line.close();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
