/** Styles of the 通報 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const REPORTS_CSS = `
.s-accepted{color:#5d2e8c;background:#f7f0fd}
.s-not_city_managed{color:#344054;background:#f2f4f7}
.hidden-badge{color:#7a271a;background:#fef3f2;margin-left:.25rem}
.counts h2{margin-top:0;font-size:1rem}
.counts ul,ul.plain{list-style:none;margin:0;padding:0}
.counts ul{display:flex;flex-wrap:wrap;gap:.5rem 1rem}
.counts a{text-decoration:none;display:inline-flex;gap:.35rem;align-items:center}
.counts a[aria-current]{font-weight:700;text-decoration:underline}
.counts .n{color:#1a1a1a}
.prewrap{white-space:pre-wrap}
.pill{display:inline-block;margin:0 .75rem .25rem 0}
ul.photos{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem}
table.reports{min-width:62rem}
table.reports td:nth-child(3),table.reports td:nth-child(4){min-width:7rem}
table.reports td:nth-child(5){min-width:9rem}
table.reports td:nth-child(6){min-width:12rem}
.report-page .card>h2:first-child{margin-top:0}
.report-page code{font-size:.95rem}
.report-page>section{margin-bottom:1rem}
@media (max-width:30rem){.report-page dl.facts{grid-template-columns:1fr;gap:0}.report-page dl.facts dd{margin-bottom:.4rem}}
@media (min-width:64rem){.report-cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0 1rem;align-items:start}}
ul.photos img.photo{display:block;max-height:20rem;object-fit:contain;background:#f2f4f7}
`;
