import { createHash } from 'node:crypto';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { DB } from './client.ts';
import { SCHEMA_DIALECT } from './dialect.ts';

/**
 * The few places where the two engines need different code, kept here so that the core is written
 * once: prepared statements (SQLite prepares without a name, Postgres needs one), raw statements,
 * "is this handle a transaction", row locks, and the odd operator only one dialect has.
 */
const isPostgres = SCHEMA_DIALECT === 'postgres';

type Params = Record<string, unknown> | undefined;

/** A prepared statement on either engine; always awaited. */
export interface PreparedQuery<R> {
  all(params?: Params): Promise<R[]>;
  get(params?: Params): Promise<R | undefined>;
  run(params?: Params): Promise<void>;
}

/** Rows a drizzle builder yields when awaited. */
export type RowOf<B> = B extends PromiseLike<infer T> ? (T extends ReadonlyArray<infer E> ? E : T) : never;

interface SqlitePrepared {
  all(p?: Params): unknown[];
  get(p?: Params): unknown;
  run(p?: Params): unknown;
}
interface PgPrepared {
  execute(p?: Params): Promise<unknown>;
}

function wrap<R>(builder: unknown, name: string): PreparedQuery<R> {
  if (isPostgres) {
    const p = (builder as { prepare(name: string): PgPrepared }).prepare(name);
    const rows = async (params: Params) => {
      const out = await p.execute(params);
      return (Array.isArray(out) ? out : ((out as { rows?: unknown[] }).rows ?? [])) as R[];
    };
    return {
      all: rows,
      get: async (params) => (await rows(params))[0],
      run: async (params) => void (await p.execute(params)),
    };
  }
  const p = (builder as { prepare(): SqlitePrepared }).prepare();
  return {
    all: async (params) => p.all(params) as R[],
    get: async (params) => p.get(params) as R | undefined,
    run: async (params) => void p.run(params),
  };
}

const preparedCache = new WeakMap<object, Map<string, unknown>>();

/**
 * A drizzle statement built once per database handle and reused. Hot paths (auth, list and detail
 * reads) use these: building the SQL, and on SQLite preparing it, on every request cost more than
 * running the query. On Postgres the key is also the statement's name on each pooled connection.
 */
export function preparedQuery<B>(db: DB, key: string, build: (db: DB) => B): PreparedQuery<RowOf<B>> {
  let cache = preparedCache.get(db);
  if (!cache) preparedCache.set(db, (cache = new Map()));
  let q = cache.get(key) as PreparedQuery<RowOf<B>> | undefined;
  if (!q) cache.set(key, (q = wrap<RowOf<B>>(build(db), key.length > 60 ? key.slice(0, 60) : key)));
  return q;
}

/** A plain SQL statement with `?` placeholders, for the hottest writes where drizzle's mapping costs too much. */
export interface RawStatement<R> {
  all(db: DB, ...params: unknown[]): Promise<R[]>;
  get(db: DB, ...params: unknown[]): Promise<R | undefined>;
  run(db: DB, ...params: unknown[]): Promise<void>;
}

const sqliteParam = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

/**
 * Raw SQL written once for both engines (keep to the syntax both share). Values come back as the
 * driver gives them: JSON columns are text on SQLite and parsed on Postgres, booleans 0/1 on SQLite.
 */
export function rawStatement<R = Record<string, unknown>>(text: string): RawStatement<R> {
  if (isPostgres) {
    const query = pgQueryOf(text);
    const rows = async (db: DB, params: unknown[]) => (await pgClientOf(db).query(query.with(params))).rows as R[];
    return {
      all: (db, ...params) => rows(db, params),
      get: async (db, ...params) => (await rows(db, params))[0],
      run: async (db, ...params) => void (await rows(db, params)),
    };
  }
  const statements = new WeakMap<object, import('better-sqlite3').Statement>();
  const stmt = (db: DB) => {
    let s = statements.get(db.$client);
    if (!s) statements.set(db.$client, (s = db.$client.prepare(text)));
    return s;
  };
  return {
    all: async (db, ...params) => stmt(db).all(...params.map(sqliteParam)) as R[],
    get: async (db, ...params) => stmt(db).get(...params.map(sqliteParam)) as R | undefined,
    run: async (db, ...params) => void stmt(db).run(...params.map(sqliteParam)),
  };
}

