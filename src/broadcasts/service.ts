import { and, asc, desc, eq, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import { auditRecord, audit } from '../admin/audit';
import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';
import { isOpen } from '../calendar/hours';
import { db as openDb, type Db } from '../db/client';
import { broadcasts, type BroadcastStatus } from '../db/schema';
import type { Audience } from './audience';
import { rulesLoader } from './closures';
import { ensureFramedFits, speakerOf } from './compose';
import { dispatcher } from './dispatcher-do';
import { SYSTEM } from './dispatcher';
import type { BroadcastMessageInput } from './messages';
import { checkAudience } from './recipients';
import { ensureMay, ensureMayWrite, statusAfterWrite, visibleTo } from './senders';
import { batchViews, summarize, type BroadcastSummary } from './summary';
import { log } from '../http/log';

type Row = typeof broadcasts.$inferSelect;

export interface BroadcastInput {
  title: string;
  messages: BroadcastMessageInput[];
  audience: Audience;
  scheduledAt?: number | null;
  urgent?: boolean;
  /** Appends a 「確認しました」 button; taps are recorded (acks.ts). */
  requestAck?: boolean;
}

/** Content can change only before sending starts; a change after approval needs a new approval. */
const EDITABLE: BroadcastStatus[] = ['draft', 'pending_approval', 'scheduled'];
const CANCELLABLE: BroadcastStatus[] = ['draft', 'pending_approval', 'scheduled', 'sending'];

/** Whether a broadcast in `status` can still be cancelled (the console shows its button only then). */
export const isCancellable = (status: BroadcastStatus) => CANCELLABLE.includes(status);

/** The two-person rule's question: did `by` write this content (create it or change it last)? */
export const wroteContent = (by: Pick<StaffPrincipal, 'id'>, row: Pick<Row, 'createdBy' | 'updatedBy'>) =>
  by.id === row.createdBy || by.id === row.updatedBy;

export async function loadBroadcast(d: Db, id: string): Promise<Row> {
  const row = await d.select().from(broadcasts).where(eq(broadcasts.id, id)).get();
  if (!row) throw problem(404, `No broadcast ${id}.`);
  return row;
}

/**
 * What a broadcast will be once saved must be sendable: its audience exists, only a school
 * or an association asks for acknowledgement, and the framed messages (sender line, button)
 * stay inside LINE's limits.
 */
async function ensureSendable(
  d: Db,
  b: { audience: Audience; messages: BroadcastMessageInput[]; requestAck: boolean },
): Promise<void> {
  await checkAudience(d, b.audience);
  if (b.requestAck && b.audience.type !== 'school' && b.audience.type !== 'community')
    throw problem(400, 'requestAck: only school messages and association posts ask for acknowledgement.');
  ensureFramedFits(b.messages, await speakerOf(d, b.audience), b.requestAck);
}

/** Urgent skips the operating-hours rule of policy §5, so only an admin may decide it. */
function ensureMayUseUrgent(by: StaffPrincipal, urgent: boolean | undefined): void {
  if (urgent && !by.roles.includes('admin'))
    throw problem(403, 'Only an admin may mark a broadcast urgent (it is sent outside operating hours).');
}

export async function createBroadcast(
  d: Db,
  by: StaffPrincipal,
  input: BroadcastInput & { draft?: boolean },
): Promise<{ id: string; status: BroadcastStatus }> {
  ensureMayUseUrgent(by, input.urgent);
  await ensureMayWrite(d, by, input.audience);
  const requestAck = input.requestAck ?? false;
  await ensureSendable(d, { audience: input.audience, messages: input.messages, requestAck });
  const id = crypto.randomUUID();
  const now = Date.now();
  const status: BroadcastStatus = input.draft ? 'draft' : await statusAfterWrite(d, by, input.audience);
  await d.batch([
    d.insert(broadcasts).values({
      id,
      title: input.title,
      messages: input.messages,
      audience: input.audience,
      status,
      urgent: input.urgent ?? false,
      requestAck,
      scheduledAt: input.scheduledAt ?? null,
      createdBy: by.id,
      createdAt: now,
      updatedBy: by.id,
      updatedAt: now,
    }),
    auditRecord(d, by, 'broadcast.create', 'broadcast', id, {
      status,
      audience: input.audience.type,
      urgent: input.urgent ?? false,
      requestAck,
    }),
  ]);
  return { id, status };
}

export async function updateBroadcast(
  d: Db,
  by: StaffPrincipal,
  id: string,
  patch: Partial<BroadcastInput>,
): Promise<{ id: string; status: BroadcastStatus }> {
  const row = await loadBroadcast(d, id);
  await ensureMay(d, by, row, 'write');
  if (!EDITABLE.includes(row.status)) throw problem(409, `A broadcast that is ${row.status} can no longer be edited.`);
  ensureMayUseUrgent(by, patch.urgent);
  // Otherwise a broadcaster could rewrite what an admin chose to send outside the hours.
  if (row.urgent && !by.roles.includes('admin'))
    throw problem(403, 'An urgent broadcast can only be changed by an admin.');
  const audience = patch.audience ?? (row.audience as Audience);
  if (patch.audience) await ensureMayWrite(d, by, patch.audience);
  await ensureSendable(d, {
    audience,
    messages: patch.messages ?? (row.messages as BroadcastMessageInput[]),
    requestAck: patch.requestAck ?? row.requestAck,
  });
  // An approval covers exactly what was approved: any change asks for a new one (where the sender needs one).
  const status: BroadcastStatus = row.status === 'draft' ? 'draft' : await statusAfterWrite(d, by, audience);
  const now = Date.now();
  const changed = await d
    .update(broadcasts)
    .set({
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.messages !== undefined && { messages: patch.messages }),
      ...(patch.audience !== undefined && { audience: patch.audience }),
      ...(patch.scheduledAt !== undefined && { scheduledAt: patch.scheduledAt }),
      ...(patch.urgent !== undefined && { urgent: patch.urgent }),
      ...(patch.requestAck !== undefined && { requestAck: patch.requestAck }),
      status,
      approvedBy: null,
      approvedAt: null,
      updatedBy: by.id,
      updatedAt: now,
    })
    // Unchanged since read: a concurrent approval, release or edit makes this a 409, not a silent overwrite.
    .where(and(eq(broadcasts.id, id), eq(broadcasts.updatedAt, row.updatedAt), eq(broadcasts.status, row.status)))
    .returning({ id: broadcasts.id });
  if (changed.length === 0) throw problem(409, 'The broadcast changed meanwhile; reload it and edit again.');
  await audit(d, by, 'broadcast.update', 'broadcast', id, { from: row.status, to: status, fields: Object.keys(patch) });
  return { id, status };
}

