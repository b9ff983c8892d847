import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = ReturnType<typeof db>;

function build(d1: D1Database) {
  return drizzle(d1, { schema });
}

// drizzle works out the relations of the whole schema for each new client: once per binding is enough.
const clients = new WeakMap<D1Database, ReturnType<typeof build>>();

export function db(d1: D1Database) {
  let client = clients.get(d1);
  if (!client) {
    client = build(d1);
    clients.set(d1, client);
  }
  return client;
}
