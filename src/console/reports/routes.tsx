import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's 通報 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g. /reports). */
export const reportsPages = consoleRouter();

/** What needs doing here, for the dashboard; null when nothing (or when the staff member may not see it). */
export async function reportsCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
