import { z } from '@hono/zod-openapi';
import {
  badRequestResponse,
  conflictResponse,
  iso,
  isoTime,
  json,
  notFoundResponse,
  problemAnswer,
  unprocessableResponse,
} from '../admin/openapi';
import { createRouter, staffRoute } from '../admin/router';
import { BROADCAST_STATUSES } from '../db/schema';
import { problem } from '../admin/errors';
import { config } from '../config';
import { listAcks } from './acks';
import { Audience, unconfiguredChoice } from './audience';
import { BroadcastMessages } from './messages';
import {
  approveBroadcast,
  cancelBroadcast,
  createBroadcast,
  getBroadcast,
  listBroadcasts,
  submitBroadcast,
  updateBroadcast,
} from './service';
import type { BroadcastSummary } from './summary';
import { MAX_TEST_SENDS_PER_HOUR, testSend } from './test-send';

const conflict = conflictResponse('Not allowed in the broadcast’s current status');
/** Who acts on broadcasts: the city's staff, and schools' staff and associations' leaders for their own (senders.ts). */
const SENDERS = ['broadcaster', 'school_staff', 'community_leader'] as const;
const READERS = ['broadcaster', 'approver', 'school_staff', 'community_leader'] as const;

const Status = z.enum(BROADCAST_STATUSES).openapi('BroadcastStatus');
const Id = z.object({ id: z.uuid() });

const BroadcastFields = {
  title: z.string().trim().min(1).max(200).openapi({ example: '年末年始のごみ収集について' }),
  messages: BroadcastMessages,
  audience: Audience,
  scheduledAt: z.iso.datetime({ offset: true }).nullable().optional().openapi({
    description: 'Not before this moment; null or absent = as soon as approved and within operating hours',
    example: '2026-12-04T09:00:00+09:00',
  }),
  urgent: z
    .boolean()
    .optional()
    .openapi({ description: 'Admins only: send outside operating hours (policy §5 “状況により”)' }),
  requestAck: z.boolean().optional().openapi({
    description:
      'School messages and association posts: append a 「確認しました」 button (so at most 4 messages of its own); taps are listed at /broadcasts/{id}/acks',
  }),
};
/** The body of a new broadcast; the console's composer checks its form against the same schema. */
export const CreateBody = z
  .strictObject({
    ...BroadcastFields,
    draft: z.boolean().optional().openapi({ description: 'Keep as a draft instead of submitting for approval' }),
  })
  .openapi('CreateBroadcast');
