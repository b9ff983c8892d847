/**
 * `npm start`: the whole bot on this machine, with no LINE account and no .dev.vars.
 *
 *   1. applies the D1 migrations to the local database (.wrangler/state)
 *   2. starts the fake LINE platform on 127.0.0.1:8788 (test/fake-line/server.ts)
 *   3. runs `wrangler dev` on :8787 with the LINE base URLs pointed at the fake and
 *      development secrets, unless .dev.vars sets them (its values win)
 *   4. once the worker answers, runs its cron every minute, as Cloudflare does
 *      (scripts/lib/local-cron.ts), registers the demo associations through the staff API if
 *      they are not there yet and prints a fresh invite code (scripts/lib/demo-communities.ts)
 *
 * WORKER_PORT, FAKE_LINE_PORT and INSPECTOR_PORT choose other ports (a second checkout
 * running beside the first; `npm run simulate` reads the same two).
 *
 * Ctrl-C or SIGTERM stops all of it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { demoCommunities, demoInvite } from './lib/demo-communities.ts';
import { startLocalCron, type LocalCron } from './lib/local-cron.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORKER_PORT = Number(process.env.WORKER_PORT) || 8787;
export const WORKER_URL = `http://localhost:${WORKER_PORT}`;
export const FAKE_LINE_PORT = Number(process.env.FAKE_LINE_PORT) || 8788;
export const FAKE_LINE_URL = `http://127.0.0.1:${FAKE_LINE_PORT}`;
/** wrangler's own default; two `wrangler dev` at once collide on it. */
const INSPECTOR_PORT = Number(process.env.INSPECTOR_PORT) || 9229;

/** Secrets for local runs only. Never use them for a real channel. */
export const DEV_SECRETS = {
  LINE_CHANNEL_SECRET: 'dev-channel-secret',
  LINE_CHANNEL_ACCESS_TOKEN: 'dev-access-token',
  ADMIN_BOOTSTRAP_TOKEN: 'dev-admin-token',
} as const;

