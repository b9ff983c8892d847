import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's 町内会 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g. /communities). */
export const communitiesPages = consoleRouter();

/** What needs doing here, for the dashboard; null when nothing (or when the staff member may not see it). */
export async function communitiesCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
