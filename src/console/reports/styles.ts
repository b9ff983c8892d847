/** Styles of the 通報 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const REPORTS_CSS = ``;
