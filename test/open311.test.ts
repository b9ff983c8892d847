import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import requestSchema from './fixtures/open311-georeport-v2/request.json';
import requestsSchema from './fixtures/open311-georeport-v2/requests.json';
import serviceSchema from './fixtures/open311-georeport-v2/service.json';
import servicesSchema from './fixtures/open311-georeport-v2/services.json';
import definitionSchema from './fixtures/open311-georeport-v2/service-definition.json';
import { validate, type Schema } from './helpers/json-schema';
import { jpegWithGps } from './helpers/images';
import { api } from './helpers/api';
import { resident, storedReport } from './helpers/reports';

const refs: Record<string, Schema> = { 'request.json': requestSchema, 'service.json': serviceSchema };
const BASE = 'https://bot.example.jp/open311/v2';
const get = (path: string) => exports.default.fetch(`${BASE}${path}`);
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/;

describe('the validator itself', () => {
  it.each([
    [
      { service_request_id: 1, status: 'open', service_code: 'x', requested_datetime: '2026-11-28T10:00:00+09:00' },
      'expected string',
    ],
    [
      {
        service_request_id: '1',
        status: 'pending',
        service_code: 'x',
        requested_datetime: '2026-11-28T10:00:00+09:00',
      },
      'not in',
    ],
    [
      { service_request_id: '1', status: 'open', service_code: 'x', requested_datetime: '2026-11-28 10:00' },
      'date-time',
    ],
    [{ service_request_id: '1', status: 'open', requested_datetime: '2026-11-28T10:00:00Z' }, 'missing service_code'],
    [
      {
        service_request_id: '1',
        status: 'open',
        service_code: 'x',
        requested_datetime: '2026-11-28T10:00:00Z',
        description: 'x'.repeat(4001),
      },
      'description: matches none of anyOf',
    ],
  ])('catches a bad request (%#)', (bad, why) => {
    expect(validate(requestsSchema, [bad], refs).join('\n')).toContain(why);
  });
});

describe('discovery and services', () => {
  it('discovery.json names the endpoint and the JSON format', async () => {
    const res = await get('/discovery.json');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.endpoints[0]).toMatchObject({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      url: BASE,
      formats: ['application/json'],
    });
  });

  it('services.json: the subtypes as services, grouped by category, valid against the schema', async () => {
    const res = await get('/services.json');
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as any[];
    expect(validate(servicesSchema, body, refs)).toEqual([]);
    expect(body.find((s) => s.service_code === 'road-pothole')).toMatchObject({
      service_name: '道路：穴・陥没',
      group: '道路',
      metadata: false,
      type: 'realtime',
    });
    expect(body.find((s) => s.service_code === 'park-playground')).toMatchObject({ group: '公園' });
    // Top-level categories are groups, not services.
    expect(body.some((s) => s.service_code === 'road')).toBe(false);
  });

  it('services/{code}.json: a definition with no attributes; unknown codes get the error array', async () => {
    const res = await get('/services/road-pothole.json');
    const body = await res.json();
    expect(validate(definitionSchema, body, refs)).toEqual([]);
    expect(body).toEqual({ service_code: 'road-pothole', attributes: [] });
    const missing = await get('/services/nope.json');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual([{ code: 404, description: expect.any(String) }]);
  });
});

