import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { scheduled } from '../src/scheduled';
import { db } from '../src/db/client';
import { composeReportMail, resendReportMail } from '../src/reports/mail';
import { MAIL_MAX_ATTEMPTS } from '../src/reports/rules';
import { storeDraftPhoto } from '../src/reports/service';
import { contains, jpegWithGps } from './helpers/images';
import { events, fake, newUserId, say } from './helpers/line';
import { api, newStaff } from './helpers/api';
import { resident, spot, storedReport } from './helpers/reports';

async function tick(at: number) {
  await scheduled(createScheduledController({ scheduledTime: at, cron: '* * * * *' }), env);
}

async function auditRows(action: string, targetId: string) {
  return (
    await env.DB.prepare('SELECT staff_id, action, target_id FROM audit_log WHERE action = ? AND target_id = ?')
      .bind(action, targetId)
      .all()
  ).results;
}

const pushesTo = async (userId: string) => await fake.requests({ to: userId, path: '/v2/bot/message/push' });

describe('who may do what (role matrix)', () => {
  const roles: [string, Record<string, string[]>][] = [
    ['broadcaster', {}],
    ['approver', {}],
    ['school_staff', { schools: ['s1'] }],
    ['community_leader', { communities: ['c1'] }],
    ['report_manager', {}],
    ['admin', {}],
  ];
  it.each(roles)('%s', async (role, scopes) => {
    const { token } = await newStaff([role], scopes);
    const reporter = await resident();
    const r = await storedReport(reporter, { photos: [jpegWithGps()] });
    const triage = role === 'report_manager' || role === 'admin';
    const expected = (ok: number) => (triage ? ok : 403);
    const checks: [string, string, unknown, number][] = [
      ['GET', '/reports', undefined, expected(200)],
      ['GET', `/reports/${r.id}`, undefined, expected(200)],
      ['GET', `/reports/${r.id}/photos/${r.photoIds[0]}`, undefined, expected(200)],
      ['GET', '/reports.geojson', undefined, expected(200)],
      ['GET', '/reports.csv', undefined, expected(200)],
      ['PATCH', `/reports/${r.id}`, { status: 'accepted' }, expected(200)],
      ['POST', `/reports/${r.id}/hide`, { reason: 'test' }, expected(204)],
      ['POST', `/reports/${r.id}/unhide`, { reason: 'test' }, expected(204)],
      ['POST', `/reports/${r.id}/mail`, undefined, expected(200)],
      ['GET', '/report-categories', undefined, expected(200)],
      ['GET', '/report-departments', undefined, expected(200)],
      // Categories and departments are the admin's.
      ['PATCH', '/report-categories/road-other', { sortOrder: 6 }, role === 'admin' ? 200 : 403],
      ['PATCH', '/report-departments/general', { phone: '086-803-1000' }, role === 'admin' ? 200 : 403],
    ];
    for (const [method, path, body, status] of checks) {
      const res = await api(path, { token, method, body });
      expect(`${method} ${path} → ${res.status}`).toBe(`${method} ${path} → ${status}`);
      if (status === 403) expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('no token → 401 everywhere', async () => {
    for (const path of ['/reports', `/reports/${crypto.randomUUID()}`, '/reports.csv', '/report-categories']) {
      expect((await api(path, { token: null })).status).toBe(401);
    }
  });
});

describe('the list: filters, paging, sort', () => {
  it('filters by status, category, department, period, box and text, and pages with a cursor', async () => {
    const reporter = await resident();
    const marker = `marker-${crypto.randomUUID().slice(0, 8)}`;
    const t0 = Date.UTC(2026, 5, 1, 0, 0, 0) + Math.floor(Math.random() * 1e6);
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        await storedReport(reporter, {
          at: t0 + i * 60_000,
          description: `${marker} ${i}`,
          categoryCode: i < 3 ? 'road' : 'park',
          subtypeCode: i < 3 ? 'road-step' : 'park-tree',
          departmentId: i < 3 ? 'road' : 'park',
          lat: 34.6 + i * 0.01,
          lng: 133.9,
        }),
      );
    }
    const q = (s: string) =>
      api(`/reports?q=${marker}&${s}`).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    let res = await q('');
    expect(res.body.items.map((x: any) => x.number)).toEqual(made.map((m) => m.number).reverse());
    expect(res.body.items[0]).not.toHaveProperty('reporterLineUserId');
    expect(JSON.stringify(res.body)).not.toContain(reporter);
    // Names beside the codes, so a clerk reads 段差 rather than road-step.
    expect(res.body.items.at(-1)).toMatchObject({
      categoryCode: 'road',
      categoryName: '道路',
      subtypeCode: 'road-step',
      subtypeName: '段差',
      departmentId: 'road',
      departmentName: '道路港湾管理課',
    });

    res = await q('category=park');
    expect(res.body.items).toHaveLength(2);
    res = await q('department=road&sort=oldest');
    expect(res.body.items.map((x: any) => x.number)).toEqual(made.slice(0, 3).map((m) => m.number));
    res = await q(`from=${new Date(t0 + 60_000).toISOString()}&to=${new Date(t0 + 3 * 60_000).toISOString()}`);
    expect(res.body.items.map((x: any) => x.number)).toEqual([made[2]!.number, made[1]!.number]);
    res = await q('bbox=133.89,34.605,133.91,34.625');
    expect(res.body.items.map((x: any) => x.number)).toEqual([made[2]!.number, made[1]!.number]);
    await api(`/reports/${made[0]!.id}`, { method: 'PATCH', body: { status: 'accepted' } });
    res = await q('status=accepted');
    expect(res.body.items.map((x: any) => x.number)).toEqual([made[0]!.number]);
    res = await q('status=received,accepted&category=road');
    expect(res.body.items).toHaveLength(3);

    // Paging: two at a time, newest first, no repeats, nothing lost.
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      res = await q(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.items.map((x: any) => x.number));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(seen).toEqual(made.map((m) => m.number).reverse());
  });

  it.each([
    ['status=open', 'status'],
    ['bbox=1,2,3', 'bbox'],
    ['from=yesterday', 'from'],
    ['cursor=abc', 'cursor'],
    ['limit=500', 'limit'],
  ])('refuses %s with a 400 naming the field', async (qs, field) => {
    const res = await api(`/reports?${qs}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe(field);
  });

  it('text search treats % and _ literally', async () => {
    const reporter = await resident();
    const tag = crypto.randomUUID().slice(0, 8);
    await storedReport(reporter, { description: `${tag} 100% broken` });
    await storedReport(reporter, { description: `${tag} 1000 broken` });
    const res = await api(`/reports?q=${encodeURIComponent(`${tag} 100%`)}`);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
  });
});

describe('one report: detail, photos, audit', () => {
  it('shows reporter, photos and history, and audits the read', async () => {
    const { id: staffId, token } = await newStaff(['report_manager']);
    const reporter = await resident();
    const r = await storedReport(reporter, { photos: [jpegWithGps(), jpegWithGps(1)] });
    const res = await api(`/reports/${r.id}`, { token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({
      id: r.id,
      number: r.number,
      status: 'received',
      // The resident's handle, never the LINE user ID (no staff answer carries one).
      reporter: { handle: expect.stringMatching(/^res_[0-9a-f]{24}$/) },
      supporters: 0,
    });
    expect(JSON.stringify(body)).not.toContain(reporter);
    expect(body.photos).toHaveLength(2);
    expect(body.history).toEqual([expect.objectContaining({ actor: 'resident', from: null, to: 'received' })]);
    expect(body.mail.status).toBe('pending');
    expect(await auditRows('report.read', r.id)).toEqual([
      { staff_id: staffId, action: 'report.read', target_id: r.id },
    ]);

    // The detail links each photo by its path from the origin.
    const photo = await api(body.photos[0].url.replace(/^\/api\/v1/, ''), { token });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    const bytes = new Uint8Array(await photo.arrayBuffer());
    expect(contains(bytes, 'SecretPhone')).toBe(false);
    expect(await auditRows('report.photo.read', r.photoIds[0]!)).toHaveLength(1);
  });

  it('links reports of the same category within 30 m and 30 days both ways (a resident may send theirs despite the hint)', async () => {
    const p = spot();
    const a = await storedReport(await resident(), { lat: p.lat, lng: p.lng });
    const b = await storedReport(await resident(), { lat: p.lat + 20 / 111_195, lng: p.lng });
    const far = await storedReport(await resident(), { lat: p.lat + 45 / 111_195, lng: p.lng });
    const park = await storedReport(await resident(), {
      lat: p.lat,
      lng: p.lng,
      categoryCode: 'park',
      subtypeCode: 'park-tree',
    });
    const nearOf = async (id: string) => ((await (await api(`/reports/${id}`)).json()) as any).nearby;
    expect(await nearOf(b.id)).toEqual([
      { id: a.id, number: a.number, status: 'received', distanceM: 20 },
      { id: far.id, number: far.number, status: 'received', distanceM: 25 },
    ]);
    expect((await nearOf(a.id)).map((x: any) => x.number)).toEqual([b.number]);
    expect(await nearOf(park.id)).toEqual([]);
  });

  it('404 for an unknown report or a photo of another report', async () => {
    const reporter = await resident();
    const a = await storedReport(reporter, { photos: [jpegWithGps()] });
    const b = await storedReport(reporter);
    expect((await api(`/reports/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await api(`/reports/${b.id}/photos/${a.photoIds[0]}`)).status).toBe(404);
  });
});

