/** Styles of the 学校 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const SCHOOLS_CSS = `
.subnav ul{list-style:none;margin:0 0 1rem;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;border-bottom:1px solid #d0d5dd}
.subnav a{display:inline-block;padding:.35rem 0}
.subnav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
dl.day-counts{grid-template-columns:repeat(auto-fill,minmax(4rem,max-content) minmax(3rem,max-content));margin:0 0 1rem}
.class-group h3{font-size:1.05rem;margin:1.25rem 0 .5rem;padding:.25rem .5rem;background:#eef1f5;border-radius:6px}
.absence h4{margin:0 0 .5rem;font-size:1rem;display:flex;flex-wrap:wrap;gap:.35rem;align-items:center}
.absence textarea{min-height:3.5rem}
.absence .actions{margin:.5rem 0 0}
.t-absence{color:#7a271a;background:#fef3f2}
.t-late{color:#7a2e0e;background:#fffaeb}
.t-early_leave{color:#1849a9;background:#eff8ff}
.a-submitted{color:#7a2e0e;background:#fffaeb}
.a-confirmed{color:#054f31;background:#ecfdf3}
.a-withdrawn,.a-late{color:#344054;background:#f2f4f7}
.import-errors{margin:.5rem 0 0;padding-left:1.25rem}
.csv-example{background:#f2f4f7;padding:.5rem;border-radius:6px;overflow-x:auto;font-size:.9rem}
.slips{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:1rem}
.slip{background:#fff;border:2px dashed #667085;border-radius:6px;padding:.75rem 1rem}
.slip p{margin:.25rem 0}
.slip ol{margin:.5rem 0;padding-left:1.25rem;font-size:.92rem}
.slip-school{font-weight:700}
.slip-name{font-size:1.05rem}
.slip-note,.slip-expiry{font-size:.85rem;color:#475467}
@media print{.slips{grid-template-columns:1fr 1fr;gap:0}.slip{border-radius:0;margin:0;break-inside:avoid}.subnav{display:none}main{padding:0;max-width:none}h1{font-size:1rem}}
`;
