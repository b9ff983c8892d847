import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { db } from '../src/db/client';
import { HANDLE, handleOf } from '../src/residents/handles';
import { inForce, isRestricted, restrictionScopeOf } from '../src/residents/restrictions';
import { api, newStaff } from './helpers/api';
import { events, newUserId, texts } from './helpers/line';
import { flowState, resident, storedReport, turn } from './helpers/reports';

/** 3. Staff see residents through a handle; 4. moderation (terms §1). */

const d = db(env.DB);
const NEUTRAL =
  '現在、このサービスはご利用いただけません。お問い合わせは電子メール（dx@city.okayama.jp）でお願いします。';

async function handle(u: string) {
  return (await handleOf(d, u))!;
}

async function restrict(h: string, body: Record<string, unknown>, token?: string) {
  return api(`/residents/${h}/restrictions`, { method: 'POST', body, token });
}

async function auditOf(action: string, target: string) {
  const rows = await env.DB.prepare(
    'SELECT staff_id, action, target_type, target_id, detail FROM audit_log WHERE action = ? AND target_id = ? ORDER BY id',
  )
    .bind(action, target)
    .all<Record<string, any>>();
  return rows.results;
}

async function storedRows(u: string) {
  const row = await env.DB.prepare(
    `SELECT (SELECT count(*) FROM reports WHERE reporter_line_user_id = ?1) AS reports,
            (SELECT count(*) FROM consents WHERE line_user_id = ?1) AS consents,
            (SELECT count(*) FROM report_photos WHERE uploader_line_user_id = ?1) AS photos`,
  )
    .bind(u)
    .first();
  return row;
}

describe('handles', () => {
  it('are res_ + 24 hex digits, stable, distinct, and never equal or contain the LINE user ID', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const u = await resident();
      const h = await handle(u);
      expect(h).toMatch(HANDLE);
      expect(await handle(u)).toBe(h);
      expect(h).not.toBe(u);
      expect(h.includes(u) || h.includes(u.slice(1)) || h.includes(u.slice(1, 25))).toBe(false);
      seen.add(h);
    }
    expect(seen.size).toBe(5);
  });

  it('a row made without one (raw SQL, older rows) gets one when first asked', async () => {
    const u = newUserId();
    await env.DB.prepare(
      `INSERT INTO users (line_user_id, status, followed_at, created_at, updated_at) VALUES (?, 'following', 1, 1, 1)`,
    )
      .bind(u)
      .run();
    expect(await handle(u)).toMatch(HANDLE);
  });

  it('the report detail names the reporter by handle; the LINE ID is only behind the admin lookup, which is audited', async () => {
    const u = await resident();
    const h = await handle(u);
    const r = await storedReport(u);
    const manager = await newStaff(['report_manager']);
    const detail = (await (await api(`/reports/${r.id}`, { token: manager.token })).json()) as any;
    expect(detail.reporter).toEqual({ handle: h });
    expect(detail).not.toHaveProperty('reporterLineUserId');
    expect(JSON.stringify(detail)).not.toContain(u);
    expect((await auditOf('report.read', r.id)).at(-1)!.detail).toBe(JSON.stringify({ resident: h }));

    expect((await api(`/residents/${h}/line-user-id`, { token: manager.token })).status).toBe(403);
    const admin = await newStaff(['admin']);
    const res = await api(`/residents/${h}/line-user-id`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ lineUserId: u });
    const rows = await auditOf('resident.line_user_id.read', h);
    expect(rows).toEqual([
      {
        staff_id: admin.id,
        action: 'resident.line_user_id.read',
        target_type: 'resident',
        target_id: h,
        detail: JSON.stringify({ resident: h }),
      },
    ]);
    expect((await api('/residents/res_000000000000000000000000/line-user-id')).status).toBe(404);
    expect((await api(`/residents/${u}/line-user-id`)).status).toBe(400);
  });
});

