import type { InboxItem } from '../conversation/inbox';
import type { IngressBatch } from './ingress-do';
import { shardName, shardOf } from './shard';

/**
 * How the webhook hands events in: `direct` to each resident's ConversationDO (the default),
 * `shards` through the ingress shards. The shards take the resident's object off the ack path
 * but cost more fsyncs per event in all; on the bench machine they did not pay off (README, Speed),
 * so they are a setting to try where object starts and commits cost differently (Cloudflare).
 */
export type IngressMode = 'direct' | 'shards';

/** `WEBHOOK_INGRESS`: `shards` turns the shards on; anything else (or nothing) is `direct`. */
export function ingressMode(setting: string | undefined): IngressMode {
  return setting?.trim().toLowerCase() === 'shards' ? 'shards' : 'direct';
}

/** The shard's object, for the webhook and the tests. */
export function ingressShard(env: Env, shard: number) {
  return env.INGRESS.get(env.INGRESS.idFromName(shardName(shard)));
}

/**
 * Hands each resident's events in and resolves once they are durable: the webhook answers 200
 * after this. Through the shards, one call per shard touched, so a webhook with many residents
 * costs one commit per shard rather than one per resident.
 */
export async function handIn(env: Env, byUser: Map<string, InboxItem[]>, origin: string): Promise<void> {
  if (ingressMode(env.WEBHOOK_INGRESS) === 'direct') {
    await Promise.all(
      [...byUser].map(([userId, items]) =>
        env.CONVERSATION.get(env.CONVERSATION.idFromName(userId)).enqueue(items, origin),
      ),
    );
    return;
  }
  const byShard = new Map<number, IngressBatch[]>();
  for (const [userId, items] of byUser) {
    const shard = shardOf(userId);
    byShard.set(shard, [...(byShard.get(shard) ?? []), { userId, items }]);
  }
  await Promise.all([...byShard].map(([shard, batches]) => ingressShard(env, shard).accept(batches, origin)));
}
