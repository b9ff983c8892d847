import holidayJp from '@holiday-jp/holiday_jp';

// The package's own isHoliday() formats a Date in the runtime's local time zone (UTC in
// workerd), which would put every JST morning on the previous day; and it scans an array.
// The map it exports is keyed by the calendar day, which is what we have in JST.
const HOLIDAYS: Record<string, { name: string }> = holidayJp.holidays;

/** National holidays, substitute holidays (振替休日) and citizens' holidays, by JST date `YYYY-MM-DD`. */
export function nationalHoliday(date: string): string | null {
  return Object.hasOwn(HOLIDAYS, date) ? HOLIDAYS[date]!.name : null;
}