type Rows = ReadonlyArray<readonly unknown[]>;

/** Inserts gathered for one insertTogether, in order. */
export type PendingInserts = Array<readonly [RawInsert, Rows]>;

/** Rows for one table, written by one statement (see rawInsert). */
export interface RawInsert {
  run(db: DB, rows: Rows): Promise<void>;
  /** The statement for `count` rows, with `?` placeholders. */
  text(count: number): string;
  /** The rows' values in placeholder order, each row checked against the columns. */
  values(rows: Rows): unknown[];
}

/**
 * `INSERT INTO table (columns) VALUES (…), (…), …` for any number of rows in one statement (batched
 * writes, such as a burst of POST /runs), prepared once per row count. `suffix` is appended as
 * written (e.g. `ON CONFLICT DO NOTHING`, which both engines spell alike). JSON columns take
 * JSON text, as rawStatement's do.
 */
export function rawInsert(table: string, columns: readonly string[], suffix = ''): RawInsert {
  const byCount = new Map<number, RawStatement<never>>();
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const text = (count: number) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(count).fill(tuple).join(', ')}${suffix ? ` ${suffix}` : ''}`;
  const values = (rows: Rows) => {
    for (const r of rows) if (r.length !== columns.length) throw new Error(`${table}: a row has ${r.length} values for ${columns.length} columns`);
    return rows.flat();
  };
  const insert: RawInsert = {
    text,
    values,
    async run(db, rows) {
      if (!rows.length || holdInUnit(db, [[insert, rows]])) return;
      let stmt = byCount.get(rows.length);
      if (!stmt) byCount.set(rows.length, (stmt = rawStatement<never>(text(rows.length))));
      await stmt.run(db, ...values(rows));
    },
  };
  return insert;
}

/**
 * Several rawInserts written as one statement where that saves anything: on Postgres a chain of
 * data-modifying CTEs, one round trip instead of one per table (foreign keys are checked at the end
 * of the statement, so a row may name one inserted beside it, and the row triggers fire then too);
 * on SQLite, which has no round trips to save, each in turn.
 */
export async function insertTogether(db: DB, parts: ReadonlyArray<readonly [RawInsert, Rows]>): Promise<void> {
  const live = parts.filter(([, rows]) => rows.length);
  if (!live.length || holdInUnit(db, live)) return;
  if (!isPostgres || live.length < 2) {
    for (const [insert, rows] of live) await insert.run(db, rows);
    return;
  }
  await pgClientOf(db).query(pgChainQuery(live, []));
}

/** An open Postgres unit of work (postgres.ts runPgUnit), found by its transaction handle. */
export interface PgUnit {
  /** What notify() asked to send when the unit commits. */
  notifications: Array<[string, string]>;
  /**
   * Inserts held back while the unit has sent nothing yet. They go out right after its BEGIN, before
   * its first other statement; and a unit that does nothing else (a batch of POST /runs: its runs,
   * first events, context lines and jobs) is sent as one statement that Postgres commits on its
   * own, one round trip instead of three (BEGIN, the inserts, COMMIT).
   */
  held: PendingInserts;
  /** Set when the unit sends BEGIN: from then on its statements run in its transaction, in order. */
  begun: boolean;
}

/** The open Postgres units, by transaction handle. */
export const pgUnits = new WeakMap<object, PgUnit>();

/**
 * Holds inserts back in a Postgres unit that has sent nothing yet (PgUnit.held). Only inserts are
 * held: they return nothing the unit could read, and the unit still sees them, as they go out
 * before any later statement of it. A failure surfaces then, and fails the unit all the same.
 */
function holdInUnit(db: DB, parts: ReadonlyArray<readonly [RawInsert, Rows]>): boolean {
  if (!isPostgres) return false;
  const unit = pgUnits.get(db);
  if (!unit || unit.begun) return false;
  unit.held.push(...parts);
  return true;
}

/**
 * Inserts and notifications as one statement: the inserts as data-modifying CTEs, the last one the
 * statement itself unless notifications follow (`SELECT pg_notify(…)` over their list). Named, so
 * each connection parses and plans each shape (tables, row counts, notifications) once.
 */
export function pgChainQuery(parts: ReadonlyArray<readonly [RawInsert, Rows]>, notifications: ReadonlyArray<readonly [string, string]>): PgQueryConfig {
  const texts = parts.map(([insert, rows]) => insert.text(rows.length));
  const notes = notifications.length ? `SELECT pg_notify(c, p) FROM (VALUES ${notifications.map(() => '(?::text, ?::text)').join(', ')}) AS n (c, p)` : null;
  const last = notes ?? texts.pop();
  if (last === undefined) throw new Error('pgChainQuery: nothing to send');
  const text = texts.length ? `WITH ${texts.map((t, i) => `w${i} AS (${t})`).join(', ')} ${last}` : last;
  return pgQueryOf(text).with([...parts.flatMap(([insert, rows]) => insert.values(rows)), ...notifications.flat()]);
}

/** A node-postgres query config, named by its text. */
export interface PgQueryConfig {
  name: string;
  text: string;
  values: unknown[];
}

const pgQueries = new Map<string, { with(params: unknown[]): PgQueryConfig }>();

/** A statement written with `?` placeholders, as Postgres takes it ($1, $2, …), named by its text. */
function pgQueryOf(text: string): { with(params: unknown[]): PgQueryConfig } {
  let query = pgQueries.get(text);
  if (!query) {
    const parts = text.split('?');
    const name = statementName(text);
    const pgText = parts.reduce((acc, part, i) => `${acc}$${i}${part}`);
    query = {
      with(params) {
        if (params.length !== parts.length - 1) throw new Error(`statement expects ${parts.length - 1} parameters, got ${params.length}`);
        return { name, text: pgText, values: params };
      },
    };
    // Statements of fixed text, and one per shape of batch; a burst makes a few dozen shapes.
    if (pgQueries.size >= 5000) pgQueries.clear();
    pgQueries.set(text, query);
  }
  return query;
}

interface PgQueryable {
  query(q: PgQueryConfig): Promise<{ rows: unknown[] }>;
}

/**
 * The node-postgres client under a drizzle handle: the pooled connection of a unit's transaction,
 * or the pool itself for reads outside a unit. Raw statements go to it directly, named, so that
 * each connection parses and plans them once; through drizzle they were built and parsed anew on
 * every call.
 */
function pgClientOf(db: DB): PgQueryable {
  return (db as unknown as { session: { client: PgQueryable } }).session.client;
}

/** A statement's name on every connection: one per text (the text's hash; Postgres keeps 63 bytes of a name). */
function statementName(text: string): string {
  return `baton_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
}

