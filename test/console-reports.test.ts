import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { db } from '../src/db/client';
import { countReportsByStatus } from '../src/reports/queries';
import { jpegWithGps } from './helpers/images';
import { api, newStaff } from './helpers/api';
import { navLabels, signIn, textOf, type Browser } from './helpers/console';
import { resident, storedReport } from './helpers/reports';

/** The console's 通報 pages (issue 13): who may see them, the list (filters, counts, paging), the dashboard card; the detail is in console-reports-detail.test.ts. */

async function reportRow(id: string) {
  return (await env.DB.prepare('SELECT * FROM reports WHERE id = ?').bind(id).first<Record<string, any>>())!;
}

async function manager(): Promise<Browser> {
  return signIn((await newStaff(['report_manager'])).token);
}

/** A word no other report carries, so a search finds exactly this test's reports. */
const marker = () => `mk${crypto.randomUUID().slice(0, 8)}`;

describe('who may see the 通報 pages', () => {
  it.each([
    ['report_manager', true],
    ['admin', true],
    ['broadcaster', false],
    ['school_staff', false],
  ] as const)('%s', async (role, allowed) => {
    const reporter = await resident();
    const r = await storedReport(reporter, { photos: [jpegWithGps()] });
    const s = await newStaff([role], role === 'school_staff' ? { schools: ['s1'] } : {});
    const b = await signIn(s.token);
    const dash = await b.get('/admin');
    expect(navLabels(dash.html).includes('通報')).toBe(allowed);
    expect(dash.html.includes('id="card-reports"')).toBe(allowed);
    const pages = [
      '/admin/reports',
      '/admin/reports.csv',
      `/admin/reports/${r.id}`,
      `/admin/reports/${r.id}/photos/${r.photoIds[0]}`,
    ];
    for (const path of pages) {
      const page = await b.get(path);
      expect(`${path} → ${page.status}`).toBe(`${path} → ${allowed ? 200 : 403}`);
      if (!allowed) {
        expect(page.headers.get('content-type')).toMatch(/text\/html/);
        expect(page.html).toContain('権限がありません');
      }
    }
    const post = await b.post(`/admin/reports/${r.id}/status`, { status: 'accepted' });
    expect(post.status).toBe(allowed ? 303 : 403);
    expect((await reportRow(r.id)).status).toBe(allowed ? 'accepted' : 'received');
  });
});

