/** Styles of the 配信と承認 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const BROADCASTS_CSS = ``;
