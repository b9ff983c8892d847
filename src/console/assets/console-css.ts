/**
 * The console's one stylesheet, served at /admin/assets/console.css (no build step, no CDN).
 * Colours meet WCAG AA (≥ 4.5:1 on their backgrounds); focus is always visible; a status is
 * never told by colour alone (badges carry their words); tables scroll inside their own box,
 * so a 375 px phone never scrolls sideways.
 */
export const CONSOLE_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",Meiryo,sans-serif;line-height:1.6;color:#1a1a1a;background:#f6f7f9;overflow-wrap:anywhere}
a{color:#0b57d0}
a:hover{color:#083f99}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem}
.top{background:#0d3b66;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
.top a{color:#fff}
.brand{font-weight:700;text-decoration:none}
.top nav{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem;flex:1}
.top nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .9rem}
.top nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
.top .who{margin:0 0 0 auto;font-size:.9rem;color:#dbe7f3}
.top button.link{color:#fff}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.card{background:#fff;border:1px solid #d0d5dd;border-radius:8px;padding:1rem;margin:0 0 1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem}
.table-wrap{overflow-x:auto;max-width:100%;background:#fff;border:1px solid #d0d5dd;border-radius:8px}
table{border-collapse:collapse;width:100%;min-width:44rem}
caption{text-align:left;padding:.4rem .6rem}
td,th{overflow-wrap:break-word;word-break:normal}
td.nowrap,th.nowrap{white-space:nowrap}
th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #e4e7ec;vertical-align:top}
th{background:#eef1f5;font-weight:600}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input,select,textarea,button{font:inherit}
input[type=text],input[type=password],input[type=search],input[type=number],input[type=datetime-local],input[type=date],input[type=file],select,textarea{width:100%;max-width:40rem;padding:.45rem .55rem;border:1px solid #667085;border-radius:6px;background:#fff;color:#1a1a1a}
textarea{min-height:6rem}
button,.button{display:inline-block;padding:.5rem 1rem;border-radius:6px;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#0b57d0}
button.danger{background:#b42318;border-color:#b42318}
button.link{background:none;border:none;padding:0;color:#0b57d0;text-decoration:underline}
form.inline{display:inline}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
.filters label{margin-top:0}
.filters > div{min-width:10rem;flex:1}
[role=alert]{background:#fef3f2;border:1px solid #b42318;color:#7a271a;padding:.6rem .8rem;border-radius:6px}
.notice{background:#ecfdf3;border:1px solid #067647;color:#054f31;padding:.6rem .8rem;border-radius:6px}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.85rem;border:1px solid currentColor;white-space:nowrap}
.s-received{color:#7a2e0e;background:#fffaeb}
.s-in_progress{color:#1849a9;background:#eff8ff}
.s-resolved{color:#054f31;background:#ecfdf3}
.s-closed,.s-rejected,.s-duplicate{color:#344054;background:#f2f4f7}
.muted{color:#475467}
.pager{display:flex;gap:1rem;align-items:center;margin:1rem 0}
.secret{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.1rem;background:#fffaeb;border:1px dashed #b54708;padding:.5rem;display:inline-block}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
img.photo{max-width:100%;height:auto;border:1px solid #d0d5dd;border-radius:6px}
.bubbles{background:#8cabd9;padding:1rem;border-radius:8px;max-width:24rem}
.bubble{background:#fff;border-radius:1rem;padding:.6rem .8rem;margin:0 0 .5rem;white-space:pre-wrap}
.count{font-size:.85rem;color:#475467}
.count.over{color:#b42318;font-weight:700}
@media print{.top,.actions,.pager,.no-print{display:none}body{background:#fff}.slip{page-break-inside:avoid}}
`;
