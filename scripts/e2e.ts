/**
 * `npm run test:e2e [-- <name>…]`: the staff console in a real browser.
 *
 *   1. picks free ports (or WORKER_PORT, FAKE_LINE_PORT, INSPECTOR_PORT when set), so it never
 *      collides with a running `npm start`
 *   2. applies the D1 migrations to a fresh temporary state directory (wrangler's --persist-to):
 *      every run starts from an empty database, R2 bucket and Durable Objects
 *   3. starts the fake LINE platform in this process and `wrangler dev` in a process group of
 *      its own, as `npm start` does (scripts/start.ts's localConfig), and waits until it answers
 *   4. runs test/e2e/*.e2e.ts (or those whose name contains one of the arguments) with node's
 *      test runner, two files at a time (each makes data of its own, so they share the worker);
 *      each drives headless Chromium through playwright-core
 *   5. stops the worker and the test run by their process groups, even on failure or Ctrl-C,
 *      and deletes the state directory
 *
 * The worker's and the fake LINE's output goes to test-results/e2e-worker.log (its tail is
 * printed when a scenario fails); screenshots go to test-results/screenshots/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'test-results');
const LOG = join(RESULTS, 'e2e-worker.log');
const SUITE = join(ROOT, 'test', 'e2e');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const START_TIMEOUT_MS = 180_000;
/** A scenario that hangs fails with its name instead of holding the run forever. */
const TEST_TIMEOUT_MS = 300_000;

/** A port nobody listens on now (the kernel's choice). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, () => probe.close(() => done(true)));
  });
}

const log = (line: string) => appendFileSync(LOG, `${line}\n`);

/** Kills a process group we started, quietly if it is gone already. */
function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  killGroup(child, 'SIGTERM');
  const forced = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(forced);
}

