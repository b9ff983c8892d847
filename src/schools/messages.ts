import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { StaffPrincipal } from '../admin/auth';
import { rulesLoader } from '../broadcasts/closures';
import { visibleTo } from '../broadcasts/senders';
import { summarize, type BroadcastSummary } from '../broadcasts/summary';
import type { Db } from '../db/client';
import { broadcasts } from '../db/schema';
import { ensureSchoolAccess } from './scope';

/**
 * A school's own messages to its guardians (broadcasts with a school audience), newest first,
 * a page at a time: what its staff sent, and which asked for 「確認しました」. Visibility is
 * the broadcast pipeline's own rule (`visibleTo`), on top of the school's scope.
 */

export interface MessagePage {
  items: BroadcastSummary[];
  /** `createdAt.id` of the last item when there may be more. */
  nextCursor: string | null;
}

/** Reads a `createdAt.id` cursor; undefined when it is not one. */
export function readCursor(s: string | undefined): { at: number; id: string } | undefined {
  const m = s ? /^(\d{1,15})\.([\w-]{1,100})$/.exec(s) : null;
  return m ? { at: Number(m[1]), id: m[2]! } : undefined;
}

/**
 * One page of the broadcasts addressed to one school or one association (its `audience`), among
 * those `by` may see. The caller checks the scope of the school or association first.
 */
export async function audiencePage(
  env: Env,
  d: Db,
  by: StaffPrincipal,
  audience: { type: 'school' | 'community'; field: 'schoolId' | 'communityId'; id: string },
  now: number,
  q: { limit: number; cursor?: string },
): Promise<MessagePage> {
  const after = readCursor(q.cursor);
  const rows = await d
    .select()
    .from(broadcasts)
    .where(
      and(
        sql`json_extract(${broadcasts.audience}, '$.type') = ${audience.type}`,
        sql`json_extract(${broadcasts.audience}, ${`$.${audience.field}`}) = ${audience.id}`,
        after
          ? or(lt(broadcasts.createdAt, after.at), and(eq(broadcasts.createdAt, after.at), lt(broadcasts.id, after.id)))
          : undefined,
        await visibleTo(d, by),
      ),
    )
    .orderBy(desc(broadcasts.createdAt), desc(broadcasts.id))
    .limit(q.limit + 1)
    .all();
  const page = rows.slice(0, q.limit);
  const rules = rulesLoader(env, d);
  const last = page.at(-1);
  return {
    items: await Promise.all(page.map((r) => summarize(d, r, now, rules))),
    nextCursor: rows.length > q.limit && last ? `${last.createdAt}.${last.id}` : null,
  };
}

/** The school's own messages to its guardians, newest first: 403 outside the staff member's schools. */
export async function listSchoolMessages(
  env: Env,
  d: Db,
  by: StaffPrincipal,
  schoolId: string,
  now: number,
  q: { limit: number; cursor?: string },
): Promise<MessagePage> {
  ensureSchoolAccess(by, schoolId);
  return audiencePage(env, d, by, { type: 'school', field: 'schoolId', id: schoolId }, now, q);
}