describe('restrictions', () => {
  it('scope reports: report_manager may set it; the resident gets a neutral message, no consent prompt, nothing stored', async () => {
    const u = await resident();
    const h = await handle(u);
    const manager = await newStaff(['report_manager']);
    const res = await restrict(h, { scope: 'reports', reason: '虚偽の通報の繰り返し（規約1）' }, manager.token);
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body).toEqual({
      id: expect.any(String),
      scope: 'reports',
      until: null,
      reason: '虚偽の通報の繰り返し（規約1）',
    });

    const before = await storedRows(u);
    const said = await turn(u, events.text(u, '通報'));
    expect(texts(said)).toEqual([NEUTRAL]);
    expect(texts(said).join()).not.toContain('虚偽');
    expect((await flowState(u)).flow).toBeUndefined();
    expect(await storedRows(u)).toEqual(before);
    // Even without consent, a restricted resident is not asked for it.
    await env.DB.prepare('UPDATE users SET consent_version = NULL WHERE line_user_id = ?').bind(u).run();
    const again = await turn(u, events.postback(u, 'action=start&service=report'));
    expect(again.map((m) => m.type)).toEqual(['text']);
    expect(texts(again)).toEqual([NEUTRAL]);
    // 設定 and the resident's rights stay open.
    expect(texts(await turn(u, events.text(u, '設定')))[0]).toMatch(/^設定\n/);

    expect(await auditOf('resident.restrict', h)).toEqual([
      expect.objectContaining({ staff_id: manager.id, target_type: 'resident' }),
    ]);
  });

  it('report_manager may not set communities or all; an admin may; unknown handles are 404 naming them', async () => {
    const u = await resident();
    const h = await handle(u);
    const manager = await newStaff(['report_manager']);
    expect((await restrict(h, { scope: 'communities', reason: 'x' }, manager.token)).status).toBe(403);
    expect((await restrict(h, { scope: 'all', reason: 'x' }, manager.token)).status).toBe(403);
    const broadcaster = await newStaff(['broadcaster']);
    expect((await restrict(h, { scope: 'reports', reason: 'x' }, broadcaster.token)).status).toBe(403);
    expect((await restrict(h, { scope: 'reports' })).status).toBe(400);
    expect((await restrict(h, { scope: 'everything', reason: 'x' })).status).toBe(400);
    const missing = await restrict('res_ffffffffffffffffffffffff', { scope: 'reports', reason: 'x' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).detail).toContain('res_ffffffffffffffffffffffff');
    expect((await restrict(h, { scope: 'communities', reason: 'x' })).status).toBe(201);
  });

  it('scope communities stops the association service only; all stops every service but 設定', async () => {
    const u = await resident();
    const h = await handle(u);
    await restrict(h, { scope: 'communities', reason: '荒らし' });
    expect(texts(await turn(u, events.text(u, '町内会')))).toEqual([NEUTRAL]);
    expect((await turn(u, events.text(u, '通報')))[0]).toBeDefined();
    expect((await flowState(u)).flow?.step).toBe('safety');

    const v = await resident();
    await restrict(await handle(v), { scope: 'all', reason: '荒らし' });
    for (const word of ['通報', '町内会', '欠席連絡'])
      expect(texts(await turn(v, events.text(v, word)))).toEqual([NEUTRAL]);
    expect(texts(await turn(v, events.text(v, '登録内容の確認')))[0]).toMatch(/^【登録内容の確認】/);
  });

  it('expires by itself at until; is listed; a DELETE lifts it at once; all audited', async () => {
    const u = await resident();
    const h = await handle(u);
    const now = Date.now();
    const past = await restrict(h, { scope: 'reports', until: new Date(now - 1000).toISOString(), reason: '期限切れ' });
    expect(past.status).toBe(201);
    expect(await isRestricted(d, u, 'reports', now)).toBe(false);
    const until = new Date(now + 3_600_000).toISOString();
    const current = (await (await restrict(h, { scope: 'reports', until, reason: '一時停止' })).json()) as any;
    expect(current.until).toBe(until);
    expect(await isRestricted(d, u, 'reports', now)).toBe(true);
    expect(await isRestricted(d, u, 'reports', Date.parse(until))).toBe(false);
    expect(await isRestricted(d, u, 'communities', now)).toBe(false);

    const listed = (await (await api(`/residents/${h}/restrictions`)).json()) as any;
    expect(listed.items.map((x: any) => [x.reason, x.active])).toEqual([
      ['一時停止', true],
      ['期限切れ', false],
    ]);
    expect(JSON.stringify(listed)).not.toContain(u);

    expect(texts(await turn(u, events.text(u, '通報')))).toEqual([NEUTRAL]);
    const manager = await newStaff(['report_manager']);
    const lift = await api(`/residents/${h}/restrictions/${current.id}`, { method: 'DELETE', token: manager.token });
    expect(lift.status).toBe(204);
    expect(await isRestricted(d, u, 'reports', Date.now())).toBe(false);
    await turn(u, events.text(u, '通報'));
    expect((await flowState(u)).flow?.step).toBe('safety');
    const after = (await (await api(`/residents/${h}/restrictions`)).json()) as any;
    expect(after.items[0]).toMatchObject({ id: current.id, active: false, liftedAt: expect.any(String) });
    expect(await auditOf('resident.restriction.lift', h)).toHaveLength(1);
    expect(await auditOf('resident.restrictions.read', h)).toHaveLength(2);
    expect((await api(`/residents/${h}/restrictions/${crypto.randomUUID()}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('a report_manager may not lift a restriction of another scope', async () => {
    const u = await resident();
    const h = await handle(u);
    const all = (await (await restrict(h, { scope: 'all', reason: 'x' })).json()) as any;
    const manager = await newStaff(['report_manager']);
    const res = await api(`/residents/${h}/restrictions/${all.id}`, { method: 'DELETE', token: manager.token });
    expect(res.status).toBe(403);
    expect(await isRestricted(d, u, 'reports', Date.now())).toBe(true);
  });

  it('the rules as a table: which scope stops which service, and when one is in force', () => {
    expect(['report', 'community', 'absence', 'settings'].map((s) => [s, restrictionScopeOf(s)])).toEqual([
      ['report', 'reports'],
      ['community', 'communities'],
      ['absence', 'other'],
      ['settings', null],
    ]);
    const table: [string, { liftedAt: number | null; until: number | null }, number, boolean][] = [
      ['no end', { liftedAt: null, until: null }, 5, true],
      ['before until', { liftedAt: null, until: 10 }, 9, true],
      ['at until', { liftedAt: null, until: 10 }, 10, false],
      ['lifted', { liftedAt: 3, until: null }, 5, false],
    ];
    for (const [name, r, now, expected] of table) expect(inForce(r, now), name).toBe(expected);
  });
});

describe('hide and unhide: reasons recorded, evidence kept', () => {
  it('each takes a reason, recorded in the audit log; the hidden text stays for report managers', async () => {
    const r = await storedReport(await resident(), { description: '誹謗中傷を含む説明' });
    expect((await api(`/reports/${r.id}/unhide`, { method: 'POST', body: {} })).status).toBe(400);
    await api(`/reports/${r.id}/hide`, { method: 'POST', body: { reason: '規約1(1)に該当' } });
    const manager = await newStaff(['report_manager']);
    const detail = (await (await api(`/reports/${r.id}`, { token: manager.token })).json()) as any;
    expect(detail).toMatchObject({ hidden: true, hiddenReason: '規約1(1)に該当', description: '誹謗中傷を含む説明' });
    await api(`/reports/${r.id}/unhide`, { method: 'POST', body: { reason: '再審査で問題なし' } });
    expect((await auditOf('report.hide', r.id)).map((x) => JSON.parse(x.detail))).toEqual([
      { reason: '規約1(1)に該当' },
    ]);
    expect((await auditOf('report.unhide', r.id)).map((x) => JSON.parse(x.detail))).toEqual([
      { reason: '再審査で問題なし' },
    ]);
    const shown = (await (await api(`/reports/${r.id}`)).json()) as any;
    expect(shown).toMatchObject({ hidden: false, description: '誹謗中傷を含む説明' });
  });

  it('photos too', async () => {
    const { jpegWithGps } = await import('./helpers/images');
    const r = await storedReport(await resident(), { photos: [jpegWithGps()] });
    const p = r.photoIds[0]!;
    expect((await api(`/reports/${r.id}/photos/${p}/unhide`, { method: 'POST' })).status).toBe(400);
    await api(`/reports/${r.id}/photos/${p}/hide`, { method: 'POST', body: { reason: '人物が写っている' } });
    await api(`/reports/${r.id}/photos/${p}/unhide`, { method: 'POST', body: { reason: 'ぼかし確認済み' } });
    expect((await auditOf('report.photo.unhide', p)).map((x) => JSON.parse(x.detail))).toEqual([
      { reportId: r.id, reason: 'ぼかし確認済み' },
    ]);
    expect((await env.PHOTOS.list()).objects.length).toBeGreaterThan(0);
  });
});
