import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
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

export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations');
  const project = (name: string, include: string[], exclude: string[], extra: Record<string, string>) => ({
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
    },
  });
  return {
    test: {
      projects: [
        project('worker', ['test/**/*.test.ts'], BROADCAST_TESTS, {}),
        project('broadcasts', BROADCAST_TESTS, [], { WARDS: [DEFAULT_WARDS, ...TEST_WARDS].join(',') }),
      ],
    },
  };
});
