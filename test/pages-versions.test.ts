import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { DEFAULTS } from '../src/config';
import { pickVersion, POLICY_VERSIONS, TERMS_VERSIONS, type PageVersion } from '../src/pages/versions';

/** 1. `/terms` and `/policy` show their version and effective date; every terms version stays readable. */

const BASE = 'https://bot.example.jp';
const get = async (path: string) => {
  const res = await exports.default.fetch(`${BASE}${path}`);
  return { res, html: await res.text() };
};

describe('terms and policy versions', () => {
  it('/terms shows the configured version and its effective date', async () => {
    const { html } = await get('/terms');
    expect(html).toContain(`版：<span class="version">${env.TERMS_VERSION}</span>`);
    expect(html).toContain('施行日：<time class="effective" datetime="2026-11-01">2026年11月1日</time>');
  });

  it('/policy shows its own version and effective date', async () => {
    const latest = POLICY_VERSIONS.at(-1)!;
    const { html } = await get('/policy');
    expect(html).toContain(`版：<span class="version">${latest.version}</span>`);
    expect(html).toContain(`datetime="${latest.effective}"`);
  });

  it('every version of the terms is readable at /terms/<version>; an unknown one is a 404', async () => {
    for (const v of TERMS_VERSIONS) {
      const { res, html } = await get(`/terms/${v.version}`);
      expect(res.status).toBe(200);
      expect(html).toContain(`版：<span class="version">${v.version}</span>`);
      expect(html).toContain(v.doc.title);
    }
    expect((await get('/terms/1999-01-01')).res.status).toBe(404);
    expect((await get('/terms/%3Cscript%3E')).res.status).toBe(404);
  });

  it('a configured version with no text of its own shows the latest text under that version', async () => {
    const res = await app.request('/terms/2027-04-01', {}, { ...env, TERMS_VERSION: '2027-04-01' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('版：<span class="version">2027-04-01</span>');
    expect(html).toContain('2027年4月1日');
    expect(html).toContain(TERMS_VERSIONS.at(-1)!.doc.title);
    const plain = await app.request('/terms', {}, { ...env, TERMS_VERSION: '2027-04-01' });
    expect(await plain.text()).toContain('版：<span class="version">2027-04-01</span>');
  });

  it('picks versions as a table', () => {
    const doc = TERMS_VERSIONS[0]!.doc;
    const versions: PageVersion[] = [
      { version: 'v1', effective: '2025-01-01', doc },
      { version: 'v2', effective: '2026-01-01', doc: { ...doc, title: 'second' } },
    ];
    expect(pickVersion(versions, 'v1', 'v2')?.effective).toBe('2025-01-01');
    expect(pickVersion(versions, 'v2', 'v2')?.doc.title).toBe('second');
    expect(pickVersion(versions, 'v3', 'v3')).toMatchObject({ version: 'v3', effective: '2026-01-01' });
    expect(pickVersion(versions, '2027-01-01', '2027-01-01')?.doc.title).toBe('second');
    expect(pickVersion(versions, 'v3', 'v2')).toBeNull();
  });
});

describe("the terms' retention periods (5 (4))", () => {
  const main = (html: string) => html.slice(html.indexOf('<main>'), html.indexOf('</main>'));

  it('are the configured defaults', async () => {
    const { html } = await get('/terms');
    for (const text of [
      `対応の完了から${DEFAULTS.REPORT_PHOTO_RETENTION_DAYS}日`,
      `最終日）から${DEFAULTS.ABSENCE_RETENTION_DAYS}日`,
      `送信から${DEFAULTS.DELIVERY_RETENTION_DAYS}日`,
      `友だち追加されないまま${DEFAULTS.ANONYMISE_AFTER_UNFOLLOW_DAYS}日`,
      `<strong>職員の操作の記録（監査記録）</strong><br>${DEFAULTS.AUDIT_RETENTION_DAYS}日`,
    ])
      expect(main(html), text).toContain(text);
  });

  it('follow a change in [vars], on /terms and on /terms/<version>', async () => {
    const vars = {
      ...env,
      REPORT_PHOTO_RETENTION_DAYS: '365',
      ABSENCE_RETENTION_DAYS: '200',
      DELIVERY_RETENTION_DAYS: '30',
      ANONYMISE_AFTER_UNFOLLOW_DAYS: '60',
      AUDIT_RETENTION_DAYS: '1825',
    };
    for (const path of ['/terms', `/terms/${env.TERMS_VERSION}`]) {
      const html = main(await (await app.request(path, {}, vars)).text());
      expect(html, path).toContain('対応の完了から365日');
      expect(html, path).toContain('最終日）から200日');
      expect(html, path).toContain('送信から30日');
      expect(html, path).toContain('友だち追加されないまま60日');
      expect(html, path).toContain('</strong><br>1825日');
      expect(html, path).not.toContain(`${DEFAULTS.REPORT_PHOTO_RETENTION_DAYS}日`);
    }
  });

  it('leave no placeholder unfilled in any version of the terms or the policy', async () => {
    const paths = [...TERMS_VERSIONS.map((v) => `/terms/${v.version}`), '/terms', '/policy'];
    for (const path of paths) expect(main((await get(path)).html), path).not.toMatch(/\{\w+\}/);
  });
});
