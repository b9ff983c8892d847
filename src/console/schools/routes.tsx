import type { Child } from 'hono/jsx';
import { consoleRouter, type ConsoleContext } from '../kit';

/** The console's schools pages, mounted at /admin by ../app.tsx. */
export const schoolsPages = consoleRouter();

/** What needs doing in schools, for the dashboard; null when this staff member has nothing here. */
export async function schoolsCard(_c: ConsoleContext): Promise<Child> {
  return null;
}
