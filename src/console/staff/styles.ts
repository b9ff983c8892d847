/** Styles of the 職員 and admin pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const STAFF_CSS = `
fieldset.roles,fieldset.scope{border:1px solid #d0d5dd;border-radius:6px;margin:1rem 0;padding:.5rem .75rem;max-width:40rem}
fieldset legend{font-weight:600;padding:0 .25rem}
.check{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 .5rem;margin:.25rem 0}
.check label{display:inline;margin:0}
.check .hint{flex-basis:100%;padding-left:1.6rem;font-size:.85rem}
.choices{max-height:14rem;overflow-y:auto}
.scope-line{display:block}
.st-active{color:#054f31;background:#ecfdf3}
.st-suspended{color:#7a2e0e;background:#fffaeb}
.st-revoked{color:#344054;background:#f2f4f7}
.token .warn{background:#fffaeb;border:1px solid #b54708;color:#7a2e0e;padding:.6rem .8rem;border-radius:6px}
.token .secret{word-break:break-all;max-width:100%}
.card form + form{margin-top:1rem;border-top:1px solid #e4e7ec;padding-top:.5rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,14rem),1fr));gap:.5rem;list-style:none;padding:0;max-width:48rem}
.tiles li{border:1px solid #d0d5dd;border-radius:6px;padding:.5rem;background:#fff}
img.richmenu{max-width:min(100%,48rem);height:auto;border:1px solid #d0d5dd;border-radius:6px}
form.row-action{display:inline}
.field-hint{display:block;font-size:.85rem}
.table-wrap.list{margin-bottom:1rem}
`;
