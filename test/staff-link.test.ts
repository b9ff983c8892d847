import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { LINK_CODE_ALPHABET, newLinkCode, readLinkCommand } from '../src/staff-link/codes';
import { windowLimit } from '../src/calendar/window-limit';
import { DEV_USER_ID } from '../scripts/lib/dev-user';
import { api, newStaff } from './helpers/api';
import { conversation, events, fake, newUserId, say, texts } from './helpers/line';
import { linkCode, linkedAccounts, linkLine } from './helpers/staff-link';

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { detail: string };
}

async function staffAudit(staffId: string): Promise<{ action: string; detail: string | null }[]> {
  const { results } = await env.DB.prepare(`SELECT action, detail FROM audit_log WHERE staff_id = ? ORDER BY id`)
    .bind(staffId)
    .all<{ action: string; detail: string | null }>();
  return results;
}

async function staffName(id: string): Promise<string> {
  const row = await env.DB.prepare(`SELECT name FROM staff WHERE id = ?`).bind(id).first<{ name: string }>();
  return row!.name;
}

/** What the bot answered to the user's last message. */
async function lastAnswer(userId: string): Promise<string> {
  return texts(await fake.messagesTo(userId)).at(-1) ?? '';
}

const broadcaster = () => newStaff(['broadcaster']);

describe('link codes (rules)', () => {
  it('are 8 characters of an unambiguous alphabet, different every time', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newLinkCode()));
    expect(codes.size).toBe(200);
    for (const c of codes) {
      expect(c).toHaveLength(8);
      for (const ch of c) expect(LINK_CODE_ALPHABET).toContain(ch);
    }
    for (const ambiguous of ['I', 'L', 'O', 'U']) expect(LINK_CODE_ALPHABET).not.toContain(ambiguous);
  });

  it.each([
    ['職員 ABCD2345', 'ABCD2345'],
    ['職員　ABCD2345', 'ABCD2345'],
    ['職員ABCD2345', 'ABCD2345'],
    ['  職員   abcd2345  ', 'ABCD2345'],
    ['職員　ＡＢＣＤ２３４５', 'ABCD2345'],
    ['職員 abcd-2345', 'ABCD2345'],
    ['職員 ABCD 2345', 'ABCD2345'],
    // Read as the digits they look like, as a code copied by eye from a screen.
    ['職員 oBCD2345', '0BCD2345'],
    ['職員 ABCDi2l5', 'ABCD1215'],
  ])('reads %j as the code %j', (text, code) => {
    expect(readLinkCommand(text)).toEqual({ code });
  });

  it.each([
    ['職員 ABC', 'too short'],
    ['職員 ABCD23456', 'too long'],
    ['職員 ABCDU234', 'U is not in the alphabet'],
  ])('reads %j as an attempt with no valid code (%s)', (text) => {
    expect(readLinkCommand(text)).toEqual({ code: null });
  });

  it.each([['職員'], ['職員さんへ質問です'], ['こんにちは'], ['通報'], ['ABCD2345'], ['職員 の方、ありがとう']])(
    '%j is not a link command',
    (text) => {
      expect(readLinkCommand(text)).toBeNull();
    },
  );

  const HOUR = 60 * 60 * 1000;
  it.each([
    { times: [], now: HOUR, allowed: true, retryAfterMs: 0 },
    { times: [1, 2, 3, 4], now: HOUR, allowed: true, retryAfterMs: 0 },
    { times: [0, 10, 20, 30, 40], now: 100, allowed: false, retryAfterMs: HOUR - 100 },
    { times: [50, 10, 20, 30, 40], now: 100, allowed: false, retryAfterMs: HOUR - 90 },
    // Times older than the window no longer count.
    { times: [0, 10, 20, 30, 40], now: HOUR + 5, allowed: true, retryAfterMs: 0 },
  ])('5 an hour: $times at $now → allowed $allowed', ({ times, now, allowed, retryAfterMs }) => {
    expect(windowLimit(times, now, 5, HOUR)).toEqual({ allowed, retryAfterMs });
  });
});