const UpdateBody = z
  .strictObject({
    title: BroadcastFields.title.optional(),
    messages: BroadcastFields.messages.optional(),
    audience: BroadcastFields.audience.optional(),
    scheduledAt: BroadcastFields.scheduledAt,
    urgent: BroadcastFields.urgent,
    requestAck: BroadcastFields.requestAck,
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change')
  .openapi('UpdateBroadcast');

const SchoolAcks = z
  .object({
    acknowledged: z.number().int(),
    pending: z.number().int(),
    items: z.array(
      z.object({
        pupil: z.object({ grade: z.number().int(), class: z.string(), name: z.string() }),
        acknowledgedAt: isoTime().nullable(),
      }),
    ),
  })
  .openapi('SchoolAcks');
const CommunityAcks = z
  .object({
    acknowledged: z.number().int(),
    items: z.array(z.object({ displayName: z.string().nullable(), acknowledgedAt: isoTime() })),
  })
  .openapi('CommunityAcks');

const StatusAnswer = z.object({ id: z.string(), status: Status }).openapi('BroadcastStatusAnswer');
const ProgressSchema = z
  .object({
    batches: z.number().int(),
    recipients: z
      .number()
      .int()
      .openapi({ description: 'For “all friends”: the following residents we knew of at release' }),
    delivered: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
    unknown: z
      .number()
      .int()
      .openapi({ description: 'Cancelled after an attempt whose answer was lost: LINE may have delivered them' }),
    pending: z.number().int(),
  })
  .openapi('BroadcastProgress');
const Summary = z
  .object({
    id: z.string(),
    title: z.string(),
    status: Status,
    urgent: z.boolean(),
    requestAck: z.boolean(),
    audience: Audience,
    scheduledAt: isoTime().nullable(),
    nextReleaseAt: isoTime()
      .nullable()
      .openapi({ description: 'Scheduled broadcasts: when the cron releases it (within a minute)' }),
    waitingForHours: z.boolean().openapi({ description: 'Due, but waiting for the next opening of its window' }),
    createdBy: z.string(),
    createdAt: isoTime(),
    updatedBy: z.string(),
    updatedAt: isoTime(),
    approvedBy: z.string().nullable(),
    approvedAt: isoTime().nullable(),
    releasedAt: isoTime().nullable(),
    finishedAt: isoTime().nullable(),
    cancelledBy: z.string().nullable(),
    cancelledAt: isoTime().nullable(),
    failureReason: z.string().nullable(),
    progress: ProgressSchema,
  })
  .openapi('BroadcastSummary');
const Detail = Summary.extend({
  messages: BroadcastMessages,
  batches: z.array(
    z.object({
      seq: z.number().int(),
      kind: z.enum(['multicast', 'broadcast']),
      recipients: z.number().int(),
      status: z.string().openapi({
        description: 'unknown: cancelled after an attempt whose answer was lost (LINE may have delivered it)',
      }),
      attempts: z.number().int(),
      error: z
        .string()
        .nullable()
        .openapi({ description: 'LINE’s message for a failed batch, or the last retried error' }),
    }),
  ),
}).openapi('Broadcast');

function summaryJson(s: BroadcastSummary) {
  return {
    ...s,
    scheduledAt: iso(s.scheduledAt),
    nextReleaseAt: iso(s.nextReleaseAt),
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    approvedAt: iso(s.approvedAt),
    releasedAt: iso(s.releasedAt),
    finishedAt: iso(s.finishedAt),
    cancelledAt: iso(s.cancelledAt),
  };
}

/** A segment naming a ward or interest the city has not configured is a 400, not a broadcast to nobody. */
export function requireConfiguredSegment(env: Env, audience: Audience | undefined) {
  const bad = audience && unconfiguredChoice(audience, config(env));
  if (bad) throw problem(400, `${bad.field}: ${bad.value} is not configured (configured: ${bad.known.join(', ')}).`);
}

const scheduledAtMs = (s: string | null | undefined) =>
  s === undefined ? undefined : s === null ? null : Date.parse(s);

export const broadcastRoutes = createRouter()
  .openapi(
    staffRoute([...SENDERS], {
      method: 'post',
      path: '/broadcasts',
      tags: ['Broadcasts'],
      summary: 'Compose a broadcast / 配信の作成',
      description:
        'City audiences (all, segment) by broadcasters, pending approval; a school audience by that school’s staff, ' +
        'scheduled at once (pending approval by another of its staff when the school requires approval); an ' +
        'association audience by its leaders, scheduled at once, or by city staff, pending approval.',
      request: { body: { required: true, content: json(CreateBody) } },
      responses: {
        201: { description: 'Created', content: json(StatusAnswer) },
        ...badRequestResponse,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      requireConfiguredSegment(c.env, body.audience);
      const created = await createBroadcast(c.var.db, c.var.staff, {
        ...body,
        scheduledAt: scheduledAtMs(body.scheduledAt),
      });
      return c.json(created, 201);
    },
  )
  .openapi(
    staffRoute([...READERS], {
      method: 'get',
      path: '/broadcasts',
      tags: ['Broadcasts'],
      summary: 'List broadcasts, newest first / 配信一覧',
      request: {
        query: z.object({ status: Status.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      },
      responses: {
        200: { description: 'Broadcasts with progress', content: json(z.object({ items: z.array(Summary) })) },
        ...badRequestResponse,
      },
    }),
    async (c) => {
      const items = await listBroadcasts(c.env, c.var.db, c.var.staff, Date.now(), c.req.valid('query'));
      return c.json({ items: items.map(summaryJson) }, 200);
    },
  )
  .openapi(
    staffRoute([...READERS], {
      method: 'get',
      path: '/broadcasts/{id}',
      tags: ['Broadcasts'],
      summary: 'One broadcast with its batches / 配信の詳細',
      request: { params: Id },
      responses: {
        200: { description: 'The broadcast', content: json(Detail) },
        ...badRequestResponse,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const b = await getBroadcast(c.env, c.var.db, c.var.staff, c.req.valid('param').id, Date.now());
      return c.json({ ...summaryJson(b), messages: b.messages, batches: b.batches }, 200);
    },
  )
  .openapi(
    staffRoute([...SENDERS], {
      method: 'patch',
      path: '/broadcasts/{id}',
      tags: ['Broadcasts'],
      summary: 'Edit a broadcast; an approved one goes back to approval / 配信の編集',
      request: { params: Id, body: { required: true, content: json(UpdateBody) } },
      responses: {
        200: { description: 'Changed', content: json(StatusAnswer) },
        ...badRequestResponse,
        ...notFoundResponse,
        ...conflict,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      requireConfiguredSegment(c.env, body.audience);
      const patch = { ...body, scheduledAt: scheduledAtMs(body.scheduledAt) };
      if (patch.scheduledAt === undefined) delete patch.scheduledAt;
      return c.json(await updateBroadcast(c.var.db, c.var.staff, c.req.valid('param').id, patch), 200);
    },
  )
  .openapi(
    staffRoute([...SENDERS], {
      method: 'post',
      path: '/broadcasts/{id}/submit',
      tags: ['Broadcasts'],
      summary: 'Submit a draft for approval (a school’s or leader’s own: scheduled) / 承認依頼',
      request: { params: Id },
      responses: {
        200: { description: 'Pending approval, or scheduled', content: json(StatusAnswer) },
        ...notFoundResponse,
        ...conflict,
      },
    }),
    async (c) => c.json(await submitBroadcast(c.var.db, c.var.staff, c.req.valid('param').id), 200),
  )
  .openapi(
    staffRoute(['approver', 'school_staff'], {
      method: 'post',
      path: '/broadcasts/{id}/approve',
      tags: ['Broadcasts'],
      summary: 'Approve (someone other than the author; a school message: another of that school’s staff) / 承認',
      request: { params: Id },
      responses: { 200: { description: 'Scheduled', content: json(StatusAnswer) }, ...notFoundResponse, ...conflict },
    }),
    async (c) => c.json(await approveBroadcast(c.var.db, c.var.staff, c.req.valid('param').id), 200),
  )
  .openapi(
    staffRoute([...READERS], {
      method: 'post',
      path: '/broadcasts/{id}/cancel',
      tags: ['Broadcasts'],
      summary: 'Cancel, also while sending (no further batch goes out) / 配信の中止',
      request: { params: Id },
      responses: { 200: { description: 'Cancelled', content: json(StatusAnswer) }, ...notFoundResponse, ...conflict },
    }),
    async (c) => c.json(await cancelBroadcast(c.env, c.var.db, c.var.staff, c.req.valid('param').id), 200),
  )
  .openapi(
    staffRoute([...READERS], {
      method: 'post',
      path: '/broadcasts/{id}/test',
      tags: ['Broadcasts'],
      summary: 'Send it now to your own linked LINE accounts / テスト送信',
      description:
        'Goes only to the LINE accounts you linked with `POST /staff/me/link-code`, in any status, outside ' +
        `the hours rule; at most ${MAX_TEST_SENDS_PER_HOUR} an hour.`,
      request: { params: Id },
      responses: {
        200: { description: 'Sent', content: json(z.object({ sentTo: z.number().int() })) },
        ...notFoundResponse,
        ...conflictResponse('No LINE account linked to the caller'),
        ...unprocessableResponse('LINE refused the message'),
        429: problemAnswer(`More than ${MAX_TEST_SENDS_PER_HOUR} test sends within an hour; see Retry-After`),
        503: problemAnswer('LINE did not answer; try again'),
      },
    }),
    async (c) => {
      const result = await testSend(c.env, c.var.db, c.var.staff, c.req.valid('param').id);
      if ('retryAfterSeconds' in result) {
        const wait = result.retryAfterSeconds;
        throw problem(429, `At most ${MAX_TEST_SENDS_PER_HOUR} test sends an hour; try again in ${wait} s.`, {
          'retry-after': String(wait),
        });
      }
      return c.json(result, 200);
    },
  )
  .openapi(
    staffRoute([...SENDERS], {
      method: 'get',
      path: '/broadcasts/{id}/acks',
      tags: ['Broadcasts'],
      summary: 'Who confirmed 「確認しました」 / 確認状況',
      description:
        'A school message: per pupil in the audience, acknowledged when one of its guardians tapped (that school’s ' +
        'staff and admins). An association post: who tapped, by the display name they chose (its author, the ' +
        'association’s leaders and admins). 404 for a broadcast that did not ask for acknowledgement. Audited.',
      request: { params: Id },
      responses: {
        200: { description: 'Acknowledgements', content: json(z.union([SchoolAcks, CommunityAcks])) },
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const answer = await listAcks(c.var.db, c.var.staff, c.req.valid('param').id);
      if (answer.kind === 'school') {
        const { kind: _, ...acks } = answer;
        return c.json(
          { ...acks, items: acks.items.map((i) => ({ ...i, acknowledgedAt: iso(i.acknowledgedAt) })) },
          200,
        );
      }
      const { kind: _, ...acks } = answer;
      return c.json({ ...acks, items: acks.items.map((i) => ({ ...i, acknowledgedAt: iso(i.acknowledgedAt) })) }, 200);
    },
  );
