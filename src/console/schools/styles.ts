/** Styles of the 学校 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const SCHOOLS_CSS = ``;