describe('the list', () => {
  it('newest first across all statuses, with the API filters, status in words, counts and a 検索 box', async () => {
    const reporter = await resident();
    const m = marker();
    const t0 = Date.UTC(2026, 6, 1, 3, 0, 0) + Math.floor(Math.random() * 1e6);
    const made = [];
    for (let i = 0; i < 4; i++)
      made.push(
        await storedReport(reporter, {
          at: t0 + i * 86_400_000,
          description: `${m} 穴 ${i}`,
          categoryCode: i < 2 ? 'road' : 'park',
          subtypeCode: i < 2 ? 'road-step' : 'park-tree',
          departmentId: i < 2 ? 'road' : 'park',
        }),
      );
    await api(`/reports/${made[1]!.id}`, { method: 'PATCH', body: { status: 'in_progress' } });
    await api(`/reports/${made[3]!.id}`, { method: 'PATCH', body: { status: 'resolved' } });
    const b = await manager();
    const numbers = (html: string) => [...html.matchAll(/>(R-\d{4}-\d{6,})<\/a>/g)].map((x) => x[1]);
    const list = (qs: string) => b.get(`/admin/reports?q=${m}&${qs}`);

    let page = await list('');
    expect(page.status).toBe(200);
    expect(numbers(page.html)).toEqual(made.map((x) => x.number).reverse());
    expect(page.html).toMatch(/<label for="f-q">検索<\/label>/);
    expect(page.html).toMatch(/<button type="submit">絞り込む<\/button>/);
    // Each number links to its detail; each status is a coloured badge with its word.
    expect(page.html).toContain(`<a href="/admin/reports/${made[0]!.id}">${made[0]!.number}</a>`);
    expect(page.html).toContain('<span class="badge s-in_progress">対応中</span>');
    expect(page.html).toContain('<span class="badge s-resolved">対応完了</span>');
    // Counts by status under the other filters: 2 受付済, 1 対応中, 1 対応完了.
    const counts = textOf(/<section class="card counts"[\s\S]*?<\/section>/.exec(page.html)![0]);
    expect(counts).toContain('すべて 4件');
    expect(counts).toContain('受付済 2件');
    expect(counts).toContain('対応中 1件');
    expect(counts).toContain('対応完了 1件');

    page = await list('status=received');
    expect(numbers(page.html)).toEqual([made[2]!.number, made[0]!.number]);
    expect(textOf(page.html)).toContain('すべて 4件');
    page = await list('category=park');
    expect(numbers(page.html)).toEqual([made[3]!.number, made[2]!.number]);
    page = await list('department=road&sort=oldest');
    expect(numbers(page.html)).toEqual([made[0]!.number, made[1]!.number]);
    page = await list('subtype=park-tree&status=resolved');
    expect(numbers(page.html)).toEqual([made[3]!.number]);
    // A period of JST days, both ends included.
    const day = (ms: number) => new Date(ms + 9 * 3_600_000).toISOString().slice(0, 10);
    page = await list(`from=${day(t0 + 86_400_000)}&to=${day(t0 + 2 * 86_400_000)}`);
    expect(numbers(page.html)).toEqual([made[2]!.number, made[1]!.number]);
    // Empty boxes of the form are no filter.
    page = await list('status=&category=&department=&from=&to=&subtype=');
    expect(numbers(page.html)).toHaveLength(4);
    // What the filter form shows keeps what was asked.
    page = await list('status=resolved');
    expect(page.html).toMatch(/<option value="resolved" selected="">対応完了<\/option>/);
    expect(page.html).toContain(`value="${m}"`);
  });

  it('exports the filtered list as CSV, as the API does, and audits it', async () => {
    const reporter = await resident();
    const m = marker();
    const a = await storedReport(reporter, { description: `${m} a`, categoryCode: 'park', subtypeCode: 'park-tree' });
    const b2 = await storedReport(reporter, { description: `${m} b` });
    const s = await newStaff(['report_manager']);
    const b = await signIn(s.token);
    const list = await b.get(`/admin/reports?q=${m}&category=park`);
    const href = /<a href="([^"]+)">この条件でCSVをダウンロード<\/a>/.exec(list.html)![1]!.replace(/&amp;/g, '&');
    expect(href).toBe(`/admin/reports.csv?q=${m}&category=park`);
    const csv = await b.get(href);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.html).toContain(a.number);
    expect(csv.html).not.toContain(b2.number);
    expect(csv.html).not.toContain(reporter);
    const row = await env.DB.prepare(
      "SELECT detail FROM audit_log WHERE action = 'report.export' AND staff_id = ? ORDER BY id DESC",
    )
      .bind(s.id)
      .first<{ detail: string }>();
    expect(JSON.parse(row!.detail)).toMatchObject({ format: 'csv', count: 1, q: m, category: 'park', via: 'console' });
  });

  it('a filter the API would refuse is a 400 page with the reason in role="alert"', async () => {
    const b = await manager();
    for (const qs of ['status=open', 'from=yesterday', 'cursor=abc']) {
      const page = await b.get(`/admin/reports?${qs}`);
      expect(page.status, qs).toBe(400);
      expect(page.html).toMatch(/<p role="alert">条件を読み取れませんでした/);
    }
  });

  it('pages 50 at a time, newest first, nothing lost or repeated', async () => {
    const reporter = await resident();
    const m = marker();
    const t0 = Date.UTC(2026, 3, 1) + Math.floor(Math.random() * 1e6);
    const made: string[] = [];
    for (let i = 0; i < 53; i++)
      made.push((await storedReport(reporter, { at: t0 + i * 1000, description: `${m} ${i}` })).number);
    const b = await manager();
    const seen: string[] = [];
    let path = `/admin/reports?q=${m}`;
    for (let n = 0; n < 3; n++) {
      const page = await b.get(path);
      seen.push(...[...page.html.matchAll(/>(R-\d{4}-\d{6,})<\/a>/g)].map((x) => x[1]!));
      const next = /<a href="([^"]+)">次へ →<\/a>/.exec(page.html)?.[1];
      if (!next) break;
      expect(n).toBe(0);
      expect(seen).toHaveLength(50);
      path = next.replace(/&amp;/g, '&');
      expect(path).toContain(`q=${m}`);
    }
    expect(seen).toEqual([...made].reverse());
  });
});