describe('status changes and the reporter kept informed', () => {
  it('records each change; pushes public notes and closing moves, in Japanese with the number, with a retry key', async () => {
    const { id: staffId, token } = await newStaff(['report_manager']);
    const reporter = await resident();
    const r = await storedReport(reporter);

    let res = await api(`/reports/${r.id}`, {
      token,
      method: 'PATCH',
      body: { status: 'accepted', internalNote: '現地確認予定' },
    });
    expect(await res.json()).toEqual({ notified: 0 });
    expect(await pushesTo(reporter)).toHaveLength(0);

    res = await api(`/reports/${r.id}`, {
      token,
      method: 'PATCH',
      body: { status: 'in_progress', publicNote: '来週補修します' },
    });
    expect(await res.json()).toEqual({ notified: 1 });
    let pushes = await pushesTo(reporter);
    expect(pushes).toHaveLength(1);
    const text = (pushes[0]!.body as any).messages[0].text as string;
    expect(text).toContain(r.number);
    expect(text).toContain('対応中');
    expect(text).toContain('来週補修します');
    expect(text).not.toContain('現地確認予定');
    const stored = await env.DB.prepare('SELECT id, status FROM report_notifications WHERE report_id = ?')
      .bind(r.id)
      .first<{ id: string; status: string }>();
    expect(pushes[0]!.retryKey).toBe(stored!.id);
    expect(stored!.status).toBe('sent');

    res = await api(`/reports/${r.id}`, { token, method: 'PATCH', body: { status: 'resolved' } });
    pushes = await pushesTo(reporter);
    expect(pushes).toHaveLength(2);
    expect((pushes[1]!.body as any).messages[0].text).toContain('対応完了');

    const history = (
      await env.DB.prepare(
        'SELECT actor, from_status, to_status, public_note, internal_note FROM report_status_history WHERE report_id = ? ORDER BY id',
      )
        .bind(r.id)
        .all()
    ).results;
    expect(history).toEqual([
      { actor: 'resident', from_status: null, to_status: 'received', public_note: null, internal_note: null },
      {
        actor: staffId,
        from_status: 'received',
        to_status: 'accepted',
        public_note: null,
        internal_note: '現地確認予定',
      },
      {
        actor: staffId,
        from_status: 'accepted',
        to_status: 'in_progress',
        public_note: '来週補修します',
        internal_note: null,
      },
      { actor: staffId, from_status: 'in_progress', to_status: 'resolved', public_note: null, internal_note: null },
    ]);
    const row = await env.DB.prepare('SELECT closed_at FROM reports WHERE id = ?')
      .bind(r.id)
      .first<{ closed_at: number | null }>();
    expect(row!.closed_at).not.toBeNull();
    expect(await auditRows('report.update', r.id)).toHaveLength(3);
    const last = await env.DB.prepare(
      `SELECT detail FROM audit_log WHERE action = 'report.update' AND target_id = ? ORDER BY id DESC LIMIT 1`,
    )
      .bind(r.id)
      .first<{ detail: string }>();
    expect(JSON.parse(last!.detail)).toMatchObject({ from: 'in_progress', to: 'resolved', notified: 1 });
  });

  it.each(['not_city_managed', 'rejected'])('moving to %s always tells the reporter', async (to) => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: to } });
    expect(await pushesTo(reporter)).toHaveLength(1);
  });

  it.each([
    ['resolved', 'in_progress'],
    ['resolved', 'accepted'],
    ['rejected', 'accepted'],
    ['not_city_managed', 'accepted'],
  ])('reopened (%s → %s): the reporter and supporters are told it is being handled again', async (closed, open) => {
    const reporter = await resident();
    const supporter = await resident('en');
    const r = await storedReport(reporter);
    await env.DB.prepare('INSERT INTO report_supporters (report_id, line_user_id, created_at) VALUES (?, ?, ?)')
      .bind(r.id, supporter, Date.now())
      .run();
    await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: closed } });
    const res = await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: open } });
    expect(await res.json()).toEqual({ notified: 2 });
    const ja = ((await pushesTo(reporter)).at(-1)!.body as any).messages[0].text as string;
    expect(ja).toContain(r.number);
    expect(ja).toContain('対応を再開しました');
    const en = ((await pushesTo(supporter)).at(-1)!.body as any).messages[0].text as string;
    expect(en).toContain(`Report ${r.number}`);
    expect(en).toContain('being handled again');
    expect(en).not.toMatch(/対応/);
    const row = await env.DB.prepare('SELECT closed_at FROM reports WHERE id = ?')
      .bind(r.id)
      .first<{ closed_at: number | null }>();
    expect(row!.closed_at).toBeNull();
  });

  it('duplicate needs the original, links them, and tells the reporter its number', async () => {
    const reporter = await resident();
    const original = await storedReport(reporter);
    const copy = await storedReport(reporter);
    let res = await api(`/reports/${copy.id}`, { method: 'PATCH', body: { status: 'duplicate' } });
    expect(res.status).toBe(400);
    res = await api(`/reports/${copy.id}`, {
      method: 'PATCH',
      body: { status: 'duplicate', duplicateOf: copy.id },
    });
    expect(res.status).toBe(400);
    res = await api(`/reports/${copy.id}`, {
      method: 'PATCH',
      body: { status: 'duplicate', duplicateOf: original.id },
    });
    expect(res.status).toBe(200);
    const push = (await pushesTo(reporter)).at(-1)!;
    expect((push.body as any).messages[0].text).toContain(original.number);
    const detail = (await (await api(`/reports/${original.id}`)).json()) as any;
    expect(detail.duplicates).toEqual([{ id: copy.id, number: copy.number }]);
    const dup = (await (await api(`/reports/${copy.id}`)).json()) as any;
    expect(dup.duplicateOf).toBe(original.id);

    // A later note on the duplicate still names the report that is being dealt with.
    res = await api(`/reports/${copy.id}`, {
      method: 'PATCH',
      body: { publicNote: '補修の予定が決まりました' },
    });
    expect(res.status).toBe(200);
    const note = ((await pushesTo(reporter)).at(-1)!.body as any).messages[0].text as string;
    expect(note).toContain('補修の予定が決まりました');
    expect(note).toContain(original.number);
  });

  it.each([
    ['resolved', 'received'],
    ['rejected', 'resolved'],
  ])('refuses %s → %s with 409 and changes nothing', async (from, to) => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: from } });
    const res = await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: to } });
    expect(res.status).toBe(409);
    const row = await env.DB.prepare('SELECT status FROM reports WHERE id = ?').bind(r.id).first<{ status: string }>();
    expect(row!.status).toBe(from);
  });

  it('pushes in English to a reporter whose language is English, and in Japanese to a supporter whose is not', async () => {
    const reporter = await resident('en');
    const supporter = await resident('ja');
    const r = await storedReport(reporter);
    await env.DB.prepare('INSERT INTO report_supporters (report_id, line_user_id, created_at) VALUES (?, ?, ?)')
      .bind(r.id, supporter, Date.now())
      .run();
    const res = await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: 'resolved' } });
    expect(await res.json()).toEqual({ notified: 2 });
    const en = ((await pushesTo(reporter))[0]!.body as any).messages[0].text as string;
    expect(en).toContain(`Report ${r.number}`);
    expect(en).toContain('Status: resolved');
    expect(en).not.toMatch(/対応/);
    const ja = ((await pushesTo(supporter))[0]!.body as any).messages[0].text as string;
    expect(ja).toContain(`通報 ${r.number}`);
    expect(ja).toContain('対応完了');
  });

  it('two staff closing the same report at once: one change, one history row, one push; the other is told it changed', async () => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    const a = await newStaff(['report_manager']);
    const b = await newStaff(['report_manager']);
    const results = await Promise.all([
      api(`/reports/${r.id}`, { token: a.token, method: 'PATCH', body: { status: 'resolved' } }),
      api(`/reports/${r.id}`, { token: b.token, method: 'PATCH', body: { status: 'resolved' } }),
    ]);
    // 409 when the second read the report before the first wrote it; 400 (nothing to change) after.
    const codes = results.map((x) => x.status).sort();
    expect(codes[0]).toBe(200);
    expect([400, 409]).toContain(codes[1]);
    expect(results.find((x) => x.status !== 200)!.headers.get('content-type')).toBe('application/problem+json');
    const history = (
      await env.DB.prepare('SELECT to_status FROM report_status_history WHERE report_id = ? ORDER BY id')
        .bind(r.id)
        .all()
    ).results;
    expect(history).toEqual([{ to_status: 'received' }, { to_status: 'resolved' }]);
    expect(await pushesTo(reporter)).toHaveLength(1);
    const n = await env.DB.prepare('SELECT count(*) AS n FROM report_notifications WHERE report_id = ?')
      .bind(r.id)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
    expect(await auditRows('report.update', r.id)).toHaveLength(1);
  });

  it('supporters hear of changes too; blocked residents do not', async () => {
    const reporter = await resident();
    const supporter = await resident();
    const blocked = await resident();
    const r = await storedReport(reporter);
    for (const u of [supporter, blocked]) {
      await env.DB.prepare('INSERT INTO report_supporters (report_id, line_user_id, created_at) VALUES (?, ?, ?)')
        .bind(r.id, u, Date.now())
        .run();
    }
    await say(blocked, events.unfollow(blocked));
    const res = await api(`/reports/${r.id}`, { method: 'PATCH', body: { publicNote: '現地を確認しました' } });
    expect(await res.json()).toEqual({ notified: 2 });
    expect(await pushesTo(reporter)).toHaveLength(1);
    expect(await pushesTo(supporter)).toHaveLength(1);
    expect(await pushesTo(blocked)).toHaveLength(0);
  });

  it('a push that fails with 500 stays pending and the cron sends it once, with the same retry key', async () => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    await fake.inject({ path: '/v2/bot/message/push', to: reporter, status: 500, times: 1 });
    await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: 'resolved' } });
    const n = await env.DB.prepare('SELECT id, status, attempts FROM report_notifications WHERE report_id = ?')
      .bind(r.id)
      .first<{ id: string; status: string; attempts: number }>();
    expect(n).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await pushesTo(reporter)).toHaveLength(0);
    await tick(Date.now());
    const pushes = await pushesTo(reporter);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.retryKey).toBe(n!.id);
    await tick(Date.now());
    expect(await pushesTo(reporter)).toHaveLength(1);
  });

  it('a push LINE takes but answers after LINE_CALL_TIMEOUT_MS stays pending, and the cron settles it without a second message', async () => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    // The tests' LINE_CALL_TIMEOUT_MS is 2 s (vitest.config.ts): this answer comes after it.
    await fake.inject({
      path: '/v2/bot/message/push',
      to: reporter,
      status: 200,
      body: {},
      times: 1,
      delayMs: 4_000,
      acceptFirst: true,
    });
    await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: 'resolved' } });
    const n = await env.DB.prepare('SELECT id, status, attempts FROM report_notifications WHERE report_id = ?')
      .bind(r.id)
      .first<{ id: string; status: string; attempts: number }>();
    expect(n).toMatchObject({ status: 'pending', attempts: 1 });
    await tick(Date.now());
    const after = await env.DB.prepare('SELECT status FROM report_notifications WHERE id = ?')
      .bind(n!.id)
      .first<{ status: string }>();
    expect(after!.status).toBe('sent');
    // LINE took the first attempt; the retry carried the same key, so the reporter has one message.
    const pushes = await pushesTo(reporter);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.retryKey).toBe(n!.id);
  });

  it('a public note with no status change is recorded and pushed; an empty change is refused', async () => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    expect((await api(`/reports/${r.id}`, { method: 'PATCH', body: {} })).status).toBe(400);
    expect((await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: 'received' } })).status).toBe(400);
    expect((await api(`/reports/${r.id}`, { method: 'PATCH', body: { department: 'nowhere' } })).status).toBe(400);
    expect((await api(`/reports/${r.id}`, { method: 'PATCH', body: { department: 'park' } })).status).toBe(200);
    expect(await pushesTo(reporter)).toHaveLength(0);
  });
});

