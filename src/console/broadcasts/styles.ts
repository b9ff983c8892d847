/** Styles of the 配信と承認 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const BROADCASTS_CSS = `
.s-draft,.s-cancelled{color:#344054;background:#f2f4f7}
.s-pending_approval{color:#7a2e0e;background:#fffaeb}
.s-scheduled,.s-sending{color:#1849a9;background:#eff8ff}
.s-sent{color:#054f31;background:#ecfdf3}
.s-partially_failed,.s-failed{color:#7a271a;background:#fef3f2}
.badge.urgent{color:#7a271a;background:#fef3f2;margin-left:.4rem}
.composer{display:grid;gap:1rem;grid-template-columns:minmax(0,1fr)}
@media (min-width:60rem){.composer{grid-template-columns:minmax(0,3fr) minmax(0,2fr);align-items:start}.composer .preview{position:sticky;top:1rem}}
.composer .preview h2{margin-top:0}
.hint{font-size:.9rem;margin:.25rem 0}
.text-block{margin:0 0 .5rem}
.check{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .5rem;margin:.75rem 0}
.check label{margin:0}
.check input{width:1.2rem;height:1.2rem}
.next-release{background:#eff8ff;border:1px solid #1849a9;color:#102a56;padding:.5rem .75rem;border-radius:6px}
.bubble-title{display:block}
.bubble-buttons{display:block;border-top:1px solid #d0d5dd;margin-top:.5rem;padding-top:.4rem;text-align:center}
.bubble-button{display:block;color:#0b57d0;font-weight:600}
.bubbles:empty::after{content:"（本文を入力するとここに表示されます）";color:#102a56}
.queue-item h2{margin-top:0}
.queue-item .bubbles{margin:.75rem 0}
.approval{display:grid;gap:.5rem;margin-top:.75rem;max-width:40rem}
.approval form.return label{margin-top:.5rem}
.approval form.return button{display:block;margin-top:.5rem}
.bubbles{margin:0 0 1rem}
#card-broadcasts,.returned h2,.progress-card h2{margin-top:0}
.bc-actions{align-items:center}
.progress-card .table-wrap{margin-top:1rem}
.returned .reason{white-space:pre-wrap}
dl.progress dd{font-variant-numeric:tabular-nums}
/* The list's dates do not wrap, so its table is wider than the base one; it scrolls inside its box. */
.bc-list table{min-width:64rem}
.bc-list th{white-space:nowrap}
.bc-list caption{text-align:left;padding:.4rem .6rem}
ul.plain{list-style:none;margin:0;padding:0}
ul.plain li{margin:.25rem 0}
`;