/**
 * True when the handle is a transaction (a unit's), whose reads may see uncommitted writes: nothing
 * read through it may be cached. SQLite: the connection's state; Postgres: transactions are the
 * handles without a pool of their own.
 */
export function isTransaction(db: DB): boolean {
  const client = (db as { $client?: { inTransaction?: boolean } }).$client;
  return client ? client.inTransaction === true : true;
}

/**
 * `… FOR UPDATE SKIP LOCKED` on Postgres, so nodes leasing jobs at once each take different rows;
 * SQLite has one writer at a time and needs no row lock.
 */
export function skipLocked<Q>(query: Q): Q {
  return isPostgres ? (query as unknown as { for(s: string, o: object): Q }).for('update', { skipLocked: true }) : query;
}

/**
 * `… FOR UPDATE` on Postgres: a unit that reads a row, decides, then writes it holds the row until
 * it commits, so two nodes deciding about the same row (a cancel and the engine's step) take turns
 * and the second sees what the first wrote. SQLite runs one unit at a time and needs no row lock.
 */
export function forUpdate<Q>(query: Q): Q {
  return isPostgres ? (query as unknown as { for(s: string): Q }).for('update') : query;
}

/**
 * Takes the row locks of `query`'s rows (`FOR UPDATE`, in its order) for the rest of the unit,
 * without sending the rows back: one count over them, however many there are (an org's delete
 * locks all of its runs). A unit takes rows it will meet again in a known order this way, ahead of
 * a cascade that would take them in another. SQLite runs one unit at a time: nothing to do there.
 */