/** Runs a guarded status change; the audit row is written only when the change happened. */
async function transition(
  d: Db,
  by: Pick<StaffPrincipal, 'id'>,
  id: string,
  from: BroadcastStatus[],
  set: Partial<Row> & { status: BroadcastStatus },
  action: string,
  detail?: Record<string, unknown>,
  /** Only if the content is still the version that was read (no edit since). */
  version?: Pick<Row, 'updatedAt' | 'updatedBy'>,
): Promise<boolean> {
  const changed = await d
    .update(broadcasts)
    .set(set)
    .where(
      and(
        eq(broadcasts.id, id),
        inArray(broadcasts.status, from),
        version && eq(broadcasts.updatedAt, version.updatedAt),
        version && eq(broadcasts.updatedBy, version.updatedBy),
      ),
    )
    .returning({ id: broadcasts.id });
  if (changed.length === 0) return false;
  await audit(d, by, action, 'broadcast', id, detail);
  return true;
}

export async function submitBroadcast(
  d: Db,
  by: StaffPrincipal,
  id: string,
): Promise<{ id: string; status: BroadcastStatus }> {
  const row = await loadBroadcast(d, id);
  await ensureMay(d, by, row, 'write');
  // A school's or a leader's own message needs no approval: submitting schedules it.
  const status = row.status === 'draft' ? await statusAfterWrite(d, by, row.audience as Audience) : 'pending_approval';
  if (row.status !== 'draft' || !(await transition(d, by, id, ['draft'], { status }, 'broadcast.submit', { status }))) {
    throw problem(409, `Only a draft can be submitted for approval; this broadcast is ${row.status}.`);
  }
  return { id, status };
}

/**
 * Two-person rule: whoever wrote the content (created it or changed it last) cannot
 * approve it. The route lets only approvers and admins in.
 */
export async function approveBroadcast(
  d: Db,
  by: StaffPrincipal,
  id: string,
): Promise<{ id: string; status: BroadcastStatus }> {
  const row = await loadBroadcast(d, id);
  await ensureMay(d, by, row, 'approve');
  if (row.status !== 'pending_approval')
    throw problem(409, `Only a broadcast pending approval can be approved; this one is ${row.status}.`);
  if (wroteContent(by, row)) {
    throw problem(
      403,
      'Two-person rule: a broadcast must be approved by someone other than its author and its last editor.',
    );
  }
  const now = Date.now();
  const ok = await transition(
    d,
    by,
    id,
    ['pending_approval'],
    { status: 'scheduled', approvedBy: by.id, approvedAt: now },
    'broadcast.approve',
    undefined,
    // An edit after the read above is content this approver has not seen (and may be their own).
    row,
  );
  if (!ok) throw problem(409, 'The broadcast changed meanwhile; reload it and approve again.');
  return { id, status: 'scheduled' };
}

/**
 * 差し戻し: whoever may approve a broadcast pending approval may instead send it back to its
 * author as a draft, with a reason (kept in the audit log, where its page shows it). Not its
 * author: the two-person rule decides in both directions.
 */
