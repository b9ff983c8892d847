/** Styles of the 職員 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const STAFF_CSS = ``;
