/**
 * `npm run bench`: the speed targets, each printing its figures and PASS/FAIL.
 * Not part of `npm test`: tests do not time things.
 */
import { benchReports } from './bench-reports.ts';
import { benchBroadcasts } from './bench-broadcasts.ts';
import { benchWebhook } from './bench-webhook.ts';
import { benchSchools } from './bench-schools.ts';

const benches: [string, () => Promise<boolean>][] = [
  ['webhook', benchWebhook],
  ['reports list', benchReports],
  ['broadcasts', () => benchBroadcasts()],
  ["schools: the day's absence list", benchSchools],
];

let failed = 0;
for (const [name, run] of benches) {
  console.log(`\n▶ ${name}`);
  try {
    if (!(await run())) failed += 1;
  } catch (err) {
    failed += 1;
    console.error(`  ${name} bench failed to run:`, err);
  }
}
console.log(failed ? `\n${failed} bench target(s) missed` : '\nall bench targets met');
process.exit(failed ? 1 : 0);
