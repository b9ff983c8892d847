import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { config } from '../src/config';
import policy from '../src/pages/content/policy.ja.json';
import terms from '../src/pages/content/terms.ja.json';
import { escapeHtml } from '../src/pages/document';
import { POLICY_VERSIONS } from '../src/pages/versions';

const BASE = 'https://bot.example.jp';

async function get(path: string, init?: RequestInit) {
  const res = await exports.default.fetch(`${BASE}${path}`, init);
  return { res, html: await res.text() };
}

/** Renders a page with configuration values of our own (the worker under test has those of the vitest config). */
async function renderWith(path: string, vars: Partial<Record<'TERMS_VERSION' | 'CONTACT_EMAIL', string>>) {
  const res = await app.request(path, {}, { ...env, ...vars });
  return { res, html: await res.text() };
}

/** The visible text of an HTML fragment: tags dropped, the five escapes undone. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function section(html: string, id: string): string {
  const m = html.match(new RegExp(`<section id="${id}"[\\s\\S]*?</section>`));
  if (!m) throw new Error(`no section #${id}`);
  return m[0];
}

describe.each(['/terms', '/policy'])('GET %s: happy path', (path) => {
  it('answers 200 with a UTF-8 HTML page in Japanese, readable on a phone, cached briefly', async () => {
    const { res, html } = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8$/i);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(html).toMatch(/^<!doctype html>\n<html lang="ja">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<main>[\s\S]*<\/main>/);
  });

  it('shows its version and the contact e-mail from the configuration', async () => {
    const { termsVersion, contactEmail } = config(env);
    const { html } = await get(path);
    const version = path === '/terms' ? termsVersion : POLICY_VERSIONS.at(-1)!.version;
    expect(html).toContain(`版：<span class="version">${version}</span>`);
    expect(html).toContain(`<a href="mailto:${contactEmail}">${contactEmail}</a>`);
  });

  it('loads nothing from elsewhere and runs no script', async () => {
    const { res, html } = await get(path);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|@import|url\(/i);
    // Every link stays on this site, or is the mailto of the contact address.
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^(\/|#|mailto:)/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('links both pages to each other and marks the current one', async () => {
    const { html } = await get(path);
    expect(html).toContain(`<a href="${path}" aria-current="page">`);
    expect(html).toContain(`<a href="${path === '/terms' ? '/policy' : '/terms'}">`);
  });

  it('has one h1 and a table of contents pointing at every section', async () => {
    const doc = path === '/terms' ? terms : policy;
    const { html } = await get(path);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    for (const s of doc.sections) {
      expect(html).toContain(`<a href="#${s.id}">`);
      expect(html).toContain(`<section id="${s.id}"`);
    }
  });

  it('answers HEAD without a body', async () => {
    const res = await exports.default.fetch(`${BASE}${path}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('GET /terms: content', () => {
  it('keeps the city’s wording: preamble and all four articles', async () => {
    const { html } = await get('/terms');
    const text = textOf(html);
    expect(text).toContain('岡山市役所公式LINE利用規約');
    expect(text).toContain('内容を確認し、同意いただいた上でご利用ください。');
    for (const h of ['1 遵守事項', '2 知的財産権の帰属', '3 免責事項', '4 利用規約の変更']) {
      expect(text).toContain(h);
    }
  });

  it('lists the eleven prohibited acts (禁止事項) in order', async () => {
    const { html } = await get('/terms');
    const rules = section(html, 'rules');
    expect(rules).toContain('禁止事項');
    const list = rules.match(/<ol class="items" aria-label="禁止事項">([\s\S]*?)<\/ol>/);
    expect(list).not.toBeNull();
    const items = [...list![1]!.matchAll(/<li><span class="n">\((\d+)\)<\/span>/g)].map((m) => Number(m[1]));
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(textOf(rules)).toContain(
      '(6)他の利用者又は第三者に関して、住所・電話番号・メールアドレス等の個人情報を特定・開示・漏えいする等',
    );
    expect(textOf(rules)).toContain('(11)その他デジタル推進課が不適切と判断した行為');
  });

  it('says what personal information the service handles, why, how long, and under which law (個人情報)', async () => {
    const { html } = await get('/terms');
    const privacy = textOf(section(html, 'privacy'));
    expect(privacy).toContain('5 個人情報の取扱い');
    expect(privacy).toContain('個人情報の保護に関する法律');
    for (const handled of ['LINEユーザーID', '表示言語', '利用規約に同意した日時', '位置情報', '写真', '欠席連絡']) {
      expect(privacy).toContain(handled);
    }
    for (const heading of ['取り扱う個人情報', '利用目的', '保存期間', '開示等の請求'])
      expect(privacy).toContain(heading);
    // The request for disclosure goes to the configured contact address.
    expect(privacy).toContain(`電子メール（${config(env).contactEmail}）`);
  });
});

describe('GET /policy: content', () => {
  it('keeps the city’s wording, with the configured contact e-mail in §6', async () => {
    const { html } = await get('/policy');
    const text = textOf(html);
    expect(text).toContain('岡山市役所公式LINE運用ポリシー');
    expect(text).toContain('@okayamacity');
    expect(text).toContain('年末・年始・祝日を除く月曜日から金曜日の午前8時30分から午後6時まで');
    expect(text).toContain('原則として、利用者からのコメント等に対して行政からの個別返信は行いません。');
    expect(textOf(section(html, 'rules'))).toContain(`E-mail : ${config(env).contactEmail}`);
  });

  it('has §8 on personal information (個人情報) and points to the details in the terms', async () => {
    const { html } = await get('/policy');
    const privacy = section(html, 'privacy');
    expect(textOf(privacy)).toContain('8 個人情報に関する取り扱い');
    expect(textOf(privacy)).toContain('個人情報の保護に関する法律に基づき、適切に取り扱います。');
    expect(privacy).toContain('<a href="/terms#privacy">');
  });
});

describe('pages: configuration values are escaped', () => {
  it('escapes a terms version and an e-mail address containing markup', async () => {
    const evil = {
      TERMS_VERSION: '2027-01-01<script>alert(1)</script>',
      CONTACT_EMAIL: 'dx"><img src=x onerror=alert(1)>@city.okayama.jp',
    };
    for (const path of ['/terms', '/policy']) {
      const { res, html } = await renderWith(path, evil);
      expect(res.status).toBe(200);
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      // The policy shows its own version; the terms show the configured one.
      if (path === '/terms') expect(html).toContain(escapeHtml(evil.TERMS_VERSION));
      expect(html).toContain(`>${escapeHtml(evil.CONTACT_EMAIL)}</a>`);
      // The address inside the mailto attribute cannot break out of its quotes.
      for (const [, href] of html.matchAll(/href="mailto:([^"]*)"/g)) expect(href).not.toMatch(/[<>"]/);
    }
  });

  it('falls back to the defaults when the values are not configured', async () => {
    const { html } = await renderWith('/terms', { TERMS_VERSION: '', CONTACT_EMAIL: '' });
    expect(html).toContain('版：<span class="version">2026-11-01</span>');
    expect(html).toContain('<a href="mailto:dx@city.okayama.jp">dx@city.okayama.jp</a>');
  });
});

describe('pages: other methods and paths', () => {
  it('does not accept POST', async () => {
    const res = await exports.default.fetch(`${BASE}/terms`, { method: 'POST' });
    expect(res.status).toBe(404);
  });

  it('does not serve the content files themselves', async () => {
    const res = await exports.default.fetch(`${BASE}/content/terms.ja.json`);
    expect(res.status).toBe(404);
  });
});
