/**
 * Whether the worker's memory grows with the number of residents it has seen, or only with the
 * number it is serving: waves of new residents, each wave followed by an idle pause in which the
 * runtime may evict their Durable Objects, with workerd's resident memory read after each.
 */
import { readdirSync } from 'node:fs';
import { procStats, untilIdle, type ProjectWorker } from './bench-runtime.ts';

export interface MemoryWave {
  residents: number;
  rssMb: number;
  rssAfterIdleMb: number;
  /** Files workerd holds open after the pause: each live Durable Object keeps its SQLite file open. */
  openFiles: number;
}

export async function memoryWaves(
  w: ProjectWorker,
  opts: {
    waves: number;
    perWave: number;
    idleMs: number;
    /** Residents the worker has seen before the first wave, for the log. */
    seenBefore?: number;
    /** Posts one text webhook from the n-th new resident. */
    post: (n: number) => Promise<void>;
    log?: (line: string) => void;
  },
): Promise<MemoryWave[]> {
  const waves: MemoryWave[] = [];
  let seen = 0;
  for (let k = 0; k < opts.waves; k++) {
    let next = 0;
    const base = seen;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < opts.perWave) await opts.post(base + next++);
      }),
    );
    seen += opts.perWave;
    await untilIdle(w.pid);
    const rssMb = procStats(w.pid).rssMb;
    await new Promise((r) => setTimeout(r, opts.idleMs));
    const wave = {
      residents: (opts.seenBefore ?? 0) + seen,
      rssMb,
      rssAfterIdleMb: procStats(w.pid).rssMb,
      openFiles: readdirSync(`/proc/${w.pid}/fd`).length,
    };
    opts.log?.(
      `  memory: ${wave.residents} residents seen, workerd RSS ${wave.rssMb.toFixed(0)} MB, ` +
        `${wave.rssAfterIdleMb.toFixed(0)} MB after ${(opts.idleMs / 1000).toFixed(0)} s idle, ` +
        `${wave.openFiles} open files`,
    );
    waves.push(wave);
  }
  return waves;
}