describe('POST /api/v1/staff/me/link-code', () => {
  it('answers 201 {code, expiresAt} in 10 minutes, uncached; the audit row holds no code', async () => {
    const s = await broadcaster();
    const before = Date.now();
    const res = await api('/staff/me/link-code', { token: s.token, method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { code: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(['code', 'expiresAt']);
    expect(body.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    const expires = Date.parse(body.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 10 * 60 * 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 10 * 60 * 1000);
    const rows = await staffAudit(s.id);
    expect(rows.map((r) => r.action)).toEqual(['staff.link_code.issue']);
    expect(rows[0]!.detail ?? '').not.toContain(body.code);
    // Only a hash is stored.
    const stored = await env.DB.prepare(`SELECT * FROM staff_link_codes WHERE staff_id = ?`).bind(s.id).all();
    expect(JSON.stringify(stored.results)).not.toContain(body.code);
  });

  it('is for staff who can send test sends; the bootstrap token is no person', async () => {
    const reports = await newStaff(['report_manager']);
    await problem(await api('/staff/me/link-code', { token: reports.token, method: 'POST' }), 403);
    await problem(await api('/staff/me/link-code', { method: 'POST' }), 400);
  });
});

describe('「職員 <code>」 in the chat links the LINE account', () => {
  it('links the sender, confirms with the staff name, lists it by handle (never the LINE user ID); audited', async () => {
    const s = await broadcaster();
    const me = newUserId();
    const { code } = await linkCode(s.token);
    await say(me, events.text(me, `職員 ${code}`));
    const answer = await lastAnswer(me);
    expect(answer).toContain(await staffName(s.id));
    expect(answer).toContain('連携しました');

    const res = await api('/staff/me/line-users', { token: s.token });
    const raw = await res.text();
    expect(raw).not.toContain(me);
    const { items } = JSON.parse(raw) as { items: { handle: string; linkedAt: string }[] };
    expect(items).toHaveLength(1);
    expect(Object.keys(items[0]!).sort()).toEqual(['handle', 'linkedAt']);
    expect(items[0]!.handle).toMatch(/^[0-9a-z]{6,16}$/);
    expect(Date.parse(items[0]!.linkedAt)).toBeGreaterThan(Date.now() - 60_000);

    const audit = await staffAudit(s.id);
    expect(audit.map((r) => r.action)).toEqual(['staff.link_code.issue', 'staff.line_account.link']);
    expect(JSON.stringify(audit)).not.toContain(me);
    expect(audit[1]!.detail).toContain(items[0]!.handle);
  });

  it('works without accepting the residents’ terms, in a flow or not, and reads the code forgivingly', async () => {
    const s = await broadcaster();
    const me = newUserId();
    await say(me, events.follow(me), events.text(me, '設定'));
    const { code } = await linkCode(s.token);
    const typed = `職員　${[...code.toLowerCase()].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')}`;
    await say(me, events.text(me, typed));
    expect(await lastAnswer(me)).toContain('連携しました');
    expect(await linkedAccounts(s.token)).toHaveLength(1);
    // The settings draft it interrupted is still there.
    const flow = await runInDurableObject(conversation(me), async (_o: unknown, state) => {
      const row = state.storage.sql.exec<{ value: string }>(`SELECT value FROM kv WHERE key = 'state'`).one();
      return (JSON.parse(row.value) as { flow?: { name: string } }).flow?.name;
    });
    expect(flow).toBe('settings');
  });

  it('answers in English on an English LINE', async () => {
    const s = await broadcaster();
    const me = newUserId();
    await fake.profile(me, 'en');
    await say(me, events.follow(me));
    const { code } = await linkCode(s.token);
    await say(me, events.text(me, `職員 ${code}`));
    const answer = await lastAnswer(me);
    expect(answer).toContain('linked');
    expect(answer).toContain(await staffName(s.id));
  });

  it('a code is single use: a second LINE account gets the generic answer and is not linked', async () => {
    const s = await broadcaster();
    const first = newUserId();
    const second = newUserId();
    const { code } = await linkCode(s.token);
    await say(first, events.text(first, `職員 ${code}`));
    await say(second, events.text(second, `職員 ${code}`));
    const wrong = newUserId();
    await say(wrong, events.text(wrong, '職員 ZZZZ2222'));
    expect(await lastAnswer(second)).toBe(await lastAnswer(wrong));
    expect(await lastAnswer(second)).not.toContain('連携しました');
    expect(await linkedAccounts(s.token)).toHaveLength(1);
  });

  it('an expired code gets the same generic answer as a wrong one', async () => {
    const s = await broadcaster();
    const { code } = await linkCode(s.token);
    await env.DB.prepare(`UPDATE staff_link_codes SET expires_at = ? WHERE staff_id = ?`)
      .bind(Date.now() - 1, s.id)
      .run();
    const me = newUserId();
    await say(me, events.text(me, `職員 ${code}`));
    const wrong = newUserId();
    await say(wrong, events.text(wrong, '職員 ZZZZ3333'));
    expect(await lastAnswer(me)).toBe(await lastAnswer(wrong));
    expect(await linkedAccounts(s.token)).toHaveLength(0);
  });

  it('a new code replaces the unused one before it', async () => {
    const s = await broadcaster();
    const old = await linkCode(s.token);
    await linkCode(s.token);
    const me = newUserId();
    await say(me, events.text(me, `職員 ${old.code}`));
    expect(await lastAnswer(me)).not.toContain('連携しました');
    expect(await linkedAccounts(s.token)).toHaveLength(0);
  });

  it('a revoked staff member’s code links nothing', async () => {
    const s = await broadcaster();
    const { code } = await linkCode(s.token);
    expect((await api(`/staff/${s.id}`, { method: 'DELETE' })).status).toBe(204);
    const me = newUserId();
    await say(me, events.text(me, `職員 ${code}`));
    expect(await lastAnswer(me)).not.toContain('連携しました');
    const n = await env.DB.prepare(`SELECT count(*) AS n FROM staff_line_accounts WHERE staff_id = ?`)
      .bind(s.id)
      .first<{ n: number }>();
    expect(n!.n).toBe(0);
  });

  it('after 5 wrong codes in an hour even the right code is not tried, and the answer says to wait', async () => {
    const s = await broadcaster();
    const me = newUserId();
    for (let i = 0; i < 5; i++) await say(me, events.text(me, `職員 WRNG${2000 + i}`));
    const wrongAnswer = await lastAnswer(me);
    const { code } = await linkCode(s.token);
    await say(me, events.text(me, `職員 ${code}`));
    const answer = await lastAnswer(me);
    expect(answer).not.toBe(wrongAnswer);
    expect(answer).not.toContain('連携しました');
    expect(await linkedAccounts(s.token)).toHaveLength(0);
    // Blocking and following again does not wipe the count.
    await say(me, events.unfollow(me), events.follow(me));
    await say(me, events.text(me, `職員 ${code}`));
    expect(await linkedAccounts(s.token)).toHaveLength(0);
    // Another LINE account can still use the code.
    await linkLine(s.token);
  });

  it('ordinary messages that mention 職員 still get the ordinary answer', async () => {
    const me = newUserId();
    await say(me, events.text(me, '職員さんへ質問です'));
    expect(await lastAnswer(me)).toContain('個別のメッセージへの返信は行っておりません');
  });
});

describe('GET / DELETE /api/v1/staff/me/line-users', () => {
  it('unlinks by handle: 204, then 404; another staff member’s handle is 404 to me; audited', async () => {
    const s = await broadcaster();
    const other = await broadcaster();
    const { handle } = await linkLine(s.token);
    await problem(await api(`/staff/me/line-users/${handle}`, { token: other.token, method: 'DELETE' }), 404);
    expect(await linkedAccounts(s.token)).toHaveLength(1);
    const del = await api(`/staff/me/line-users/${handle}`, { token: s.token, method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await linkedAccounts(s.token)).toHaveLength(0);
    await problem(await api(`/staff/me/line-users/${handle}`, { token: s.token, method: 'DELETE' }), 404);
    const unlink = (await staffAudit(s.id)).filter((r) => r.action === 'staff.line_account.unlink');
    expect(unlink).toHaveLength(1);
    expect(unlink[0]!.detail).toContain(handle);
  });

  it('PUT with arbitrary LINE user IDs is gone', async () => {
    const s = await broadcaster();
    const res = await api('/staff/me/line-users', {
      token: s.token,
      method: 'PUT',
      body: { lineUserIds: [newUserId()] },
    });
    expect([404, 405]).toContain(res.status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await linkedAccounts(s.token)).toHaveLength(0);
  });
});

describe('the dev user of `npm run simulate`', () => {
  it('is shaped like a LINE user ID, so it can be linked and receive a test send', async () => {
    const s = await broadcaster();
    await linkLine(s.token, DEV_USER_ID);
    const created = await api('/broadcasts', {
      token: s.token,
      method: 'POST',
      body: { title: 'テスト', messages: [{ type: 'text', text: 'テスト送信' }], audience: { type: 'all' } },
    });
    const { id } = (await created.json()) as { id: string };
    const res = await api(`/broadcasts/${id}/test`, { token: s.token, method: 'POST' });
    expect(await res.json()).toEqual({ sentTo: 1 });
  });

  it('a malformed LINE user ID is refused by LINE, as the fake LINE does', async () => {
    const res = await fetch('https://api.line.me/v2/bot/message/push', {
      method: 'POST',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'U0000000000000000000000000000dev1', messages: [{ type: 'text', text: 'x' }] }),
    });
    expect(res.status).toBe(400);
  });
});
