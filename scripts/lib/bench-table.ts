/**
 * The one table `npm run bench` ends with: every bench adds its rows here as it goes, so the
 * webhook comparison, the report list and the broadcast fan-out are read side by side.
 */
import { cpus, loadavg } from 'node:os';

export interface BenchRow {
  bench: string;
  figure: string;
  target: string;
  /** null: a figure shown for comparison, held to no target. */
  ok: boolean | null;
}

export const rows: BenchRow[] = [];

export function addRow(bench: string, figure: string, target = '', ok: boolean | null = null): void {
  rows.push({ bench, figure, target, ok });
}

export function machine(): string {
  const l = loadavg();
  return `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), load average ${l.map((x) => x.toFixed(2)).join(' ')}`;
}

export function printTable(): void {
  const cells = rows.map((r) => [r.bench, r.figure, r.target, r.ok === null ? '' : r.ok ? 'PASS' : 'FAIL']);
  const head = ['bench', 'figure', 'target', ''];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(width[i]!)).join(' | ')} |`;
  console.log(`\n${machine()}`);
  console.log(line(head));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}

/** The p-th percentile of an ascending list (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
