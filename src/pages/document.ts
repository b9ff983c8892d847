/**
 * The terms of use and the operating policy are data (content/*.json), rendered here as
 * plain, accessible HTML: no scripts, no external assets, every piece of text escaped.
 * Placeholders in the text: {contactEmail} (a mailto link), {termsVersion}, and the retention
 * periods by their config name ({reportPhotoDays} …, in days), so the terms cannot disagree with
 * what the clean-up does. A placeholder with no value is left as written (a test looks for one).
 */
import type { Config } from '../config';

export interface PageDocument {
  title: string;
  preamble: string[];
  sections: Section[];
}

export interface Section {
  /** The fragment a link can point at (`/terms#privacy`). */
  id: string;
  heading: string;
  /** Written for this service, not part of the city's published text (kept for maintainers; not shown). */
  added?: boolean;
  blocks: Block[];
}

export type Block =
  | { p: string; added?: boolean }
  | { h3: string; added?: boolean }
  | { link: { href: string; text: string }; added?: boolean }
  | { items: Item[]; label?: string; added?: boolean };

export interface Item {
  /** The city's own numbering, "(1)" or "ア", kept as text so it reads the same as the printed version. */
  n: string;
  title?: string;
  text?: string;
  items?: Item[];
  /** A paragraph that closes the item, after its sub-items. */
  after?: string;
}

export interface PageValues {
  termsVersion: string;
  contactEmail: string;
  retention: Config['retention'];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** Escapes the text, then puts the configured values in place of the placeholders (escaped too). */
function inline(text: string, v: PageValues): string {
  const days: Record<string, number> = v.retention;
  return escapeHtml(text).replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    if (name === 'contactEmail') return mailto(v.contactEmail);
    if (name === 'termsVersion') return escapeHtml(v.termsVersion);
    return Object.hasOwn(days, name) ? String(days[name]) : placeholder;
  });
}

function mailto(email: string): string {
  return `<a href="mailto:${escapeHtml(encodeURI(email))}">${escapeHtml(email)}</a>`;
}

function renderItems(items: Item[], v: PageValues, label?: string): string {
  const aria = label ? ` aria-label="${escapeHtml(label)}"` : '';
  const lis = items.map((item) => {
    const n = item.n ? `<span class="n">${escapeHtml(item.n)}</span>` : '';
    const title = item.title ? `<strong>${inline(item.title, v)}</strong>` : '';
    const text = item.text ? `${title ? '<br>' : ''}${inline(item.text, v)}` : '';
    const sub = item.items?.length ? renderItems(item.items, v) : '';
    const after = item.after ? `<p>${inline(item.after, v)}</p>` : '';
    return `<li>${n}<div class="body">${title}${text}${sub}${after}</div></li>`;
  });
  return `<ol class="items"${aria}>${lis.join('')}</ol>`;
}

function renderBlock(block: Block, v: PageValues): string {
  if ('p' in block) return `<p>${inline(block.p, v)}</p>`;
  if ('h3' in block) return `<h3>${inline(block.h3, v)}</h3>`;
  if ('link' in block) return `<p><a href="${escapeHtml(block.link.href)}">${inline(block.link.text, v)}</a></p>`;
  return renderItems(block.items, v, block.label);
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1a1a1a;--bg:#fff;--muted:#555;--rule:#ddd;--link:#0645ad;--accent:#06c755}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#121212;--muted:#bbb;--rule:#444;--link:#8ab4f8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font-family:system-ui,-apple-system,"Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans JP","Noto Sans CJK JP",Meiryo,sans-serif;font-size:1rem;line-height:1.85;overflow-wrap:anywhere;line-break:strict}
header,main,footer{max-width:42rem;margin:0 auto;padding:0 1rem}
header{border-top:4px solid var(--accent);padding-top:1rem}
h1{font-size:1.4rem;line-height:1.5;margin:.5rem 0}
h2{font-size:1.15rem;line-height:1.5;margin:2rem 0 .5rem;padding-bottom:.25rem;border-bottom:1px solid var(--rule)}
h3{font-size:1rem;margin:1.25rem 0 .25rem}
p{margin:.5rem 0}
a{color:var(--link);text-decoration:underline;text-underline-offset:.15em}
a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.meta{color:var(--muted);font-size:.9rem;margin:0}
nav ul{list-style:none;padding:0;margin:.75rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
nav.toc ol{list-style:none;padding:0;margin:.25rem 0 1rem}
ol.items{list-style:none;padding:0;margin:.5rem 0}
ol.items li{display:flex;gap:.5em;margin:.35rem 0}
ol.items .n{flex:none;min-width:2.5em;font-variant-numeric:tabular-nums}
ol.items .body{flex:1;min-width:0}
footer{margin-top:2.5rem;padding-top:1rem;padding-bottom:2rem;border-top:1px solid var(--rule);color:var(--muted);font-size:.9rem}
`;

/** `2026-11-01` as Japanese readers write a date: 2026年11月1日. */
function dateJa(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : day;
}

export function renderPage(
  doc: PageDocument,
  v: PageValues,
  self: '/terms' | '/policy',
  shown: { version: string; effective: string },
): string {
  const nav = [
    ['/terms', '利用規約'],
    ['/policy', '運用ポリシー'],
  ]
    .map(([href, label]) =>
      href === self
        ? `<li><a href="${href}" aria-current="page">${label}</a></li>`
        : `<li><a href="${href}">${label}</a></li>`,
    )
    .join('');
  const toc = doc.sections.map((s) => `<li><a href="#${escapeHtml(s.id)}">${inline(s.heading, v)}</a></li>`).join('');
  const sections = doc.sections
    .map(
      (s) =>
        `<section id="${escapeHtml(s.id)}" aria-labelledby="${escapeHtml(s.id)}-h"><h2 id="${escapeHtml(s.id)}-h">${inline(s.heading, v)}</h2>${s.blocks
          .map((b) => renderBlock(b, v))
          .join('')}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<nav aria-label="ページ"><ul>${nav}</ul></nav>
<h1>${escapeHtml(doc.title)}</h1>
<p class="meta">版：<span class="version">${escapeHtml(shown.version)}</span>　施行日：<time class="effective" datetime="${escapeHtml(shown.effective)}">${escapeHtml(dateJa(shown.effective))}</time></p>
</header>
<main>
${doc.preamble.map((p) => `<p>${inline(p, v)}</p>`).join('\n')}
<nav class="toc" aria-label="目次"><ol>${toc}</ol></nav>
${sections}
</main>
<footer>
<p>岡山市 政策局政策部デジタル推進課（LINE ID：@okayamacity）</p>
<p>お問い合わせ：${mailto(v.contactEmail)}</p>
</footer>
</body>
</html>
`;
}