async function waitForWorker(url: string, worker: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && worker.exitCode === null && worker.signalCode === null) {
    try {
      const res = await fetch(`${url}/admin/login`, { signal: AbortSignal.timeout(3_000) });
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function tail(path: string, lines = 60): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
}

/** The suite's files, or those whose name contains one of `filters`. */
function suiteFiles(filters: string[]): string[] {
  const all = readdirSync(SUITE)
    .filter((f) => f.endsWith('.e2e.ts'))
    .sort();
  const chosen = filters.length ? all.filter((f) => filters.some((x) => f.includes(x))) : all;
  return chosen.map((f) => join('test', 'e2e', f));
}

async function main(): Promise<number> {
  if (!existsSync(WRANGLER)) {
    console.error('wrangler is not installed: run `npm install` first.');
    return 1;
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk (or set CHROMIUM_PATH).`);
    return 1;
  }
  const files = suiteFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.error(`No test/e2e/*.e2e.ts matches ${process.argv.slice(2).join(' ')}.`);
    return 1;
  }
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(LOG, '');

  // start.ts reads the ports when it is loaded: set them first. A given port must be free, or
  // the suite would talk to whatever answers there (a running `npm start`, say).
  for (const name of ['WORKER_PORT', 'FAKE_LINE_PORT', 'INSPECTOR_PORT']) {
    const given = Number(process.env[name]);
    if (!given) process.env[name] = String(await freePort());
    else if (!(await portIsFree(given))) {
      console.error(`Port ${given} (${name}) is in use: stop what listens there, or unset ${name} to pick a free one.`);
      return 1;
    }
  }
  const { localConfig, WORKER_URL, FAKE_LINE_URL, FAKE_LINE_PORT, WORKER_PORT } = await import('./start.ts');
  const { startFakeLine } = await import('../test/fake-line/server.ts');
  const cfg = localConfig();
  // .dev.vars may name other secrets (they are used, as `npm start` would); the LINE calls go to
  // the fake whatever it says, since --var beats .dev.vars.
  const vars: Record<string, string> = {
    ...cfg.effective,
    LINE_API_BASE_URL: FAKE_LINE_URL,
    LINE_DATA_API_BASE_URL: FAKE_LINE_URL,
    PUBLIC_ORIGIN: WORKER_URL,
  };

  const state = mkdtempSync(join(tmpdir(), 'okc-e2e-'));
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
  let migrate: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let tests: ChildProcess | undefined;
  let fakeLine: Awaited<ReturnType<typeof startFakeLine>> | undefined;
  // Whatever happens, no worker or browser outlives this process.
  const hardStop = () => {
    killGroup(tests, 'SIGKILL');
    killGroup(worker, 'SIGKILL');
    killGroup(migrate, 'SIGKILL');
    rmSync(state, { recursive: true, force: true, maxRetries: 5 });
  };
  process.on('exit', hardStop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the browser suite.`);
      process.exit(130);
    });
  }

  try {
    const started = Date.now();
    console.log(`e2e: state in ${state}; worker ${WORKER_URL}, fake LINE ${FAKE_LINE_URL}`);
    // The migrations and the worker's start are the slow part, and wrangler dev opens the
    // database only at its first query: both go at once, and no test starts before both are done.
    migrate = spawn(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], {
      cwd: ROOT,
      env: { ...env, CI: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let migrateOutput = '';
    migrate.stdout?.on('data', (b: Buffer) => (migrateOutput += b.toString()));
    migrate.stderr?.on('data', (b: Buffer) => (migrateOutput += b.toString()));
    const migrated = new Promise<boolean>((r) =>
      migrate!.once('exit', (code) => {
        log(migrateOutput);
        console.log(
          `e2e: migrations ${code === 0 ? 'applied' : 'failed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        r(code === 0);
      }),
    );

    fakeLine = await startFakeLine(FAKE_LINE_PORT, { log: (line) => log(`[fake LINE] ${line}`) });
    const args = [
      WRANGLER,
      'dev',
      '--port',
      String(WORKER_PORT),
      '--inspector-port',
      String(process.env.INSPECTOR_PORT),
      '--persist-to',
      state,
      '--show-interactive-dev-session=false',
    ];
    for (const [key, value] of Object.entries(vars)) args.push('--var', `${key}:${value}`);
    worker = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout?.on('data', (b: Buffer) => log(b.toString().trimEnd()));
    worker.stderr?.on('data', (b: Buffer) => log(b.toString().trimEnd()));
    const [ready, up] = await Promise.all([migrated, waitForWorker(WORKER_URL, worker)]);
    if (!ready) {
      console.error(`Applying the D1 migrations failed:\n${migrateOutput}`);
      return 1;
    }
    if (!up) {
      console.error(`The worker did not answer on ${WORKER_URL} in time:\n${tail(LOG)}`);
      return 1;
    }
    console.log(`e2e: worker up in ${((Date.now() - started) / 1000).toFixed(1)} s; running ${files.length} files`);

    tests = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-concurrency=2',
        `--test-timeout=${TEST_TIMEOUT_MS}`,
        '--test-reporter=spec',
        ...files,
      ],
      {
        cwd: ROOT,
        detached: true,
        stdio: 'inherit',
        env: {
          ...env,
          E2E_WORKER_URL: WORKER_URL,
          E2E_FAKE_LINE_URL: FAKE_LINE_URL,
          E2E_ADMIN_TOKEN: vars.ADMIN_BOOTSTRAP_TOKEN,
          E2E_CHANNEL_SECRET: vars.LINE_CHANNEL_SECRET,
          E2E_TERMS_VERSION: cfg.termsVersion,
          E2E_RESULTS: RESULTS,
          CHROMIUM_PATH: CHROMIUM,
        },
      },
    );
    const code = await new Promise<number>((r) => tests!.once('exit', (c, s) => r(c ?? (s ? 1 : 0))));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (code !== 0) {
      console.error(`\ne2e: FAILED after ${seconds} s. The worker's last lines (all in ${LOG}):\n${tail(LOG, 40)}`);
    } else {
      console.log(`e2e: all scenarios passed in ${seconds} s; screenshots in ${join(RESULTS, 'screenshots')}`);
    }
    return code;
  } finally {
    await stopGroup(tests);
    await stopGroup(worker);
    await stopGroup(migrate);
    await fakeLine?.close();
    rmSync(state, { recursive: true, force: true, maxRetries: 5 });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
