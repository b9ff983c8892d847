import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's 学校 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g. /schools). */
export const schoolsPages = consoleRouter();

/** What needs doing here, for the dashboard; null when nothing (or when the staff member may not see it). */
export async function schoolsCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
