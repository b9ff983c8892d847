import type { Context } from 'hono';
import type { StaffPrincipal } from '../admin/auth';
import type { Db } from '../db/client';
import type { ConsoleSession } from './session';

/** Hono env of every console router: after the session middleware, `staff`, `db` and `session` are set. */
export interface ConsoleEnv {
  Bindings: Env;
  Variables: { staff: StaffPrincipal; db: Db; session: ConsoleSession; nonce: string };
}
export type ConsoleContext = Context<ConsoleEnv>;
