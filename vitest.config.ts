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

export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations');
  return {
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
      setupFiles: ['./test/setup.ts'],
      include: ['test/**/*.test.ts'],
      // A chat test walks many webhook round trips; on a busy 2-core machine that can pass 5 s.
      // Tests assert outcomes, never durations (speed lives in `npm run bench`).
      testTimeout: 30_000,
    },
  };
});
