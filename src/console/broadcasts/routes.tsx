import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's broadcasts pages, mounted at /admin by ../app.tsx. */
export const broadcastsPages = consoleRouter();

/** What needs doing in broadcasts, for the dashboard; null when this staff member has nothing here. */
export async function broadcastsCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
