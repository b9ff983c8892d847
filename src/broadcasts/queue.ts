import { and, count, desc, eq, gte } from 'drizzle-orm';
import type { StaffPrincipal } from '../admin/auth';
import type { Db } from '../db/client';
import { auditLog, broadcasts, type BroadcastStatus } from '../db/schema';
import { visibleTo } from './senders';

/**
 * What the staff console counts and reads beside the API's answers: how many broadcasts
 * wait (for the dashboard), and why one was sent back (差し戻し, kept in the audit log).
 */

/** How many broadcasts in `status` `by` may see, optionally only those `createdBy` wrote. */
export async function countBroadcasts(
  d: Db,
  by: StaffPrincipal,
  q: { status: BroadcastStatus; createdBy?: string },
): Promise<number> {
  const row = await d
    .select({ n: count() })
    .from(broadcasts)
    .where(
      and(
        eq(broadcasts.status, q.status),
        q.createdBy ? eq(broadcasts.createdBy, q.createdBy) : undefined,
        await visibleTo(d, by),
      ),
    )
    .get();
  return row?.n ?? 0;
}

/**
 * The last 差し戻し of a broadcast since `since` (its `updatedAt`: a return does not change the
 * content, an edit afterwards answers it): who, when and why; null when there is none. `since`
 * also keeps the read on the log's time index instead of the whole log.
 */
export async function lastReturn(
  d: Db,
  broadcastId: string,
  since: number,
): Promise<{ staffId: string; at: number; reason: string } | null> {
  const row = await d
    .select({ staffId: auditLog.staffId, at: auditLog.at, detail: auditLog.detail })
    .from(auditLog)
    .where(
      and(
        gte(auditLog.at, since),
        eq(auditLog.action, 'broadcast.return'),
        eq(auditLog.targetType, 'broadcast'),
        eq(auditLog.targetId, broadcastId),
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(1)
    .get();
  if (!row) return null;
  const reason = typeof row.detail?.reason === 'string' ? row.detail.reason : '';
  return { staffId: row.staffId, at: row.at, reason };
}
