/**
 * `npm run bench`: the speed targets, each printing its figures and PASS/FAIL.
 * Not part of `npm test`: tests do not time things.
 */
import { benchReports } from './bench-reports.ts';
import { benchBroadcasts } from './bench-broadcasts.ts';
import { benchWebhook } from './bench-webhook.ts';
import { benchSchools } from './bench-schools.ts';
import { machine, printTable } from './lib/bench-table.ts';

const benches: [string, () => Promise<boolean>][] = [
  ['webhook', benchWebhook],
  ['reports list', benchReports],
  ['broadcasts', () => benchBroadcasts()],
  ["schools: the day's absence list", benchSchools],
];

const started = performance.now();
console.log(machine());
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
printTable();
console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(failed ? `${failed} bench(es) missed a target` : 'all bench targets met');
process.exit(failed ? 1 : 0);
