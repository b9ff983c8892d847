import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's 職員 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g. /staff). */
export const staffPages = consoleRouter();

/** What needs doing here, for the dashboard; null when nothing (or when the staff member may not see it). */
export async function staffCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
