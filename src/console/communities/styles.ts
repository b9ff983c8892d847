/** Styles of the 町内会 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const COMMUNITIES_CSS = `
.i-usable{color:#054f31;background:#ecfdf3}
.i-revoked,.i-expired,.i-used_up{color:#344054;background:#f2f4f7}
dl.facts.card{margin:0 0 1rem}
`;