describe('requests', () => {
  it('requests.json: standard field names, string ids, open/closed, W3C times with +09:00, valid against the schema', async () => {
    const reporter = await resident();
    const a = await storedReport(reporter, { description: '歩道の穴 090-1234-5678 の前', photos: [jpegWithGps()] });
    await api(`/reports/${a.id}`, {
      method: 'PATCH',
      body: { status: 'resolved', publicNote: '補修しました', internalNote: '業者A社 見積12万円' },
    });
    const res = await get(`/requests.json?service_request_id=${a.number}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any[];
    expect(validate(requestsSchema, body, refs)).toEqual([]);
    expect(body).toHaveLength(1);
    const r = body[0];
    expect(Object.keys(r).sort()).toEqual(
      [
        'service_request_id',
        'status',
        'status_notes',
        'service_name',
        'service_code',
        'description',
        'agency_responsible',
        'service_notice',
        'requested_datetime',
        'updated_datetime',
        'expected_datetime',
        'address',
        'address_id',
        'zipcode',
        'lat',
        'long',
        'media_url',
      ].sort(),
    );
    expect(r).toMatchObject({
      service_request_id: a.number,
      status: 'closed',
      status_notes: '補修しました',
      service_code: 'road-pothole',
      service_name: '道路：穴・陥没',
      agency_responsible: '道路港湾管理課',
      address: '岡山市北区大供1丁目',
    });
    expect(r.requested_datetime).toMatch(W3C);
    expect(r.updated_datetime).toMatch(W3C);
    expect(typeof r.lat).toBe('number');
    expect(typeof r.long).toBe('number');
    // The resident kept a phone number in the description: the public view blanks it.
    expect(r.description).toContain('［削除］');
    expect(r.description).not.toContain('090-1234-5678');
    expect(r.media_url).toMatch(/^https:\/\/bot\.example\.jp\/open311\/v2\/media\/[0-9a-f-]{36}$/);
    const media = await exports.default.fetch(r.media_url);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('image/jpeg');
  });

  it('blanks phone numbers written with long-vowel dashes, full-width digits or brackets: no digit of them reaches the public feed', async () => {
    const reporter = await resident();
    const a = await storedReport(reporter, {
      description: '連絡は０９０ー１２３４ー５６７８まで。市役所 (086)803-1000 にも電話しました',
    });
    await api(`/reports/${a.id}`, {
      method: 'PATCH',
      body: { status: 'accepted', publicNote: '折り返しは０８６ｰ８０３ｰ１０００から' },
    });
    const res = await get(`/requests.json?service_request_id=${a.number}`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const [r] = (await res.json()) as any[];
    expect(r.description).toBe('連絡は［削除］まで。市役所 ［削除］ にも電話しました');
    expect(r.status_notes).toBe('折り返しは［削除］から');
    for (const field of [r.description, r.status_notes])
      for (const digits of ['090', '1234', '5678', '086', '803', '1000']) expect(field).not.toContain(digits);
  });

  it('is anonymous: no LINE user ID, no internal note, no internal id anywhere', async () => {
    const reporter = await resident();
    const a = await storedReport(reporter);
    await api(`/reports/${a.id}`, {
      method: 'PATCH',
      body: { status: 'accepted', internalNote: '内部メモ-秘密' },
    });
    for (const path of [
      '/requests.json',
      `/requests/${a.number}.json`,
      `/requests.json?service_request_id=${a.number}`,
    ]) {
      const text = await (await get(path)).text();
      expect(text).toContain(a.number);
      expect(text).not.toContain(reporter);
      expect(text).not.toMatch(/U[0-9a-f]{32}/);
      expect(text).not.toContain('内部メモ-秘密');
      expect(text).not.toContain(a.id);
    }
  });

  it('status_notes speak of the current status: a note from an earlier status is not carried over', async () => {
    const a = await storedReport(await resident());
    const notes = async () => ((await (await get(`/requests/${a.number}.json`)).json()) as any[])[0].status_notes;
    expect(await notes()).toBeNull();
    await api(`/reports/${a.id}`, {
      method: 'PATCH',
      body: { status: 'in_progress', publicNote: '来週補修します' },
    });
    expect(await notes()).toBe('来週補修します');
    await api(`/reports/${a.id}`, { method: 'PATCH', body: { publicNote: '工事日が決まりました' } });
    expect(await notes()).toBe('工事日が決まりました');
    await api(`/reports/${a.id}`, { method: 'PATCH', body: { status: 'resolved' } });
    expect(await notes()).toBeNull();
    await api(`/reports/${a.id}`, { method: 'PATCH', body: { publicNote: '舗装をやり直しました' } });
    expect(await notes()).toBe('舗装をやり直しました');
  });

  it('a description cut to 4,000 is cut between characters, never inside an emoji', async () => {
    // 1,000 family emoji are 1,000 characters to the resident but 11,000 UTF-16 units.
    const family = '👨‍👩‍👧‍👦';
    const a = await storedReport(await resident(), { description: family.repeat(1000) });
    const [req] = (await (await get(`/requests/${a.number}.json`)).json()) as any[];
    expect(req.description.length).toBeLessThanOrEqual(4000);
    expect(req.description.length % family.length).toBe(0);
    expect(req.description.replaceAll(family, '')).toBe('');
  });

  it('requests/{id}.json answers an array of one; unknown ids get the error array', async () => {
    const reporter = await resident();
    const a = await storedReport(reporter);
    const body = (await (await get(`/requests/${a.number}.json`)).json()) as any[];
    expect(validate(requestsSchema, body, refs)).toEqual([]);
    expect(body.map((r) => r.service_request_id)).toEqual([a.number]);
    for (const id of ['R-1999-000001', 'nonsense', a.id]) {
      const res = await get(`/requests/${id}.json`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual([{ code: 404, description: expect.any(String) }]);
    }
  });

  it('hidden reports and hidden photos vanish from every public view', async () => {
    const reporter = await resident();
    const a = await storedReport(reporter, { photos: [jpegWithGps()] });
    const b = await storedReport(reporter, { photos: [jpegWithGps()] });
    const mediaOf = async (n: string) => ((await (await get(`/requests/${n}.json`)).json()) as any[])[0]?.media_url;
    const mediaA = await mediaOf(a.number);
    const mediaB = await mediaOf(b.number);
    expect(mediaA).toBeTruthy();

    await api(`/reports/${a.id}/hide`, { method: 'POST', body: { reason: '規約1(3)' } });
    expect((await get(`/requests/${a.number}.json`)).status).toBe(404);
    expect(await (await get(`/requests.json?service_request_id=${a.number}`)).json()).toEqual([]);
    expect(await (await get('/requests.json')).text()).not.toContain(a.number);
    expect((await exports.default.fetch(mediaA)).status).toBe(404);

    await api(`/reports/${b.id}/photos/${b.photoIds[0]}/hide`, {
      method: 'POST',
      body: { reason: '人物が写っている' },
    });
    expect(await mediaOf(b.number)).toBeNull();
    expect((await exports.default.fetch(mediaB)).status).toBe(404);

    // Shown again by staff: back in public.
    await api(`/reports/${a.id}/unhide`, { method: 'POST', body: { reason: '問題なし' } });
    expect((await get(`/requests/${a.number}.json`)).status).toBe(200);
  });

  it('filters by service_code, status and dates; newest first', async () => {
    const reporter = await resident();
    const t0 = Date.UTC(2025, 0, 10, 3, 0, 0) + Math.floor(Math.random() * 1e5);
    const a = await storedReport(reporter, {
      at: t0,
      categoryCode: 'park',
      subtypeCode: 'park-toilet-water',
      departmentId: 'park',
    });
    const b = await storedReport(reporter, {
      at: t0 + 60_000,
      categoryCode: 'park',
      subtypeCode: 'park-toilet-water',
      departmentId: 'park',
    });
    await api(`/reports/${b.id}`, { method: 'PATCH', body: { status: 'rejected' } });
    const range = `start_date=${encodeURIComponent(new Date(t0 - 1000).toISOString())}&end_date=${encodeURIComponent(new Date(t0 + 120_000).toISOString())}`;
    const q = async (s: string) =>
      ((await (await get(`/requests.json?${range}&${s}`)).json()) as any[]).map((r) => r.service_request_id);
    expect(await q('service_code=park-toilet-water')).toEqual([b.number, a.number]);
    expect(await q('service_code=park-toilet-water&status=open')).toEqual([a.number]);
    expect(await q('service_code=park-toilet-water&status=closed')).toEqual([b.number]);
    // Without dates: the last 90 days, so last year's reports are not there.
    expect(await (await get('/requests.json?service_code=park-toilet-water')).text()).not.toContain(a.number);
  });

  it.each([
    ['start_date=yesterday', 400],
    ['end_date=2026-11-28', 400],
    ['status=pending', 400],
  ])('bad query %s → %i with the error array', async (qs, status) => {
    const res = await get(`/requests.json?${qs}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual([{ code: status, description: expect.any(String) }]);
  });

  it('answers at most 1,000 requests, newest first', async () => {
    const now = Date.now();
    const stmts = [];
    for (let i = 0; i < 1005; i++) {
      stmts.push(
        env.DB.prepare(
          `INSERT INTO reports (id, number, category_code, subtype_code, department_id, status, lat, lng, description, reporter_line_user_id, created_at, updated_at)
           VALUES (?, ?, 'road', 'road-light', 'road', 'received', 34.65, 133.92, '', 'Ubulk', ?, ?)`,
        ).bind(crypto.randomUUID(), `R-2099-${String(900000 + i)}`, now - 1000 - i, now - 1000 - i),
      );
    }
    await env.DB.batch(stmts);
    const body = (await (await get('/requests.json?service_code=road-light')).json()) as any[];
    expect(body).toHaveLength(1000);
    const times = body.map((r) => Date.parse(r.requested_datetime));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(validate(requestsSchema, body, refs)).toEqual([]);
  });

  it('unknown paths answer the error array', async () => {
    const res = await get('/tokens.json');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual([{ code: 404, description: expect.any(String) }]);
  });
});
