import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashAccessCode, readAccessCode } from '../src/access-codes';
import { jstParts } from '../src/calendar/jst';
import { db } from '../src/db/client';
import { memberCounts } from '../src/communities/members';
import { newStaff } from './helpers/api';
import { addMembers, addResidents, createAs, seedCommunity } from './helpers/broadcasts';
import { signIn, navLabels, textOf } from './helpers/console';

/** The console's 町内会 pages (issue 13): the list, member counts, invite codes, posts and acknowledgements. */

const lineId = () => `U${crypto.randomUUID().replaceAll('-', '')}`;

let federation: { id: string; name: string };
let unitA: { id: string; name: string };
let unitB: { id: string; name: string };
let leaderA: { id: string; token: string };
let fedLeader: { id: string; token: string };
const following = [lineId(), lineId(), lineId()];
const blocked = lineId();

async function inviteRows(communityId: string) {
  const { results } = await env.DB.prepare(
    'SELECT id, code_hash, expires_at, max_uses, revoked_at FROM community_invites WHERE community_id = ?',
  )
    .bind(communityId)
    .all<{
      id: string;
      code_hash: string;
      expires_at: number | null;
      max_uses: number | null;
      revoked_at: number | null;
    }>();
  return results;
}

const codeIn = (html: string) => /class="secret">([A-Z0-9]{4}-[A-Z0-9]{4})</.exec(html)?.[1];

beforeAll(async () => {
  federation = await seedCommunity('federation');
  unitA = await seedCommunity('unit', federation.id);
  unitB = await seedCommunity('unit', federation.id);
  await addResidents([...following.map((id) => ({ id })), { id: blocked, status: 'blocked' as const }]);
  await addMembers(unitA.id, following.slice(0, 2), '山田');
  await addMembers(unitA.id, [blocked], '止めた人');
  await addMembers(unitB.id, [following[2]!]);
  leaderA = await newStaff(['community_leader'], { communities: [unitA.id] });
  fedLeader = await newStaff(['community_leader'], { communities: [federation.id] });
});

describe('who sees the association pages', () => {
  it('a unit leader sees their unit: the list, the page with the member count of those who still follow', async () => {
    const b = await signIn(leaderA.token);
    const list = await b.get('/admin/communities');
    expect(list.status).toBe(200);
    expect(navLabels(list.html)).toContain('町内会');
    expect(list.html).toContain(`href="/admin/communities/${unitA.id}"`);
    expect(list.html).not.toContain(`href="/admin/communities/${unitB.id}"`);
    const page = await b.get(`/admin/communities/${unitA.id}`);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain(unitA.name);
    expect(text).toContain(federation.name);
    expect(text).toMatch(/会員数 2人/);
  });

  it('a unit leader gets a 403 page on another unit, its members, and its forms', async () => {
    const b = await signIn(leaderA.token);
    for (const path of [`/admin/communities/${unitB.id}`, `/admin/communities/${unitB.id}/members`]) {
      const page = await b.get(path);
      expect(page.status, path).toBe(403);
      expect(page.location).toBeNull();
      expect(page.html).toContain('role="alert"');
    }
    expect((await b.post(`/admin/communities/${unitB.id}/invites`)).status).toBe(403);
    expect(await inviteRows(unitB.id)).toHaveLength(0);
    expect((await b.get(`/admin/communities/${federation.id}`)).status).toBe(403);
  });

  it('a federation leader sees the federation and its units; an admin sees all', async () => {
    const b = await signIn(fedLeader.token);
    const list = await b.get('/admin/communities');
    for (const c of [federation, unitA, unitB]) expect(list.html).toContain(`href="/admin/communities/${c.id}"`);
    expect((await b.get(`/admin/communities/${unitB.id}`)).status).toBe(200);
    const admin = await signIn();
    const all = await admin.get('/admin/communities');
    expect(all.status).toBe(200);
    for (const c of [federation, unitA, unitB]) expect(all.html).toContain(`href="/admin/communities/${c.id}"`);
  });

  it('school staff and report managers get 403 and no 町内会 in the navigation', async () => {
    const cases: [string[], Record<string, string[]>][] = [
      [['report_manager'], {}],
      [['school_staff'], { schools: ['school-x'] }],
    ];
    for (const [roles, scopes] of cases) {
      const s = await newStaff(roles, scopes);
      const b = await signIn(s.token);
      expect(navLabels((await b.get('/admin')).html)).not.toContain('町内会');
      const list = await b.get('/admin/communities');
      expect(list.status).toBe(403);
      expect((await b.get(`/admin/communities/${unitA.id}`)).status).toBe(403);
    }
  });

  it('the dashboard card shows the member counts of the leader’s associations', async () => {
    const b = await signIn(fedLeader.token);
    const text = textOf((await b.get('/admin')).html);
    expect(text).toContain('町内会の会員数');
    expect(text).toContain(`${unitA.name} ：2人`);
    expect(text).toContain(`${unitB.name} ：1人`);
  });
});

