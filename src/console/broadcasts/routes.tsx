import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's 配信と承認 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g. /broadcasts). */
export const broadcastsPages = consoleRouter();

/** What needs doing here, for the dashboard; null when nothing (or when the staff member may not see it). */
export async function broadcastsCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
