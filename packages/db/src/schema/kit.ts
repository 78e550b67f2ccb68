import * as s from 'drizzle-orm/sqlite-core';
import * as p from 'drizzle-orm/pg-core';
import { SCHEMA_DIALECT } from '../dialect.ts';

/**
 * The column kit every table is declared with, once, for both engines. It is chosen when this
 * module loads (see dialect.ts): SQLite's builders by default, Postgres's when the process runs
 * on Postgres. The query code is the same for both (awaited drizzle builders), so the tables are
 * typed with SQLite's builders; only these few column kinds differ between the dialects:
 *
 * | kit            | SQLite                       | Postgres                    |
 * |----------------|------------------------------|-----------------------------|
 * | `integer`      | integer (64-bit)             | bigint, read as a JS number |
 * | `bool`         | integer 0/1                  | boolean                     |
 * | `json<T>()`    | text holding JSON            | jsonb                       |
 * | `text`         | text                         | text                        |
 *
 * Integers are 64-bit on both so micro-credit amounts and millisecond times fit anywhere; they
 * stay below 2^53, so reading them as numbers loses nothing.
 */
const sqliteKit = {
  table: s.sqliteTable,
  text: s.text,
  integer: (name: string) => s.integer(name),
  bool: (name: string) => s.integer(name, { mode: 'boolean' }),
  json: <T>(name: string) => s.text(name, { mode: 'json' }).$type<T>(),
  index: s.index,
  uniqueIndex: s.uniqueIndex,
  primaryKey: s.primaryKey,
};

const pgKit = {
  table: p.pgTable,
  text: p.text,
  integer: (name: string) => p.bigint(name, { mode: 'number' }),
  bool: (name: string) => p.boolean(name),
  json: <T>(name: string) => p.jsonb(name).$type<T>(),
  index: p.index,
  uniqueIndex: p.uniqueIndex,
  primaryKey: p.primaryKey,
};

const kit = (SCHEMA_DIALECT === 'postgres' ? pgKit : sqliteKit) as unknown as typeof sqliteKit;

export const { table, text, integer, bool, json, index, uniqueIndex, primaryKey } = kit;