export async function lockRows(db: DB, query: SQLWrapper): Promise<void> {
  if (!isPostgres) return;
  const locked = (query as unknown as { for(s: string): SQLWrapper }).for('update');
  await (db as unknown as { execute(q: SQL): Promise<unknown> }).execute(sql`SELECT count(*) FROM (${locked}) AS locked`);
}

const pgNotify = isPostgres ? rawStatement('SELECT pg_notify(?, ?)') : null;

/**
 * Tells every node listening on `channel` (store.listen), once the unit `db` belongs to commits:
 * Postgres delivers a NOTIFY on commit, in commit order, and never for a rollback. Keep payloads to
 * ids (8,000 bytes at most); listeners read the rows. On SQLite one process owns the database and
 * nobody else listens: nothing to send.
 */
export async function notify(db: DB, channel: string, payload: string): Promise<void> {
  if (!pgNotify) return;
  // In a unit (store.ts), the notification rides along with its COMMIT (postgres.ts runPgUnit).
  const unit = pgUnits.get(db);
  if (unit) unit.notifications.push([channel, payload]);
  else await pgNotify.run(db, channel, payload);
}

/** `column IN (the elements of a JSON array passed as one parameter)`: a variable-length list in a prepared statement. */
export function inJsonArray(column: SQLWrapper, jsonArray: SQLWrapper | string): SQL {
  return isPostgres
    ? sql`${column} IN (SELECT jsonb_array_elements_text(${jsonArray}::jsonb))`
    : sql`${column} IN (SELECT value FROM json_each(${jsonArray}))`;
}

/**
 * The column, hidden from SQLite's index choice (`+column`) where a primary-key lookup must not
 * walk a wider index instead; Postgres plans such lookups by cost and needs no hint.
 */
export function unindexed(column: SQLWrapper): SQL {
  return isPostgres ? sql`${column}` : sql`+${column}`;
}

/** The larger of two values (SQLite's two-argument max, Postgres's greatest). */
export function greaterOf(a: SQLWrapper | SQL, b: SQLWrapper | SQL): SQL {
  return isPostgres ? sql`greatest(${a}, ${b})` : sql`max(${a}, ${b})`;
}

// Connection errors (class 08), shutdown / cannot connect now (57P01-57P03), too many connections,
// and the database itself gone from its server (3D000: dropped, or not restored yet). On SQLite, a
// connection already closed (a request still running while the node shuts down).
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300|3D000)$/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|The database connection is not open/i;

/**
 * True when an error means the database cannot be reached right now (Postgres down, restarting or
 * cut off), as opposed to a bug or bad data: the request deserves a 503 and a retry, not a 500.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  return someCause(
    e,
    ({ code, message }) =>
      (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || /^E(CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|PIPE)$/.test(code))) ||
      (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)),
  );
}

/** True when e, or an error up to five `cause`s below it (drizzle wraps the driver's), matches. */
function someCause(e: unknown, test: (err: { code?: unknown; message?: unknown }) => boolean): boolean {
  for (let err = e, depth = 0; err && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    if (test(err as { code?: unknown; message?: unknown })) return true;
  }
  return false;
}

/**
 * True when Postgres aborted a transaction to break a lock cycle (40P01) or a serialization
 * conflict (40001): nothing of it was written, and run again it will in all likelihood commit.
 */
export function isTransientConflict(e: unknown): boolean {
  return someCause(e, ({ code }) => code === '40P01' || code === '40001');
}

export const DATABASE_UNAVAILABLE = 'The database is not reachable; try again shortly';

/**
 * True when the database refused a text value it cannot store: Postgres holds no NUL character in
 * text or JSON (22021, 22P05), where SQLite would. The request's input is at fault, not the server.
 */
export function isUnstorableText(e: unknown): boolean {
  return someCause(e, ({ code }) => code === '22021' || code === '22P05');
}

const asyncCommit = isPostgres ? rawStatement('SET LOCAL synchronous_commit TO OFF') : null;

/**
 * Inside a unit: let its commit return before the WAL reaches disk (Postgres). Only for writes whose
 * loss in a crash harms nothing, such as rate counters; a crash can lose the last fraction of a
 * second of them, never corrupt anything. SQLite's units share the writer's group commit: nothing to do.
 */
export async function relaxDurability(tx: DB): Promise<void> {
  if (asyncCommit) await asyncCommit.run(tx);
}
