/** Styles of the 町内会 pages, appended to the console's one stylesheet (/admin/assets/console.css). */
export const COMMUNITIES_CSS = ``;
