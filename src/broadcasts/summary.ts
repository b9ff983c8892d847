import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { broadcastBatches, type broadcasts, type BroadcastStatus } from '../db/schema';
import type { ReleaseRules } from '../calendar/hours';
import type { Audience } from './audience';
import { batchOutcome, progress, type Progress } from './dispatcher';
import { releaseTime } from './rules';

/** What staff see of a broadcast: its record, when it will go out, and what its batches did. */

type Row = typeof broadcasts.$inferSelect;

export interface BroadcastSummary {
  id: string;
  title: string;
  status: BroadcastStatus;
  urgent: boolean;
  requestAck: boolean;
  audience: Audience;
  scheduledAt: number | null;
  /** When a scheduled broadcast will go out (within a minute of it): later than due when it waits for hours. */
  nextReleaseAt: number | null;
  waitingForHours: boolean;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
  approvedBy: string | null;
  approvedAt: number | null;
  releasedAt: number | null;
  finishedAt: number | null;
  cancelledBy: string | null;
  cancelledAt: number | null;
  failureReason: string | null;
  progress: Progress;
}

export interface BatchView {
  seq: number;
  kind: 'multicast' | 'broadcast';
  recipients: number;
  status: string;
  attempts: number;
  error: string | null;
}

export async function summarize(
  d: Db,
  row: Row,
  now: number,
  rules: (audience: Audience) => Promise<ReleaseRules>,
): Promise<BroadcastSummary> {
  let nextReleaseAt: number | null = null;
  let waitingForHours = false;
  if (row.status === 'scheduled') {
    const audience = row.audience as Audience;
    nextReleaseAt = releaseTime(row, now, await rules(audience));
    waitingForHours = nextReleaseAt !== null && nextReleaseAt > Math.max(now, row.scheduledAt ?? now);
  }
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    urgent: row.urgent,
    requestAck: row.requestAck,
    audience: row.audience as Audience,
    scheduledAt: row.scheduledAt,
    nextReleaseAt,
    waitingForHours,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt,
    releasedAt: row.releasedAt,
    finishedAt: row.finishedAt,
    cancelledBy: row.cancelledBy,
    cancelledAt: row.cancelledAt,
    failureReason: row.failureReason,
    progress: await progress(d, row.id),
  };
}

/** One row per batch, in order; the status as staff see it (`unknown` where LINE may have delivered). */
export async function batchViews(d: Db, broadcastId: string): Promise<BatchView[]> {
  const rows = await d
    .select({
      seq: broadcastBatches.seq,
      kind: broadcastBatches.kind,
      recipients: broadcastBatches.recipientCount,
      status: batchOutcome,
      attempts: broadcastBatches.attempts,
      error: broadcastBatches.lastError,
    })
    .from(broadcastBatches)
    .where(eq(broadcastBatches.broadcastId, broadcastId))
    .orderBy(asc(broadcastBatches.seq))
    .all();
  return rows as BatchView[];
}