describe('the dashboard card and the counts', () => {
  it('counts 受付済 and 対応中 with links to the filtered list', async () => {
    const before = await countReportsByStatus(db(env.DB), {});
    const r = await storedReport(await resident());
    await storedReport(await resident());
    await api(`/reports/${r.id}`, { method: 'PATCH', body: { status: 'in_progress' } });
    const after = await countReportsByStatus(db(env.DB), {});
    expect((after.received ?? 0) - (before.received ?? 0)).toBe(1);
    expect((after.in_progress ?? 0) - (before.in_progress ?? 0)).toBe(1);
    const page = await (await manager()).get('/admin');
    const card = textOf(/<section class="card" aria-labelledby="card-reports">[\s\S]*?<\/section>/.exec(page.html)![0]);
    // Other tests add reports meanwhile; the card says at least what was counted just now.
    const n = (label: string) => Number(new RegExp(`${label}: (\\d+)件`).exec(card)?.[1]);
    expect(n('受付済')).toBeGreaterThanOrEqual(after.received!);
    expect(n('対応中')).toBeGreaterThanOrEqual(after.in_progress!);
    expect(page.html).toContain('href="/admin/reports?status=received"');
    expect(page.html).toContain('href="/admin/reports?status=in_progress"');
  });

  it('countReportsByStatus takes the list’s filters', async () => {
    const m = marker();
    const r = await storedReport(await resident(), { description: m, categoryCode: 'park', subtypeCode: 'park-tree' });
    await storedReport(await resident(), { description: m });
    await api(`/reports/${r.id}/hide`, { method: 'POST', body: { reason: 'test' } });
    const d = db(env.DB);
    expect(await countReportsByStatus(d, { q: m })).toEqual({ received: 1 });
    expect(await countReportsByStatus(d, { q: m, hidden: 'include' })).toEqual({ received: 2 });
    expect(await countReportsByStatus(d, { q: m, hidden: 'include', category: 'park' })).toEqual({ received: 1 });
  });
});

describe('no LINE user ID in any page', () => {
  it('list, detail, history and dashboard name residents by handle or 「住民」 only', async () => {
    const reporter = await resident();
    const supporter = await resident();
    const m = marker();
    const r = await storedReport(reporter, { description: m, photos: [jpegWithGps()] });
    await env.DB.prepare('INSERT INTO report_supporters (report_id, line_user_id, created_at) VALUES (?, ?, ?)')
      .bind(r.id, supporter, Date.now())
      .run();
    const b = await signIn();
    await b.post(`/admin/reports/${r.id}/status`, { status: 'accepted', publicNote: '確認します' });
    for (const path of ['/admin', `/admin/reports?q=${m}`, `/admin/reports/${r.id}`]) {
      const html = (await b.get(path)).html;
      expect(html, path).not.toContain(reporter);
      expect(html, path).not.toContain(supporter);
      expect(html, path).not.toMatch(/U[0-9a-f]{32}/);
    }
  });
});