export async function returnBroadcast(
  d: Db,
  by: StaffPrincipal,
  id: string,
  reason: string,
): Promise<{ id: string; status: BroadcastStatus }> {
  const text = reason.trim();
  if (text.length === 0 || text.length > 1000) throw problem(400, 'reason: must be 1–1000 characters.');
  const row = await loadBroadcast(d, id);
  await ensureMay(d, by, row, 'approve');
  if (row.status !== 'pending_approval')
    throw problem(409, `Only a broadcast pending approval can be returned; this one is ${row.status}.`);
  if (wroteContent(by, row))
    throw problem(403, 'Two-person rule: the author cannot return their own broadcast; edit or cancel it instead.');
  const ok = await transition(
    d,
    by,
    id,
    ['pending_approval'],
    { status: 'draft' },
    'broadcast.return',
    { reason: text },
    row,
  );
  if (!ok) throw problem(409, 'The broadcast changed meanwhile; reload it and try again.');
  return { id, status: 'draft' };
}

export async function cancelBroadcast(
  env: Env,
  d: Db,
  by: StaffPrincipal,
  id: string,
): Promise<{ id: string; status: BroadcastStatus }> {
  const row = await loadBroadcast(d, id);
  await ensureMay(d, by, row, 'cancel');
  const ok =
    CANCELLABLE.includes(row.status) &&
    (await transition(
      d,
      by,
      id,
      CANCELLABLE,
      { status: 'cancelled', cancelledBy: by.id, cancelledAt: Date.now() },
      'broadcast.cancel',
      { from: row.status },
    ));
  if (!ok) throw problem(409, `A broadcast that is ${row.status} cannot be cancelled.`);
  // A broadcast read as scheduled may have been released meanwhile, its first slice already sending.
  if (row.status === 'sending' || row.status === 'scheduled') {
    // D1 already says cancelled (the dispatcher re-reads it every 2 s); this makes it stop at once.
    try {
      await dispatcher(env).cancel(id);
    } catch (err) {
      log.warn('dispatcher cancel failed; it will see the status in D1', { id, error: String(err) });
    }
  }
  return { id, status: 'cancelled' };
}

export async function getBroadcast(env: Env, d: Db, by: StaffPrincipal, id: string, now: number) {
  const row = await loadBroadcast(d, id);
  await ensureMay(d, by, row, 'read');
  return {
    ...(await summarize(d, row, now, rulesLoader(env, d))),
    messages: row.messages as BroadcastMessageInput[],
    batches: await batchViews(d, id),
  };
}

/**
 * Newest first; school staff and leaders see only their own schools' and associations' broadcasts.
 * `before` pages on: only rows older than that one (the console's cursor; the API lists one page).
 */
export async function listBroadcasts(
  env: Env,
  d: Db,
  by: StaffPrincipal,
  now: number,
  q: { status?: BroadcastStatus; limit: number; before?: { createdAt: number; id: string } },
): Promise<BroadcastSummary[]> {
  const b = q.before;
  // A page after `before` (the last row of the previous page), in the same order.
  const after = b
    ? or(lt(broadcasts.createdAt, b.createdAt), and(eq(broadcasts.createdAt, b.createdAt), lt(broadcasts.id, b.id)))
    : undefined;
  const rows = await d
    .select()
    .from(broadcasts)
    .where(and(q.status ? eq(broadcasts.status, q.status) : undefined, after, await visibleTo(d, by)))
    .orderBy(desc(broadcasts.createdAt), desc(broadcasts.id))
    .limit(q.limit)
    .all();
  const rules = rulesLoader(env, d);
  return Promise.all(rows.map((r) => summarize(d, r, now, rules)));
}

/**
 * The cron task: releases every approved broadcast that is due and whose window is
 * open at `now` (urgent ones regardless), and nudges the channel's dispatcher while any
 * broadcast is sending, so a dispatcher whose start was lost is running again within a minute.
 */
export async function releaseDue(env: Env, now: number): Promise<{ released: string[] }> {
  const d = openDb(env.DB);
  const due = await d
    .select()
    .from(broadcasts)
    .where(
      and(eq(broadcasts.status, 'scheduled'), or(isNull(broadcasts.scheduledAt), lte(broadcasts.scheduledAt, now))),
    )
    .orderBy(asc(broadcasts.approvedAt))
    .all();
  const rules = rulesLoader(env, d);
  const released: string[] = [];
  for (const b of due) {
    if (!b.urgent && !isOpen(now, await rules(b.audience as Audience))) continue;
    if (
      await transition(d, SYSTEM, b.id, ['scheduled'], { status: 'sending', releasedAt: now }, 'broadcast.release', {
        urgent: b.urgent,
      })
    ) {
      released.push(b.id);
    }
  }
  const sending = await d
    .select({ id: broadcasts.id })
    .from(broadcasts)
    .where(eq(broadcasts.status, 'sending'))
    .limit(1)
    .get();
  if (sending) {
    try {
      await dispatcher(env).start();
    } catch (err) {
      log.error('dispatcher start failed; retried next minute', { error: String(err) });
    }
  }
  return { released };
}
