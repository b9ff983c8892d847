import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { StaffPrincipal } from '../src/admin/auth';
import { retryBackoffMs } from '../src/broadcasts/send-loop';
import { approveBroadcast } from '../src/broadcasts/service';
import { db } from '../src/db/client';
import { fake, newUserId } from './helpers/line';
import { api, newStaff } from './helpers/api';
import { afterFirstRead, team, textMessage, uniqueWard } from './helpers/broadcasts';
import { linkLine } from './helpers/staff-link';

const segment = () => ({ type: 'segment', wards: [uniqueWard()] });
const body = (extra: Record<string, unknown> = {}) => ({
  title: '防災訓練のお知らせ',
  messages: [textMessage()],
  audience: segment(),
  ...extra,
});

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { detail: string; errors?: { field: string; message: string }[] };
}

async function create(token: string, extra: Record<string, unknown> = {}) {
  const res = await api('/broadcasts', { token, method: 'POST', body: body(extra) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; status: string };
}

async function auditActions(id: string): Promise<{ action: string; staff_id: string }[]> {
  const { results } = await env.DB.prepare(
    `SELECT action, staff_id FROM audit_log WHERE target_type = 'broadcast' AND target_id = ? ORDER BY id`,
  )
    .bind(id)
    .all<{ action: string; staff_id: string }>();
  return results;
}

describe('composing', () => {
  it('a broadcaster creates a broadcast: 201 {id, status: pending_approval}, audited', async () => {
    const { author } = await team();
    const created = await create(author.token);
    expect(created.status).toBe('pending_approval');
    expect(await auditActions(created.id)).toEqual([{ action: 'broadcast.create', staff_id: author.id }]);
  });

  it.each([
    ['text over 5,000 characters', [{ type: 'text', text: 'あ'.repeat(5001) }], 'messages.0.text'],
    [
      'an http image',
      [{ type: 'image', originalContentUrl: 'http://x.jp/a.jpg', previewImageUrl: 'https://x.jp/a.jpg' }],
      'messages.0.originalContentUrl',
    ],
    [
      '14 quick reply items',
      [
        {
          type: 'text',
          text: 'a',
          quickReply: { items: Array(14).fill({ type: 'action', action: { type: 'message', label: 'a', text: 'a' } }) },
        },
      ],
      'messages.0.quickReply.items',
    ],
    ['six messages', Array(6).fill({ type: 'text', text: 'a' }), 'messages'],
    ['no messages', [], 'messages'],
  ])('a bad message is a 400 that names the field: %s', async (_label, messages, field) => {
    const { author } = await team();
    const p = await problem(
      await api('/broadcasts', { token: author.token, method: 'POST', body: body({ messages }) }),
      400,
    );
    expect(p.errors?.map((e) => e.field)).toContain(field);
  });

  it.each([
    ['a school without schoolId', { type: 'school' }, 'audience.schoolId'],
    ['a segment without criteria', { type: 'segment' }, 'audience'],
    ['an unknown audience type', { type: 'everyone' }, 'audience.type'],
  ])('a bad audience is a 400: %s', async (_label, audience, field) => {
    const { author } = await team();
    const p = await problem(
      await api('/broadcasts', { token: author.token, method: 'POST', body: body({ audience }) }),
      400,
    );
    expect(p.errors?.map((e) => e.field)).toContain(field);
  });

  it.each([
    ['school', { type: 'school', schoolId: 'okayama-es-01', grades: [3], classes: ['3-2'] }, /audience\.schoolId/],
    ['community', { type: 'community', communityId: 'kita-01', includeChildren: true }, /audience\.communityId/],
  ])(
    'a %s audience naming nothing that exists is a 400 (they are resolved now, no 422)',
    async (_l, audience, message) => {
      const p = await problem(await api('/broadcasts', { method: 'POST', body: body({ audience }) }), 400);
      expect(p.detail).toMatch(message);
    },
  );

  it('creating needs the broadcaster role', async () => {
    const approver = await newStaff(['approver']);
    await problem(await api('/broadcasts', { token: approver.token, method: 'POST', body: body() }), 403);
  });

  it('only an admin may set urgent', async () => {
    const { author } = await team();
    await problem(await api('/broadcasts', { token: author.token, method: 'POST', body: body({ urgent: true }) }), 403);
    const admin = await newStaff(['admin']);
    const urgent = await create(admin.token, { urgent: true });
    const { id } = await create(author.token);
    await problem(
      await api(`/broadcasts/${id}`, { token: author.token, method: 'PATCH', body: { urgent: true } }),
      403,
    );
    // Nor may a broadcaster rewrite what an admin decided to send outside the hours.
    await problem(
      await api(`/broadcasts/${urgent.id}`, { token: author.token, method: 'PATCH', body: { title: '差し替え' } }),
      403,
    );
    expect(
      (await api(`/broadcasts/${urgent.id}`, { token: admin.token, method: 'PATCH', body: { title: '差し替え' } }))
        .status,
    ).toBe(200);
  });

  it('a draft is submitted for approval', async () => {
    const { author } = await team();
    const { id, status } = await create(author.token, { draft: true });
    expect(status).toBe('draft');
    const res = await api(`/broadcasts/${id}/submit`, { token: author.token, method: 'POST' });
    expect(await res.json()).toEqual({ id, status: 'pending_approval' });
    await problem(await api(`/broadcasts/${id}/submit`, { token: author.token, method: 'POST' }), 409);
  });
});

describe('approval: two people', () => {
  it('the author cannot approve their own broadcast, even holding the approver role', async () => {
    const both = await newStaff(['broadcaster', 'approver']);
    const { id } = await create(both.token);
    const p = await problem(await api(`/broadcasts/${id}/approve`, { token: both.token, method: 'POST' }), 403);
    expect(p.detail).toMatch(/Two-person rule/);
  });

  it('a broadcaster without the approver role cannot approve', async () => {
    const { author } = await team();
    const other = await newStaff(['broadcaster']);
    const { id } = await create(author.token);
    await problem(await api(`/broadcasts/${id}/approve`, { token: other.token, method: 'POST' }), 403);
  });

  it('another approver approves → scheduled; an edit sends it back to pending_approval; the editor cannot approve', async () => {
    const { author, approver } = await team();
    const editor = await newStaff(['broadcaster', 'approver']);
    const { id } = await create(author.token);
    const ok = await api(`/broadcasts/${id}/approve`, { token: approver.token, method: 'POST' });
    expect(await ok.json()).toEqual({ id, status: 'scheduled' });

    const edit = await api(`/broadcasts/${id}`, { token: editor.token, method: 'PATCH', body: { title: '訂正版' } });
    expect(await edit.json()).toEqual({ id, status: 'pending_approval' });
    const b = (await (await api(`/broadcasts/${id}`)).json()) as {
      status: string;
      approvedBy: string | null;
      title: string;
    };
    expect(b).toMatchObject({ status: 'pending_approval', approvedBy: null, title: '訂正版' });

    await problem(await api(`/broadcasts/${id}/approve`, { token: editor.token, method: 'POST' }), 403);
    expect((await api(`/broadcasts/${id}/approve`, { token: approver.token, method: 'POST' })).status).toBe(200);
    await problem(await api(`/broadcasts/${id}/approve`, { token: approver.token, method: 'POST' }), 409);

    expect((await auditActions(id)).map((a) => a.action)).toEqual([
      'broadcast.create',
      'broadcast.approve',
      'broadcast.update',
      'broadcast.approve',
    ]);
  });

  it('an edit that lands between an approval’s read and its write makes the approval a 409 (the approver did not see it)', async () => {
    const { author } = await team();
    const both = await newStaff(['broadcaster', 'approver']);
    const { id } = await create(author.token);
    // The approval reads the broadcast (last edited by the author); before it writes, the same person edits it.
    const d = db(
      afterFirstRead(env.DB, async () => {
        const edit = await api(`/broadcasts/${id}`, {
          token: both.token,
          method: 'PATCH',
          body: { title: '差し替え' },
        });
        expect(edit.status).toBe(200);
      }),
    );
    const principal = { id: both.id, name: 'both', roles: ['broadcaster', 'approver'], scopes: {} } as StaffPrincipal;
    await expect(approveBroadcast(d, principal, id)).rejects.toMatchObject({ status: 409 });
    const b = (await (await api(`/broadcasts/${id}`)).json()) as {
      status: string;
      approvedBy: string | null;
      updatedBy: string;
    };
    expect(b).toMatchObject({ status: 'pending_approval', approvedBy: null, updatedBy: both.id });
    expect((await auditActions(id)).map((a) => a.action)).toEqual(['broadcast.create', 'broadcast.update']);
  });

  it('cancel before sending; a cancelled broadcast can neither be approved, edited nor cancelled again', async () => {
    const { author, approver } = await team();
    const { id } = await create(author.token);
    expect(await (await api(`/broadcasts/${id}/cancel`, { token: approver.token, method: 'POST' })).json()).toEqual({
      id,
      status: 'cancelled',
    });
    await problem(await api(`/broadcasts/${id}/approve`, { token: approver.token, method: 'POST' }), 409);
    await problem(await api(`/broadcasts/${id}`, { token: author.token, method: 'PATCH', body: { title: 'x' } }), 409);
    await problem(await api(`/broadcasts/${id}/cancel`, { token: author.token, method: 'POST' }), 409);
    expect((await auditActions(id)).map((a) => a.action)).toEqual(['broadcast.create', 'broadcast.cancel']);
  });

  it('unknown ids are 404 problems', async () => {
    await problem(await api(`/broadcasts/${crypto.randomUUID()}/approve`, { method: 'POST' }), 404);
    await problem(await api(`/broadcasts/${crypto.randomUUID()}`), 404);
  });
});

describe('reading', () => {
  it('list and detail show status, progress and (for a scheduled one) when it will be released', async () => {
    const { author, approver } = await team();
    const { id } = await create(author.token);
    await api(`/broadcasts/${id}/approve`, { token: approver.token, method: 'POST' });
    const list = (await (await api('/broadcasts?status=scheduled', { token: approver.token })).json()) as {
      items: { id: string; status: string }[];
    };
    expect(list.items.every((i) => i.status === 'scheduled')).toBe(true);
    expect(list.items.map((i) => i.id)).toContain(id);
    const b = (await (await api(`/broadcasts/${id}`, { token: author.token })).json()) as Record<string, any>;
    expect(b.status).toBe('scheduled');
    expect(Date.parse(b.nextReleaseAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(b.progress).toEqual({
      batches: 0,
      recipients: 0,
      delivered: 0,
      failed: 0,
      cancelled: 0,
      unknown: 0,
      pending: 0,
    });
    expect(b.messages).toHaveLength(1);
  });

  it('staff without a broadcasting role cannot read broadcasts', async () => {
    const reports = await newStaff(['report_manager']);
    await problem(await api('/broadcasts', { token: reports.token }), 403);
  });
});

describe('test send to the staff member’s own linked LINE accounts', () => {
  it('needs a linked account, then multicasts to exactly those at once; the audit row names staff and handles', async () => {
    const { author } = await team();
    const text = `テスト ${crypto.randomUUID()}`;
    const { id } = await create(author.token, { messages: [textMessage(text)] });
    const none = await problem(await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' }), 409);
    expect(none.detail).toContain('/staff/me/link-code');

    const mine = [await linkLine(author.token), await linkLine(author.token)];
    const res = await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' });
    expect(await res.json()).toEqual({ sentTo: 2 });
    const sent = await fake.requests({ to: mine[0]!.userId, path: '/v2/bot/message/multicast' });
    expect(sent).toHaveLength(1);
    expect([...sent[0]!.to].sort()).toEqual(mine.map((m) => m.userId).sort());
    expect(sent[0]!.retryKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((sent[0]!.body as { messages: { text: string }[] }).messages[0]!.text).toBe(text);
    // A test send is not a release: the broadcast still waits for approval.
    expect(((await (await api(`/broadcasts/${id}`)).json()) as { status: string }).status).toBe('pending_approval');
    const row = await env.DB.prepare(
      `SELECT detail FROM audit_log WHERE action = 'broadcast.test_send' AND target_id = ? AND staff_id = ?`,
    )
      .bind(id, author.id)
      .first<{ detail: string }>();
    expect(JSON.parse(row!.detail)).toEqual({
      recipients: 2,
      staff: [author.id],
      handles: mine.map((m) => m.handle).sort(),
    });
    for (const m of mine) expect(row!.detail).not.toContain(m.userId);
  });

  it('a resident’s LINE user ID cannot be registered without proof, so a test send cannot reach them', async () => {
    const { author } = await team();
    const resident = newUserId();
    const put = await api('/staff/me/line-users', {
      token: author.token,
      method: 'PUT',
      body: { lineUserIds: [resident] },
    });
    expect([404, 405]).toContain(put.status);
    const { id } = await create(author.token);
    await problem(await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' }), 409);
    expect(await fake.requests({ to: resident })).toHaveLength(0);
  });

  it('goes only to the caller’s own linked accounts, not to another staff member’s', async () => {
    const { author } = await team();
    const colleague = await newStaff(['broadcaster']);
    const theirs = await linkLine(colleague.token);
    const mine = await linkLine(author.token);
    const { id } = await create(colleague.token);
    expect(await (await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' })).json()).toEqual({
      sentTo: 1,
    });
    expect(await fake.requests({ to: mine.userId, path: '/v2/bot/message/multicast' })).toHaveLength(1);
    expect(await fake.requests({ to: theirs.userId, path: '/v2/bot/message/multicast' })).toHaveLength(0);
  });

  it('at most 10 an hour per staff member: the 11th is 429 with Retry-After and sends nothing', async () => {
    const { author } = await team();
    const me = await linkLine(author.token);
    const { id } = await create(author.token);
    for (let i = 0; i < 10; i++) {
      expect((await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' })).status).toBe(200);
    }
    const res = await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' });
    await problem(res, 429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await fake.requests({ to: me.userId, path: '/v2/bot/message/multicast' })).toHaveLength(10);
    // The limit is the caller's: a colleague can still test.
    const colleague = await newStaff(['broadcaster']);
    await linkLine(colleague.token);
    expect((await api(`/broadcasts/${id}/test`, { token: colleague.token, method: 'POST' })).status).toBe(200);
  });

  it('parallel requests cannot together get past the hourly limit', async () => {
    const { author } = await team();
    const me = await linkLine(author.token);
    const { id } = await create(author.token);
    const all = await Promise.all(
      Array.from({ length: 12 }, () => api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' })),
    );
    expect(all.map((r) => r.status).sort()).toEqual([...Array(10).fill(200), 429, 429]);
    expect(await fake.requests({ to: me.userId, path: '/v2/bot/message/multicast' })).toHaveLength(10);
  });

  it('a 5xx from LINE is retried with the same key', async () => {
    const { author } = await team();
    const { userId: me } = await linkLine(author.token);
    const { id } = await create(author.token);
    await fake.inject({ path: '/v2/bot/message/multicast', to: me, status: 500, times: 1, acceptFirst: true });
    expect((await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' })).status).toBe(200);
    const attempts = await fake.attempts({ to: me, path: '/v2/bot/message/multicast' });
    expect(attempts.map((a) => a.status)).toEqual([500, 409]);
    expect(new Set(attempts.map((a) => a.retryKey)).size).toBe(1);
    expect(await fake.requests({ to: me, path: '/v2/bot/message/multicast' })).toHaveLength(1);
  });

  it('a 5xx is retried after the send loop’s backoff, as a broadcast’s batch is: same key, one multicast accepted', async () => {
    const { author } = await team();
    const { userId: me } = await linkLine(author.token);
    const { id } = await create(author.token);
    await fake.inject({ path: '/v2/bot/message/multicast', to: me, status: 500, times: 1 });
    const res = await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' });
    expect(await res.json()).toEqual({ sentTo: 1 });
    const attempts = await fake.attempts({ to: me, path: '/v2/bot/message/multicast' });
    expect(attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(new Set(attempts.map((a) => a.retryKey)).size).toBe(1);
    // Retrying at once would meet LINE while it is still failing.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(retryBackoffMs(1));
    expect(await fake.requests({ to: me, path: '/v2/bot/message/multicast' })).toHaveLength(1);
  });

  it('a monthly-limit 429 is not retried: 422 with LINE’s message, one attempt', async () => {
    const { author } = await team();
    const { userId: me } = await linkLine(author.token);
    const { id } = await create(author.token);
    const message = 'You have reached your monthly limit.';
    await fake.inject({ path: '/v2/bot/message/multicast', to: me, status: 429, times: 3, body: { message } });
    const p = await problem(await api(`/broadcasts/${id}/test`, { token: author.token, method: 'POST' }), 422);
    expect(p.detail).toContain(message);
    expect(await fake.attempts({ to: me, path: '/v2/bot/message/multicast' })).toHaveLength(1);
    expect((await auditActions(id)).map((a) => a.action)).not.toContain('broadcast.test_send');
  });
});

describe('closure days (admin)', () => {
  it('add, list, refuse a duplicate, delete; audited', async () => {
    const date = '2027-02-15';
    const add = await api('/closure-days', { method: 'POST', body: { date, reason: '臨時閉庁' } });
    expect(add.status).toBe(201);
    await problem(await api('/closure-days', { method: 'POST', body: { date, reason: 'again' } }), 409);
    const list = (await (await api('/closure-days')).json()) as { items: { date: string }[] };
    expect(list.items.map((i) => i.date)).toContain(date);
    expect((await api(`/closure-days/${date}`, { method: 'DELETE' })).status).toBe(204);
    await problem(await api(`/closure-days/${date}`, { method: 'DELETE' }), 404);
    const { results } = await env.DB.prepare(
      `SELECT action FROM audit_log WHERE target_type = 'closure_day' AND target_id = ? ORDER BY id`,
    )
      .bind(date)
      .all();
    expect(results.map((r) => r.action)).toEqual(['closure_day.create', 'closure_day.delete']);
  });

  it.each(['2027-02-30', '2027/02/15', 'tomorrow'])('refuses %s as a date', async (date) => {
    await problem(await api('/closure-days', { method: 'POST', body: { date, reason: 'x' } }), 400);
  });

  it('is admin only', async () => {
    const { author, approver } = await team();
    await problem(await api('/closure-days', { token: author.token }), 403);
    await problem(
      await api('/closure-days', { token: approver.token, method: 'POST', body: { date: '2027-02-16', reason: 'x' } }),
      403,
    );
  });
});
