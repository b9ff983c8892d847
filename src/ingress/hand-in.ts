import type { InboxItem } from '../conversation/conversation-do';
import type { IngressBatch } from './ingress-do';
import { shardName, shardOf } from './shard';

/** The shard's object, for the webhook and the tests. */
export function ingressShard(env: Env, shard: number) {
  return env.INGRESS.get(env.INGRESS.idFromName(shardName(shard)));
}

/**
 * Hands each resident's events to their ingress shard and resolves once every shard has stored
 * its part: the webhook answers 200 after this. One call per shard touched, so a webhook with many
 * residents costs one commit per shard rather than one per resident.
 */
export async function handIn(env: Env, byUser: Map<string, InboxItem[]>, origin: string): Promise<void> {
  const byShard = new Map<number, IngressBatch[]>();
  for (const [userId, items] of byUser) {
    const shard = shardOf(userId);
    byShard.set(shard, [...(byShard.get(shard) ?? []), { userId, items }]);
  }
  await Promise.all([...byShard].map(([shard, batches]) => ingressShard(env, shard).accept(batches, origin)));
}
