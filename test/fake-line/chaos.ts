/**
 * The fake LINE platform's chaos mode: a seeded share of the calls that concern one test
 * (its scope string occurs in the request's path or body: a user-ID prefix, a content-ID
 * prefix, a marker in a broadcast's text) answers like a misbehaving LINE.
 *
 * Each decision is a hash of the seed, the call (method, path, recipients, messages) and how
 * many times that same call was seen before, not of arrival order, so replaying a seed makes
 * the same calls fail even when residents run concurrently. Off unless a test turns it on.
 */

export type ChaosKind = '500' | '429' | 'timeout' | 'slow' | 'lost';
export const CHAOS_KINDS: readonly ChaosKind[] = ['500', '429', 'timeout', 'slow', 'lost'];

export interface ChaosConfig {
  seed: number;
  /** Share of matching calls that misbehave, 0–1 (the range: 0.05–0.2). */
  rate: number;
  /** Only calls whose path or JSON body contains this string; other tests never see chaos. */
  scope: string;
  /** Which misbehaviours to draw from; all five by default. */
  kinds?: ChaosKind[];
  /** How long a `timeout` hangs before its 500 (longer than the worker's call timeout). Default 2,500 ms. */
  timeoutMs?: number;
  /** How long a `slow` answer waits before answering normally. Default 300 ms. */
  slowMs?: number;
}

/** What the chaos did, for the test's report (and the seed, so a failure can be replayed). */
export interface ChaosStats {
  seed: number;
  rate: number;
  calls: number;
  injected: Record<ChaosKind, number>;
}

/** The misbehaviour of one call, or null when it is answered normally. */
export interface ChaosAction {
  kind: ChaosKind;
  status: number;
  delayMs: number;
  /** The request is accepted (a reply token or retry key spent) before the failure answers. */
  acceptFirst: boolean;
}

export class Chaos {
  private seen = new Map<string, number>();
  readonly stats: ChaosStats;

  constructor(readonly config: ChaosConfig) {
    this.stats = {
      seed: config.seed,
      rate: config.rate,
      calls: 0,
      injected: { '500': 0, '429': 0, timeout: 0, slow: 0, lost: 0 },
    };
  }

  matches(path: string, rawBody: string): boolean {
    return path.includes(this.config.scope) || rawBody.includes(this.config.scope);
  }

  /** Decides one matching call. `identity` names the call apart from volatile details (tokens, keys). */
  decide(identity: string): ChaosAction | null {
    const n = this.seen.get(identity) ?? 0;
    this.seen.set(identity, n + 1);
    this.stats.calls += 1;
    const h = hash32(`${this.config.seed}|${identity}|${n}`);
    if (h / 2 ** 32 >= this.config.rate) return null;
    const kinds = this.config.kinds?.length ? this.config.kinds : CHAOS_KINDS;
    const kind = kinds[hash32(`${h}|kind`) % kinds.length]!;
    this.stats.injected[kind] += 1;
    const timeoutMs = this.config.timeoutMs ?? 2_500;
    switch (kind) {
      case '500':
        return { kind, status: 500, delayMs: 0, acceptFirst: false };
      case '429':
        return { kind, status: 429, delayMs: 0, acceptFirst: false };
      case 'timeout':
        return { kind, status: 500, delayMs: timeoutMs, acceptFirst: false };
      case 'slow':
        return { kind, status: 200, delayMs: this.config.slowMs ?? 300, acceptFirst: false };
      case 'lost':
        return { kind, status: 500, delayMs: 0, acceptFirst: true };
    }
  }
}

/** FNV-1a, then a murmur finaliser: cheap, stable across runs and platforms. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The part of a request that says which call it is: the same answer retried is the same call. */
export function callIdentity(method: string, path: string, to: string[], body: unknown): string {
  const messages = (body as { messages?: unknown } | undefined)?.messages ?? null;
  return `${method} ${path} ${JSON.stringify(to)} ${JSON.stringify(messages)}`;
}
