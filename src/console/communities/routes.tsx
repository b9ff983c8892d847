import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's communities pages, mounted at /admin by ../app.tsx. */
export const communitiesPages = consoleRouter();

/** What needs doing in communities, for the dashboard; null when this staff member has nothing here. */
export async function communitiesCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
