import type { StaffPrincipal } from '../admin/auth';
import type { Db } from '../db/client';
import { audiencePage, type MessagePage } from '../schools/messages';
import { ensureCommunityAccess } from './scope';

/**
 * An association's posts (broadcasts with its community audience), newest first, a page at a
 * time, for its leaders: the leader's scope first, then the pipeline's own visibility rule.
 */
export async function listCommunityPosts(
  env: Env,
  d: Db,
  by: StaffPrincipal,
  communityId: string,
  now: number,
  q: { limit: number; cursor?: string },
): Promise<MessagePage> {
  await ensureCommunityAccess(d, by, communityId);
  return audiencePage(env, d, by, { type: 'community', field: 'communityId', id: communityId }, now, q);
}
