import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's reports pages, mounted at /admin by ../app.tsx. */
export const reportsPages = consoleRouter();

/** What needs doing in reports, for the dashboard; null when this staff member has nothing here. */
export async function reportsCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
