import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { FakeLine } from './test/fake-line/fake-line.ts';

// One fake LINE platform for the whole run; it answers every outbound fetch the worker makes.
const fakeLine = new FakeLine();

/** Destinations the test mail binding accepts: the seeded departments and `*-ok@` test ones. */
const ALLOWED_TEST_MAIL = [
  'road-reports@example.jp',
  'park-reports@example.jp',
  'dx-reports@example.jp',
  ...Array.from({ length: 20 }, (_, i) => `dept${i}-ok@example.jp`),
];

/**
 * Wards the broadcast test files may segment on besides the city's own: a segment must name
 * configured wards, and each test needs a ward of its own (storage is shared within a file).
 * Only those files see them, so the residents' settings menu elsewhere shows the real four.
 */
export const TEST_WARDS = Array.from({ length: 100 }, (_, i) => `test-ward-${i + 1}`);
const DEFAULT_WARDS = '北区|Kita Ward,中区|Naka Ward,東区|Higashi Ward,南区|Minami Ward';
const BROADCAST_TESTS = ['test/broadcasts-*.test.ts'];
/**
 * Files that use what the one fake LINE holds for the whole channel rather than per user: the
 * rich menu calls (counted, and failures injected, by path alone). Two at once would count or
 * take each other's calls, so these run one at a time after the rest.
 */
const CHANNEL_WIDE_TESTS = ['test/richmenu.test.ts', 'test/console-admin.test.ts'];

/**
 * Every package the worker and the workerd tests import by name, for the optimizer to bundle.
 * Read from the sources rather than listed, so a new import cannot be left out: a package left
 * out would load unbundled beside its bundled copy (two `hono`s, and `instanceof` across them
 * fails). The browser suite (test/e2e) runs in Node and is not read.
 */
const PACKAGE_IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(@?[a-z0-9][\w.-]*(?:\/[\w.-]+)*)'/gm;
function packagesImported(dirs: string[]): string[] {
  const found = new Set<string>();
  const read = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join('test', 'e2e')) read(path);
      } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(PACKAGE_IMPORT)) found.add(m[1]!);
      }
    }
  };
  for (const dir of dirs) read(dir);
  // workerd and vitest provide these; the JSX runtime vitest never pre-bundles.
  return [...found].filter((id) => !/^(node|cloudflare|workerd):|^vitest\b|jsx(-dev)?-runtime$/.test(id)).sort();
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations');
  const project = (
    name: string,
    include: string[],
    exclude: string[],
    extra: Record<string, string>,
    own: { maxWorkers?: number } = {},
  ) => ({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Test-only values; real secrets are set with `wrangler secret put`.
            LINE_CHANNEL_SECRET: 'test_secret',
            LINE_CHANNEL_ACCESS_TOKEN: 'test-access-token',
            ADMIN_BOOTSTRAP_TOKEN: 'test-bootstrap-token',
            LINE_API_BASE_URL: 'https://api.line.me',
            LINE_DATA_API_BASE_URL: 'https://api-data.line.me',
            // Broadcast tests inject slow answers; a short timeout keeps them quick.
            BROADCAST_CALL_TIMEOUT_MS: '1000',
            // Conversation tests inject a reply that LINE accepts and never answers.
            LINE_CALL_TIMEOUT_MS: '2000',
            ...extra,
          },
          outboundService: (request: Request) => fakeLine.handle(request),
          // The department mail binding as in wrangler.toml, but refusing one address, so a
          // test can make Cloudflare's send_email fail the way an unverified destination does.
          email: {
            send_email: [{ name: 'REPORT_MAIL', allowed_destination_addresses: ALLOWED_TEST_MAIL }],
          },
        },
      }),
    ],
    test: {
      name,
      setupFiles: ['./test/setup.ts'],
      include,
      exclude,
      // A chat test walks many webhook round trips; on a busy 2-core machine that can pass 5 s.
      // Tests assert outcomes, never durations (speed lives in `npm run bench`).
      testTimeout: 30_000,
      ...own,
      // Every test file starts a fresh workerd and loads the whole worker through Vite's module
      // runner, one request per module; the packages alone are several hundred modules. Bundling
      // them once per run (node_modules/.vite) saves about a second per file.
      deps: {
        optimizer: {
          ssr: {
            enabled: true,
            // workerd provides these (nodejs_compat); the bundle only imports them.
            rolldownOptions: { external: [/^node:/] },
            include: packagesImported(['src', 'test']),
          },
        },
      },
    },
  });
  return {
    test: {
      // vitest's default on a 2-core machine is one file at a time (a core is kept for vitest
      // itself), which left a core idle: a file's time alternates between workerd running the
      // worker and Node serving it modules and the fake LINE. Two files at once overlap them
      // (14 files: 64 s -> 49 s). Files share only the fake LINE, which tests address by user ID
      // or by a marker of their own; CHANNEL_WIDE_TESTS cannot, so they get a worker to themselves.
      maxWorkers: Math.max(2, availableParallelism()),
      projects: [
        project('worker', ['test/**/*.test.ts'], [...BROADCAST_TESTS, ...CHANNEL_WIDE_TESTS], {}),
        project('broadcasts', BROADCAST_TESTS, [], { WARDS: [DEFAULT_WARDS, ...TEST_WARDS].join(',') }),
        // maxWorkers 1 puts a project's files in vitest's sequential group, run after the others.
        project('channel-wide', CHANNEL_WIDE_TESTS, [], {}, { maxWorkers: 1 }),
      ],
    },
  };
});