describe('the department mail', () => {
  it('is tracked per report: a refused address leaves it pending with the reason; the cron retries; it fails for good after the last attempt; staff re-send after fixing the address', async () => {
    const admin = await newStaff(['admin']);
    const deptId = `dept-${crypto.randomUUID().slice(0, 8)}`;
    let res = await api('/report-departments', {
      token: admin.token,
      method: 'POST',
      body: { id: deptId, name: '試験課', email: 'blocked@example.jp', phone: '086-000-0000' },
    });
    expect(res.status).toBe(201);
    const reporter = await resident();
    const r = await storedReport(reporter, { departmentId: deptId });
    const t0 = Date.now();
    await tick(t0);
    let row = await env.DB.prepare(
      'SELECT mail_status, mail_attempts, mail_last_error, mail_next_at FROM reports WHERE id = ?',
    )
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row).toMatchObject({ mail_status: 'pending', mail_attempts: 1 });
    expect(row!.mail_last_error).toContain('blocked@example.jp');
    expect(row!.mail_next_at).toBe(t0 + 60_000);

    // Not yet due: nothing happens.
    await tick(t0 + 30_000);
    row = await env.DB.prepare('SELECT mail_attempts FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row!.mail_attempts).toBe(1);

    let at = t0;
    for (let i = 1; i < MAIL_MAX_ATTEMPTS; i++) {
      at += 3_600_000;
      await tick(at);
    }
    row = await env.DB.prepare('SELECT mail_status, mail_attempts FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row).toMatchObject({ mail_status: 'failed', mail_attempts: MAIL_MAX_ATTEMPTS });

    res = await api(`/report-departments/${deptId}`, {
      token: admin.token,
      method: 'PATCH',
      body: { email: 'dept1-ok@example.jp' },
    });
    expect(res.status).toBe(200);
    res = await api(`/reports/${r.id}/mail`, { method: 'POST' });
    expect(await res.json()).toEqual({ mailStatus: 'sent' });
    const detail = (await (await api(`/reports/${r.id}`)).json()) as any;
    expect(detail.mail).toMatchObject({ status: 'sent', lastError: null });
  });
});

describe('a report moved to another department', () => {
  it('is mailed again, to the new department, by the cron', async () => {
    const admin = await newStaff(['admin']);
    const deptId = `dept-${crypto.randomUUID().slice(0, 8)}`;
    // Not an allowed destination in the tests: the attempt fails and names the address it went to.
    const res = await api('/report-departments', {
      token: admin.token,
      method: 'POST',
      body: { id: deptId, name: '移管先課', email: 'moved-here@example.jp', phone: '086-000-0000' },
    });
    expect(res.status).toBe(201);
    const r = await storedReport(await resident());
    const t0 = Date.now();
    await tick(t0);
    const before = await env.DB.prepare('SELECT mail_status FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(before!.mail_status).toBe('sent');

    expect((await api(`/reports/${r.id}`, { method: 'PATCH', body: { department: deptId } })).status).toBe(200);
    let row = await env.DB.prepare('SELECT mail_status, mail_attempts FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row).toMatchObject({ mail_status: 'pending', mail_attempts: 0 });
    await tick(Date.now());
    row = await env.DB.prepare('SELECT mail_status, mail_attempts, mail_last_error FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row).toMatchObject({ mail_status: 'pending', mail_attempts: 1 });
    expect(row!.mail_last_error).toContain('moved-here@example.jp');
  });

  it('a change that keeps the department leaves the sent mail alone', async () => {
    const r = await storedReport(await resident());
    await tick(Date.now());
    expect(
      (await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: 'accepted', department: 'road' } })).status,
    ).toBe(200);
    const row = await env.DB.prepare('SELECT mail_status, mail_attempts FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row).toMatchObject({ mail_status: 'sent', mail_attempts: 1 });
  });
});

describe('staff re-send of the department mail', () => {
  function countingMail(delayMs = 50) {
    const sent: string[] = [];
    const started: string[] = [];
    const binding = {
      async send(m: { subject: string }) {
        started.push(m.subject);
        await new Promise((r) => setTimeout(r, delayMs));
        sent.push(m.subject);
        return { messageId: `<${crypto.randomUUID()}@city.okayama.jp>` };
      },
    };
    return { sent, started, env: { ...env, REPORT_MAIL: binding } as unknown as typeof env };
  }

  it('a double click sends one mail, not two', async () => {
    const r = await storedReport(await resident());
    await env.DB.prepare(`UPDATE reports SET mail_status = 'sent', mail_next_at = NULL WHERE id = ?`).bind(r.id).run();
    const m = countingMail(300);
    const now = Date.now();
    const first = resendReportMail(m.env, db(env.DB), r.id, now, 'https://bot.example.jp');
    // The second click arrives while the first one's mail is on its way.
    while (m.started.length === 0) await new Promise((res) => setTimeout(res, 5));
    const second = await resendReportMail(m.env, db(env.DB), r.id, now, 'https://bot.example.jp');
    expect(await first).toBe('sent');
    expect(second).toBe('pending');
    expect(m.sent).toHaveLength(1);
  });

  it('leaves an attempt in progress alone, but does not wait out a long back-off', async () => {
    const r = await storedReport(await resident());
    const now = Date.now();
    const m = countingMail(0);
    // Held by an attempt in progress (the conversation's or the cron's).
    await env.DB.prepare(`UPDATE reports SET mail_status = 'pending', mail_next_at = ? WHERE id = ?`)
      .bind(now + 60_000, r.id)
      .run();
    expect(await resendReportMail(m.env, db(env.DB), r.id, now, 'https://bot.example.jp')).toBe('pending');
    expect(m.sent).toHaveLength(0);
    // Waiting 30 minutes after a failed attempt: staff may send it now.
    await env.DB.prepare(`UPDATE reports SET mail_attempts = 5, mail_next_at = ? WHERE id = ?`)
      .bind(now + 30 * 60_000, r.id)
      .run();
    expect(await resendReportMail(m.env, db(env.DB), r.id, now, 'https://bot.example.jp')).toBe('sent');
    expect(m.sent).toHaveLength(1);
  });
});

describe('what the department reads', () => {
  it('number, kind, place with a map link, photo count, description and the staff link; nothing about the resident', () => {
    const mail = composeReportMail(
      {
        number: 'R-2026-000123',
        id: '00000000-0000-4000-8000-000000000000',
        categoryName: '道路',
        subtypeName: '穴・陥没',
        departmentName: '道路港湾管理課',
        lat: 34.6661,
        lng: 133.9177,
        address: '岡山市北区駅元町',
        description: '歩道に穴',
        photoCount: 2,
        createdAt: Date.UTC(2026, 10, 28, 1, 5),
        origin: 'https://bot.example.jp',
      },
      'road-reports@example.jp',
    );
    expect(mail.to).toBe('road-reports@example.jp');
    expect(mail.subject).toBe('【LINE損傷通報】R-2026-000123 道路／穴・陥没');
    for (const part of [
      '道路港湾管理課',
      '2026/11/28 10:05',
      '岡山市北区駅元町',
      '34.666100, 133.917700',
      'maps',
      '写真：2枚',
      '歩道に穴',
    ]) {
      expect(mail.text).toContain(part);
    }
    expect(mail.text).not.toMatch(/U[0-9a-f]{32}/);
  });

  it('says which staff API call shows the report, with which token, and where the API is explained (no staff console yet)', () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const facts = {
      number: 'R-2026-000124',
      id,
      categoryName: '道路',
      subtypeName: '穴・陥没',
      departmentName: '道路港湾管理課',
      lat: 34.6661,
      lng: 133.9177,
      address: null,
      description: '',
      photoCount: 0,
      createdAt: Date.UTC(2026, 10, 28, 1, 5),
    };
    const { text } = composeReportMail({ ...facts, origin: 'https://bot.example.jp' }, 'road-reports@example.jp');
    // A browser cannot send the bearer token, so a bare API URL opens only a 401: the mail says how to call it.
    expect(text).toContain(`GET https://bot.example.jp/api/v1/reports/${id}`);
    expect(text).toContain(
      `curl -H "Authorization: Bearer <職員トークン>" https://bot.example.jp/api/v1/reports/${id}`,
    );
    expect(text).toContain(`PATCH https://bot.example.jp/api/v1/reports/${id}`);
    expect(text).toContain('https://bot.example.jp/api/v1/docs');
    expect(text).toContain('report_manager');
    // The clerk's way in is the console's page of the report, which signs in first.
    expect(text).toContain(
      `職員コンソール（report_manager または admin の職員トークンでログイン）：https://bot.example.jp/admin/reports/${id}`,
    );
    expect(text).not.toMatch(/準備中/);

    // Sent by the cron without PUBLIC_ORIGIN: no made-up host, the path and where it goes.
    const bare = composeReportMail({ ...facts, origin: undefined }, 'road-reports@example.jp').text;
    expect(bare).toContain(`GET /api/v1/reports/${id}`);
    expect(bare).toContain('PUBLIC_ORIGIN');
    expect(bare).not.toMatch(/https?:\/\/[^\s]*\/api\/v1/);
  });
});

describe('the department mail is sent once', () => {
  it('a cron tick while an attempt holds the mail leaves it alone', async () => {
    const reporter = await resident();
    const r = await storedReport(reporter);
    const now = Date.now();
    // An attempt in progress (as the conversation's, at the moment of 送信) holds the lease.
    await env.DB.prepare('UPDATE reports SET mail_next_at = ? WHERE id = ?')
      .bind(now + 120_000, r.id)
      .run();
    await tick(now);
    let row = await env.DB.prepare('SELECT mail_status, mail_attempts FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row).toMatchObject({ mail_status: 'pending', mail_attempts: 0 });
    // The lease expired (the attempt died): the cron sends it.
    await tick(now + 120_000);
    row = await env.DB.prepare('SELECT mail_status, mail_attempts FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row).toMatchObject({ mail_status: 'sent', mail_attempts: 1 });
    await tick(now + 240_000);
    row = await env.DB.prepare('SELECT mail_attempts FROM reports WHERE id = ?')
      .bind(r.id)
      .first<Record<string, any>>();
    expect(row!.mail_attempts).toBe(1);
  });
});

describe('moderation', () => {
  it('hides a report with a reason, audited, and shows it again', async () => {
    const { id: staffId } = await newStaff(['report_manager']);
    const reporter = await resident();
    const r = await storedReport(reporter);
    expect((await api(`/reports/${r.id}/hide`, { method: 'POST', body: {} })).status).toBe(400);
    expect(
      (await api(`/reports/${r.id}/hide`, { method: 'POST', body: { reason: '誹謗中傷（規約1(1)）' } })).status,
    ).toBe(204);
    let detail = (await (await api(`/reports/${r.id}`)).json()) as any;
    expect(detail).toMatchObject({ hidden: true, hiddenReason: '誹謗中傷（規約1(1)）' });
    const listed = (await (await api(`/reports?hidden=exclude&q=${r.number}`)).json()) as any;
    expect(listed.items).toHaveLength(0);
    expect(await auditRows('report.hide', r.id)).toHaveLength(1);
    expect(staffId).toBeTruthy();
    expect((await api(`/reports/${r.id}/unhide`, { method: 'POST' })).status).toBe(400);
    await api(`/reports/${r.id}/unhide`, { method: 'POST', body: { reason: '再確認の結果、問題なし' } });
    detail = (await (await api(`/reports/${r.id}`)).json()) as any;
    expect(detail.hidden).toBe(false);
  });
});

describe('categories and departments', () => {
  it('an admin adds a subtype with its own department; residents see it, reports route to it', async () => {
    const code = `road-x${crypto.randomUUID().slice(0, 6)}`;
    let res = await api('/report-categories', {
      method: 'POST',
      body: { code, parentCode: 'road', nameJa: '落下物', nameEn: 'Debris', departmentId: 'general', sortOrder: 7 },
    });
    expect(res.status).toBe(201);
    expect(
      (
        await api('/report-categories', {
          method: 'POST',
          body: { code, parentCode: 'road', nameJa: 'x', nameEn: 'x' },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await api('/report-categories', {
          method: 'POST',
          body: { code: `${code}-y`, parentCode: code, nameJa: 'x', nameEn: 'x' },
        })
      ).status,
    ).toBe(400);
    const u = await resident();
    await say(
      u,
      events.postback(u, 'action=start&service=report'),
      events.postback(u, 'action=report&step=safety&v=line'),
    );
    const before = (await fake.messagesTo(u)).length;
    await say(u, events.postback(u, 'action=report&step=category&v=road'));
    const msg = (await fake.messagesTo(u))[before]!;
    expect(msg.quickReply.items.map((i: any) => i.action.label)).toContain('落下物');

    res = await api(`/report-categories/${code}`, { method: 'PATCH', body: { active: false } });
    expect(res.status).toBe(200);
    const list = (await (await api('/report-categories')).json()) as any;
    expect(list.items.find((c: any) => c.code === code).active).toBe(false);
  });
});

describe('storage rules', () => {
  it('reports sent at the same moment get distinct, consecutive numbers: no gaps, no repeats', async () => {
    const reporter = newUserId();
    const made = await Promise.all(Array.from({ length: 12 }, () => storedReport(reporter)));
    const seqs = made.map((m) => Number(m.number.split('-')[2])).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(12);
    expect(seqs.at(-1)! - seqs[0]!).toBe(11);
  });

  it('photos of drafts never sent are removed by the cron a day later; sent ones stay', async () => {
    const u = await resident();
    const sent = await storedReport(u, { photos: [jpegWithGps()] });
    const orphan = await storeDraftPhoto(env, db(env.DB), u, jpegWithGps(), 0, Date.now() - 25 * 3_600_000);
    const fresh = await storeDraftPhoto(env, db(env.DB), u, jpegWithGps(), 0, Date.now());
    await tick(Date.now());
    expect(await env.PHOTOS.head(`report-photos/${orphan}`)).toBeNull();
    expect(await env.DB.prepare('SELECT id FROM report_photos WHERE id = ?').bind(orphan).first()).toBeNull();
    expect(await env.PHOTOS.head(`report-photos/${fresh}`)).not.toBeNull();
    expect(await env.PHOTOS.head(`report-photos/${sent.photoIds[0]}`)).not.toBeNull();
  });
});

describe('a photo whose row cannot be written', () => {
  it('leaves no bytes in R2 that nothing points at (the clean-up finds photos by their rows)', async () => {
    const keys = async () => new Set((await env.PHOTOS.list({ prefix: 'report-photos/' })).objects.map((o) => o.key));
    const before = await keys();
    const failingDb = {
      insert: () => ({ values: () => Promise.reject(new Error('D1 unavailable')) }),
    } as unknown as ReturnType<typeof db>;
    await expect(storeDraftPhoto(env, failingDb, newUserId(), jpegWithGps(), 0, Date.now())).rejects.toThrow(
      'D1 unavailable',
    );
    const added = [...(await keys())].filter((k) => !before.has(k));
    expect(added).toEqual([]);
  });
});

describe('exports', () => {
  it('GeoJSON and CSV carry the same filtered reports, without the reporter', async () => {
    const reporter = newUserId();
    const tag = crypto.randomUUID().slice(0, 8);
    const a = await storedReport(reporter, { description: `${tag} "quoted", =SUM(A1)`, lat: 34.61, lng: 133.91 });
    await storedReport(reporter, {
      description: `${tag} park`,
      categoryCode: 'park',
      subtypeCode: 'park-tree',
      departmentId: 'park',
    });
    const geo = await api(`/reports.geojson?q=${tag}&category=road`);
    expect(geo.headers.get('content-type')).toContain('application/geo+json');
    const fc = (await geo.json()) as any;
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(1);
    expect(fc.features[0]).toMatchObject({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [133.91, 34.61] },
      properties: { number: a.number, categoryName: '道路', departmentName: '道路港湾管理課' },
    });
    expect(JSON.stringify(fc)).not.toContain(reporter);

    const csv = await api(`/reports.csv?q=${tag}&category=road`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const body = await csv.text();
    const lines = body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(2);
    expect(
      lines[0]!.startsWith(
        'number,id,status,categoryCode,categoryName,subtypeCode,subtypeName,departmentId,departmentName,',
      ),
    ).toBe(true);
    expect(lines[1]).toContain(a.number);
    expect(lines[1]).toContain(',road,道路,');
    expect(lines[1]).toContain(`"${tag} ""quoted"", =SUM(A1)"`);
    expect(body).not.toContain(reporter);
  });
});
