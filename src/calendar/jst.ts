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
    date: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
  };
}

/** UTC ms of 00:00 JST on the JST day that contains `ms`. */
export function jstMidnight(ms: number): number {
  return Math.floor((ms + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS;
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