const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** KEY=VALUE lines as wrangler reads .dev.vars (dotenv: comments, optional quotes). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
    if (!m) continue;
    let value = m[2]!;
    const quoted = value.match(/^(['"`])([\s\S]*)\1$/);
    if (quoted) value = quoted[1] === '"' ? quoted[2]!.replace(/\\n/g, '\n') : quoted[2]!;
    else value = value.replace(/\s+#.*$/, '').trim();
    out[m[1]!] = value;
  }
  return out;
}

/** The values in .dev.vars, or null when there is no such file. */
export function readDevVars(root = ROOT): Record<string, string> | null {
  const path = join(root, '.dev.vars');
  return existsSync(path) ? parseDotenv(readFileSync(path, 'utf8')) : null;
}

/** A value from the `[vars]` table of wrangler.toml (flat string values only, which is all it holds). */
export function wranglerVar(name: string, root = ROOT): string | undefined {
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  const vars = toml.match(/^\[vars\][^\S\n]*\n([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m)?.[1] ?? '';
  return vars.match(new RegExp(`^\\s*${name}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
}

/**
 * What the local worker runs with: .dev.vars where it sets a value, else our dev
 * defaults (the fake LINE's URLs, the dev secrets). `cliVars` are the ones start passes
 * with --var; `--var` would beat .dev.vars, so a key set there is never passed.
 */
export function localConfig(root = ROOT) {
  const devVars = readDevVars(root);
  const defaults: Record<string, string> = {
    LINE_API_BASE_URL: FAKE_LINE_URL,
    LINE_DATA_API_BASE_URL: FAKE_LINE_URL,
    // The staff links of department mails the cron sends.
    PUBLIC_ORIGIN: WORKER_URL,
    ...DEV_SECRETS,
  };
  const cliVars: Record<string, string> = {};
  const effective: Record<string, string> = {};
  const fromDevVars: string[] = [];
  for (const [key, value] of Object.entries(defaults)) {
    const own = devVars?.[key];
    if (own) {
      effective[key] = own;
      fromDevVars.push(key);
    } else {
      effective[key] = value;
      cliVars[key] = value;
    }
  }
  const termsVersion = devVars?.TERMS_VERSION || wranglerVar('TERMS_VERSION', root) || '';
  return { hasDevVars: devVars !== null, cliVars, effective, fromDevVars, termsVersion };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, () => probe.close(() => done(true)));
  });
}

async function waitForWorker(child: ChildProcess, timeoutMs = 90_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(`${WORKER_URL}/`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return false;
}

function secretsLine(cfg: ReturnType<typeof localConfig>): string {
  const names = Object.keys(DEV_SECRETS);
  const own = names.filter((k) => cfg.fromDevVars.includes(k));
  const dev = names.filter((k) => !own.includes(k));
  return [own.length ? `from .dev.vars: ${own.join(', ')}` : '', dev.length ? `dev defaults: ${dev.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
}

/** What the banner says about the demo associations: their names and a fresh invite code, or why there are none. */
async function seedDemo(cfg: ReturnType<typeof localConfig>): Promise<string[]> {
  try {
    const token = cfg.effective.ADMIN_BOOTSTRAP_TOKEN!;
    const { federation, units } = await demoCommunities(WORKER_URL, token);
    const code = await demoInvite(WORKER_URL, token, units[0]!.id);
    return [
      ` Demo associations: ${federation.name} with ${units.map((u) => u.name).join(', ')}`,
      `   invite code for ${units[0]!.name}: ${code}   (send 町内会 in the chat, then the code)`,
      '   npm run simulate -- community-tour       joins with a code, then a leader’s post arrives',
      '',
    ];
  } catch (err) {
    return [` Demo associations not seeded: ${String(err)}`, ''];
  }
}

function banner(cfg: ReturnType<typeof localConfig>, demo: string[] = []): string {
  const admin = cfg.fromDevVars.includes('ADMIN_BOOTSTRAP_TOKEN')
    ? '(from .dev.vars)'
    : cfg.effective.ADMIN_BOOTSTRAP_TOKEN;
  const lineTarget = cfg.fromDevVars.includes('LINE_API_BASE_URL')
    ? `${cfg.effective.LINE_API_BASE_URL} (from .dev.vars)`
    : FAKE_LINE_URL;
  const lines = [
    '',
    '────────────────────────────────────────────────────────────────────────────',
    ' 岡山市役所公式LINE backend is running locally',
    '',
    `   worker          ${WORKER_URL}   (webhook: ${WORKER_URL}/webhook)`,
    `   pages           ${WORKER_URL}/terms   ${WORKER_URL}/policy`,
    `   fake LINE       ${FAKE_LINE_URL}   (the bot's LINE calls go to ${lineTarget})`,
    `   sent messages   ${FAKE_LINE_URL}/__fake/requests?to=<userId>`,
    `   staff API       ${WORKER_URL}/api/v1/docs   admin token: ${admin}`,
    `                   curl -H "Authorization: Bearer ${cfg.fromDevVars.includes('ADMIN_BOOTSTRAP_TOKEN') ? '<token>' : admin}" ${WORKER_URL}/api/v1/staff`,
    `   secrets         ${secretsLine(cfg)}`,
    '',
    ' Try it (in another terminal):',
    '   npm run simulate -- tour                    follow → consent → a free-text message',
    '   npm run simulate -- text --text "こんにちは"',
    '   npm run simulate -- report-tour             a whole damage report, up to its receipt',
    '',
    ...demo,
    ' The cron runs every minute, as on Cloudflare: approved broadcasts are released,',
    ' department mails and report pushes retried. To run it at a chosen moment (epoch ms):',
    `   curl "${WORKER_URL}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=$(date +%s000)"`,
    '',
    ' Ctrl-C stops the worker, its cron and the fake LINE.',
    '────────────────────────────────────────────────────────────────────────────',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
  if (!existsSync(WRANGLER)) {
    console.error('wrangler is not installed: run `npm install` first.');
    process.exit(1);
  }
  for (const [port, what, name] of [
    [WORKER_PORT, 'the worker', 'WORKER_PORT'],
    [FAKE_LINE_PORT, 'the fake LINE platform', 'FAKE_LINE_PORT'],
    [INSPECTOR_PORT, "wrangler's inspector", 'INSPECTOR_PORT'],
  ] as const) {
    if (!(await portIsFree(port))) {
      console.error(
        `Port ${port} (for ${what}) is already in use. Is \`npm start\` already running in another terminal? (${name}=… picks another port.)`,
      );
      process.exit(1);
    }
  }

  const cfg = localConfig();
  console.log(
    cfg.hasDevVars
      ? 'Using .dev.vars; dev defaults fill what it leaves empty.'
      : 'No .dev.vars: using development secrets.',
  );

  // 1. Local D1 migrations. No stdin and CI=1: wrangler then applies without asking.
  console.log('Applying D1 migrations to the local database…');
  const migrate = spawnSync(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local'], {
    cwd: ROOT,
    env: { ...env, CI: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (migrate.status !== 0) {
    console.error('Applying the local D1 migrations failed (see above).');
    process.exit(migrate.status ?? 1);
  }

  // 2. The fake LINE platform, in this process.
  const { startFakeLine } = await import('../test/fake-line/server.ts');
  const fakeLine = await startFakeLine(FAKE_LINE_PORT);
  console.log(`Fake LINE platform listening on ${fakeLine.url}`);

  // 3. The worker.
  const args = [
    WRANGLER,
    'dev',
    '--port',
    String(WORKER_PORT),
    '--inspector-port',
    String(INSPECTOR_PORT),
    '--test-scheduled',
    '--show-interactive-dev-session=false',
  ];
  for (const [key, value] of Object.entries(cfg.cliVars)) args.push('--var', `${key}:${value}`);
  const worker = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });

  let stopping = false;
  let cron: LocalCron | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    cron?.stop();
    console.log('\nStopping the worker and the fake LINE…');
    if (worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      const forced = setTimeout(() => worker.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
    }
    await fakeLine.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  worker.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`wrangler dev exited (${signal ?? `code ${code}`}).`);
    void stop(code ?? 1);
  });

  if (await waitForWorker(worker)) {
    if (stopping) return;
    cron = startLocalCron(WORKER_URL);
    console.log(banner(cfg, await seedDemo(cfg)));
  } else if (!stopping) {
    console.error(`The worker did not answer on ${WORKER_URL} in time.`);
    await stop(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
