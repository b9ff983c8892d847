/**
 * How many ingress shards there are. Every event of one resident goes to the same shard, which is
 * what keeps their order; changing this number moves residents between shards, so it may only be
 * changed once every shard has handed on all it holds.
 */
export const INGRESS_SHARDS = 16;

/**
 * The shard of a conversation (LINE user) ID: FNV-1a over its UTF-16 code units, modulo the
 * shard count. Stable across deploys and runtimes, cheap, and spread evenly enough for IDs that
 * are themselves random hex.
 */
export function shardOf(userId: string, shards = INGRESS_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The name a shard's Durable Object is found by (`idFromName`). */
export function shardName(shard: number): string {
  return `ingress-${shard}`;
}
