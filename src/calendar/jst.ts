/** Japan has no daylight saving time, so JST is always UTC+9. */
export const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface JstParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** Minutes since JST midnight. */
  minutes: number;
  /** `YYYY-MM-DD` of the JST calendar day. */
  date: string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

export function jstParts(ms: number): JstParts {
  const d = new Date(ms + JST_OFFSET_MS);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return {
    year,
    month,
    day,
    weekday: d.getUTCDay(),
    minutes: d.getUTCHours() * 60 + d.getUTCMinutes(),
    date: `${year}-${pad2(month)}-${pad2(day)}`,
  };
}

/** UTC ms of 00:00 JST on the JST day that contains `ms`: residents' "today" is Japan's. */
export function jstDayStart(ms: number): number {
  return Math.floor((ms + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS;
}

/** The JST calendar year: report numbers follow the Japanese new year, not UTC's. */
export function jstYear(ms: number): number {
  return new Date(ms + JST_OFFSET_MS).getUTCFullYear();
}

/** ISO 8601 (W3C) date-time in JST with its offset, to the second: `2026-11-28T12:34:56+09:00`. */
export function jstIsoString(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+09:00');
}

/** Date and time as Japanese readers write them, to the minute: `2026/11/28 09:05`. */
export function jstText(ms: number): string {
  const p = jstParts(ms);
  return `${p.year}/${pad2(p.month)}/${pad2(p.day)} ${pad2(Math.floor(p.minutes / 60))}:${pad2(p.minutes % 60)}`;
}

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];

/** The staff console's way of writing a time: `2026年12月2日(水) 09:00` (JST). */
export function jstLongText(ms: number): string {
  const p = jstParts(ms);
  return `${p.year}年${p.month}月${p.day}日(${WEEKDAYS_JA[p.weekday]}) ${pad2(Math.floor(p.minutes / 60))}:${pad2(p.minutes % 60)}`;
}

/** The value of an `<input type="datetime-local">` for a time, in JST: `2026-12-02T09:00`. */
export function jstLocalInput(ms: number): string {
  return jstIsoString(ms).slice(0, 16);
}

/** UTC ms of a JST wall-clock time, e.g. `jst('2026-12-04T08:30')`. */
export function jst(local: string): number {
  const ms = Date.parse(`${local}+09:00`);
  if (Number.isNaN(ms)) throw new Error(`not a JST date-time: ${local}`);
  return ms;
}

export function isJstDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00+09:00`);
  return !Number.isNaN(ms) && jstParts(ms).date === s;
}