describe('invite codes', () => {
  it('発行 shows the code once (no-store); it is the stored one; a reload shows no code', async () => {
    const b = await signIn(leaderA.token);
    const res = await b.post(`/admin/communities/${unitA.id}/invites`, { expires: '', maxUses: '30' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const code = codeIn(res.html);
    expect(code).toBeDefined();
    const rows = await inviteRows(unitA.id);
    const row = rows.find((r) => r.max_uses === 30);
    expect(row?.code_hash).toBe(await hashAccessCode(readAccessCode(code!)!));
    expect(row?.expires_at).toBeNull();
    const again = await b.get(`/admin/communities/${unitA.id}`);
    expect(codeIn(again.html)).toBeUndefined();
    expect(again.html).not.toContain(code!);
    expect(textOf(again.html)).toContain('0回（残り30回）');
  });

  it('an expiry date runs to the end of that JST day', async () => {
    const b = await signIn(leaderA.token);
    const day = jstParts(Date.now() + 7 * 86_400_000).date;
    const before = (await inviteRows(unitA.id)).length;
    const res = await b.post(`/admin/communities/${unitA.id}/invites`, { expires: day, maxUses: '' });
    expect(res.status).toBe(201);
    const rows = await inviteRows(unitA.id);
    expect(rows).toHaveLength(before + 1);
    expect(rows.some((r) => r.expires_at === Date.parse(`${day}T23:59:59.999+09:00`))).toBe(true);
  });

  it('a past expiry or a bad number of uses shows the page again with 400 and an alert; nothing stored', async () => {
    const b = await signIn(leaderA.token);
    const before = (await inviteRows(unitA.id)).length;
    for (const fields of [
      { expires: '2020-01-01', maxUses: '' },
      { expires: '', maxUses: '0' },
      { expires: '', maxUses: 'たくさん' },
      { expires: 'someday', maxUses: '' },
    ]) {
      const res = await b.post(`/admin/communities/${unitA.id}/invites`, fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.html).toContain('role="alert"');
      expect(codeIn(res.html)).toBeUndefined();
    }
    expect(await inviteRows(unitA.id)).toHaveLength(before);
  });

  it('a POST without the CSRF token issues nothing and revokes nothing', async () => {
    const b = await signIn(leaderA.token);
    const before = await inviteRows(unitA.id);
    expect((await b.post(`/admin/communities/${unitA.id}/invites`, {}, { csrf: false })).status).toBe(403);
    const target = before[0]!;
    const revoke = await b.post(`/admin/communities/${unitA.id}/invites/${target.id}/revoke`, {}, { csrf: false });
    expect(revoke.status).toBe(403);
    expect(await inviteRows(unitA.id)).toEqual(before);
  });

  it('無効にする revokes at once: 303 back with a notice, the state in words', async () => {
    const b = await signIn(leaderA.token);
    const [target] = await inviteRows(unitA.id);
    const res = await b.post(`/admin/communities/${unitA.id}/invites/${target!.id}/revoke`);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/communities/${unitA.id}?done=revoked#invites`);
    expect((await inviteRows(unitA.id)).find((r) => r.id === target!.id)?.revoked_at).not.toBeNull();
    const page = await b.get(res.location!);
    expect(page.html).toMatch(/class="notice" role="status"/);
    expect(textOf(page.html)).toContain('無効化済');
  });
});

describe('members, posts and acknowledgements', () => {
  it('the members page shows only chosen display names, and the read is audited', async () => {
    const b = await signIn(leaderA.token);
    const page = await b.get(`/admin/communities/${unitA.id}/members`);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain('会員 2人');
    expect(text.match(/山田/g)).toHaveLength(2);
    expect(text).not.toContain('止めた人');
    const audited = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'community.members.read' AND target_id = ? AND staff_id = ?",
    )
      .bind(unitA.id, leaderA.id)
      .first<{ n: number }>();
    expect(audited?.n).toBeGreaterThan(0);
  });

  it('lists the association’s posts with a link to compose, and who acknowledged by display name', async () => {
    const made = await createAs(leaderA.token, {
      title: '清掃活動のお知らせ',
      audience: { type: 'community', communityId: unitA.id },
      requestAck: true,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await env.DB.prepare('INSERT INTO broadcast_acks (broadcast_id, line_user_id, at) VALUES (?, ?, ?)')
      .bind(made.body.id, following[0], Date.now())
      .run();
    const b = await signIn(leaderA.token);
    const page = await b.get(`/admin/communities/${unitA.id}`);
    expect(textOf(page.html)).toContain('清掃活動のお知らせ');
    expect(page.html).toContain(`href="/admin/broadcasts/new?audience=community:${unitA.id}"`);
    const acksPath = `/admin/communities/${unitA.id}/posts/${made.body.id}/acks`;
    expect(page.html).toContain(`href="${acksPath}"`);
    const acks = await b.get(acksPath);
    expect(acks.status).toBe(200);
    expect(textOf(acks.html)).toContain('「確認しました」を押した会員：1人');
    expect(textOf(acks.html)).toContain('山田');
    // Under another unit's URL (which the federation leader may open) the post is not there.
    const fed = await signIn(fedLeader.token);
    expect((await fed.get(`/admin/communities/${unitB.id}/posts/${made.body.id}/acks`)).status).toBe(404);
    expect(textOf((await fed.get(`/admin/communities/${unitB.id}`)).html)).not.toContain('清掃活動のお知らせ');
    // Another unit's leader: 403 before anything is read.
    const other = await newStaff(['community_leader'], { communities: [unitB.id] });
    expect((await (await signIn(other.token)).get(acksPath)).status).toBe(403);
  });

  it('no member LINE user ID appears in any association page', async () => {
    const b = await signIn(fedLeader.token);
    const pages = [
      await b.get('/admin'),
      await b.get('/admin/communities'),
      await b.get(`/admin/communities/${unitA.id}`),
      await b.get(`/admin/communities/${unitA.id}/members`),
    ];
    for (const p of pages) {
      expect(p.status).toBe(200);
      for (const id of [...following, blocked]) expect(p.html).not.toContain(id);
      expect(p.html).not.toMatch(/U[0-9a-f]{32}/);
    }
  });
});

describe('memberCounts (the dashboard figure)', () => {
  it('counts members who still follow, per association', async () => {
    const d = db(env.DB);
    const counts = await memberCounts(d, [unitA.id, unitB.id, federation.id]);
    expect(counts.get(unitA.id)).toBe(2);
    expect(counts.get(unitB.id)).toBe(1);
    expect(counts.get(federation.id)).toBeUndefined();
    expect((await memberCounts(d, null)).get(unitA.id)).toBe(2);
    expect((await memberCounts(d, [])).size).toBe(0);
  });
});
