import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type pg from 'pg';
import { migrationsFolderFor, newestKnownMigration } from './migrate.ts';
import { describePostgresTarget, migratePostgres } from './postgres.ts';

/**
 * `baton db copy`: moves a SQLite Baton database (the data dir's baton.db) into an empty Postgres
 * database, keeping its history.
 *
 * It is written in plain SQL on purpose: the process's drizzle tables are declared in one dialect
 * (dialect.ts) and this module needs both. What it copies, and each column's type, comes from the
 * migrated target's catalog; the SQLite side only has to hold the same tables and columns, which
 * the migration check below makes sure of.
 *
 * - The source is read as one snapshot: a read-only connection and one read transaction around
 *   every count and every table scan. On a WAL database a server may keep writing meanwhile; the
 *   copy is the database as of the transaction's first read, never a torn mix.
 * - The target gets everything in one transaction: a failure anywhere (a refused row, a count
 *   that does not match) rolls it all back and leaves the target as empty as it was.
 * - Tables go in foreign-key order (parents first), derived from the target's constraints.
 * - Triggers that keep derived tables (runs → run_counts) are switched off for the copy, inside
 *   the transaction: the derived rows are copied as the source holds them instead of being counted
 *   a second time. They are on again when the transaction commits.
 */

export interface CopyOptions {
  /** The SQLite database file (the data dir's baton.db). */
  sqliteFile: string;
  /** postgres://… of an empty database (Baton's migrations are applied first). */
  postgresUrl: string;
  /** Called as the copy goes: once migrated, after each batch and once per table when it is done. */
  onProgress?: (p: CopyProgress) => void;
}

export type CopyProgress =
  | { kind: 'migrated' }
  | { kind: 'snapshot'; tables: number; rows: number }
  | { kind: 'table'; table: string; index: number; tables: number; copied: number; total: number; done: boolean }
  | { kind: 'verified' };

export interface CopyResult {
  /** Rows per table, in the order the tables were copied; equal in the source snapshot and the target. */
  tables: Array<{ table: string; rows: number }>;
  totalRows: number;
  /** When the source snapshot was taken (its first read). */
  snapshotAt: string;
}

/** A copy that was refused or did not add up; its message is meant for the operator as it is. */
export class DbCopyError extends Error {
  override name = 'DbCopyError';
}

/** Postgres refuses a statement with more bind parameters than this. */
const MAX_PARAMS = 65_535;
const MAX_ROWS_PER_BATCH = 1_000;
/** Roughly how much row data one INSERT carries at most (run events may hold large outputs). */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
const MIGRATIONS_TABLE = '__drizzle_migrations';
/** How long to wait for the target's tables when something else holds them. */
const LOCK_TIMEOUT_MS = 10_000;

type ValueKind = 'bool' | 'json' | 'bytes' | 'other';

interface TargetColumn {
  name: string;
  /** format_type(): what each bind parameter is cast to. */
  sqlType: string;
  kind: ValueKind;
  /** Values for it come from a sequence, which is moved past the copied values afterwards. */
  sequence: string | null;
  identityAlways: boolean;
}

interface TargetTable {
  name: string;
  columns: TargetColumn[];
  /** Tables it references (foreign keys), itself excluded. */
  parents: Set<string>;
  /** Enabled user triggers, switched off during the copy. */
  triggers: string[];
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/** host:port/database, never the user or password. */
export async function copySqliteToPostgres({ sqliteFile, postgresUrl, onProgress }: CopyOptions): Promise<CopyResult> {
  const progress = onProgress ?? (() => {});
  if (!existsSync(sqliteFile)) throw new DbCopyError(`no SQLite database at ${sqliteFile}`);
  const source = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    checkSourceVersion(source, sqliteFile);

    const { default: pgDriver } = await import('pg');
    const client = new pgDriver.Client({ connectionString: postgresUrl, application_name: 'baton-db-copy', connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => {});
      throw new DbCopyError(`cannot connect to PostgreSQL at ${describePostgresTarget(postgresUrl, 'the given address')}: ${(e as Error)?.message ?? String(e)}`);
    }
    client.on('error', () => {});
    try {
      await migratePostgres(postgresUrl);
      progress({ kind: 'migrated' });
      return await copyInto(client, source, progress);
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    if (source.inTransaction) source.exec('ROLLBACK');
    source.close();
  }
}

/** The source must be at exactly the schema this build knows, so its tables match the target's. */
function checkSourceVersion(source: Database.Database, file: string): void {
  const hasJournal = source.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(MIGRATIONS_TABLE);
  if (!hasJournal) throw new DbCopyError(`${file} is not a Baton database (it has no migrations table)`);
  const last = Number(source.prepare(`SELECT max(created_at) FROM ${q(MIGRATIONS_TABLE)}`).pluck().get() ?? 0);
  const known = newestKnownMigration(migrationsFolderFor('sqlite'));
  if (last > known) throw new DbCopyError(`${file} was migrated by a newer version of Baton; copy it with that version`);
  if (last < known) {
    throw new DbCopyError(`${file} predates this version of Baton: start this version on it once (npm start) so it applies its migrations, stop it, then copy`);
  }
}

async function copyInto(client: pg.Client, source: Database.Database, progress: (p: CopyProgress) => void): Promise<CopyResult> {
  const targets = await readTargetTables(client);
  const order = foreignKeyOrder(targets);

  await client.query('BEGIN');
  try {
    // Nobody writes to the target while it is checked and filled (a server started on it early).
    if (order.length) {
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT_MS}ms'`);
      try {
        await client.query(`LOCK TABLE ${order.map((t) => q(t.name)).join(', ')} IN EXCLUSIVE MODE`);
      } catch (e) {
        if ((e as { code?: string }).code !== '55P03') throw e;
        throw new DbCopyError(`the target database is in use: its tables could not be locked within ${LOCK_TIMEOUT_MS / 1000} s; stop every Baton node on it and try again`);
      }
      await client.query(`SET LOCAL lock_timeout = 0`);
    }
    for (const t of order) {
      const any = await client.query(`SELECT 1 FROM ${q(t.name)} LIMIT 1`);
      if (any.rowCount) {
        const n = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${q(t.name)}`);
        throw new DbCopyError(`the target database is not empty: table ${t.name} has ${n.rows[0]!.n} rows; db copy only copies into an empty database`);
      }
    }

    // One read transaction over every read from here on: the snapshot starts at its first read.
    source.exec('BEGIN');
    const snapshotAt = new Date().toISOString();
    const sourceTables = new Map<string, { columns: string[]; rows: number }>();
    const names = source
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ?`)
      .pluck()
      .all(MIGRATIONS_TABLE) as string[];
    for (const name of names) {
      const columns = source.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[];
      const rows = Number(source.prepare(`SELECT count(*) FROM ${q(name)}`).pluck().get());
      sourceTables.set(name, { columns, rows });
    }
    const targetNames = new Set(order.map((t) => t.name));
    for (const [name, s] of sourceTables) {
      if (!targetNames.has(name) && s.rows > 0) {
        throw new DbCopyError(`table ${name} of the SQLite database (${s.rows} rows) has no counterpart in the target; nothing was copied`);
      }
    }
    const plan = order.map((t) => {
      const s = sourceTables.get(t.name);
      if (!s) return { target: t, columns: [] as TargetColumn[], rows: 0 };
      const targetCols = new Map(t.columns.map((c) => [c.name, c]));
      const extra = s.columns.filter((c) => !targetCols.has(c));
      if (extra.length) throw new DbCopyError(`column ${t.name}.${extra[0]} of the SQLite database has no counterpart in the target; nothing was copied`);
      // Target columns the source lacks (generated ones) keep their defaults.
      return { target: t, columns: t.columns.filter((c) => s.columns.includes(c.name)), rows: s.rows };
    });
    progress({ kind: 'snapshot', tables: plan.length, rows: plan.reduce((n, p) => n + p.rows, 0) });

    for (const t of order) for (const trigger of t.triggers) await client.query(`ALTER TABLE ${q(t.name)} DISABLE TRIGGER ${q(trigger)}`);

    const copied = new Map<string, number>();
    for (const [i, p] of plan.entries()) {
      const n = p.rows ? await copyTable(client, source, p.target, p.columns, (done) => progress({ kind: 'table', table: p.target.name, index: i + 1, tables: plan.length, copied: done, total: p.rows, done: false })) : 0;
      copied.set(p.target.name, n);
      for (const c of p.columns) {
        if (c.sequence) {
          await client.query(`SELECT setval($1, COALESCE((SELECT max(${q(c.name)}) FROM ${q(p.target.name)}), 1), (SELECT max(${q(c.name)}) FROM ${q(p.target.name)}) IS NOT NULL)`, [c.sequence]);
        }
      }
      progress({ kind: 'table', table: p.target.name, index: i + 1, tables: plan.length, copied: n, total: p.rows, done: true });
    }
    source.exec('COMMIT');

    for (const t of order) for (const trigger of t.triggers) await client.query(`ALTER TABLE ${q(t.name)} ENABLE TRIGGER ${q(trigger)}`);

    // Every table, counted in the target before the commit, against the snapshot and the rows read.
    const counts: CopyResult['tables'] = [];
    const mismatches: string[] = [];
    for (const p of plan) {
      const r = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${q(p.target.name)}`);
      const inTarget = Number(r.rows[0]!.n);
      const read = copied.get(p.target.name) ?? 0;
      if (inTarget !== p.rows || read !== p.rows) mismatches.push(`${p.target.name}: ${p.rows} in the source, ${read} read, ${inTarget} in the target`);
      counts.push({ table: p.target.name, rows: inTarget });
    }
    if (mismatches.length) throw new DbCopyError(`the copy does not match the source, so nothing was copied: ${mismatches.join('; ')}`);
    progress({ kind: 'verified' });
    await client.query('COMMIT');
    return { tables: counts, totalRows: counts.reduce((n, c) => n + c.rows, 0), snapshotAt };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/** Tables, columns, foreign keys and triggers of the migrated target, from pg_catalog. */
async function readTargetTables(client: pg.Client): Promise<TargetTable[]> {
  const tables = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
      ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const byName = new Map<string, TargetTable>(tables.rows.map((r) => [r.name, { name: r.name, columns: [], parents: new Set(), triggers: [] }]));

  const columns = await client.query<{ table: string; name: string; sql_type: string; base: string; generated: string; identity: string; seq: string | null }>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS sql_type,
            COALESCE(bt.typname, t.typname) AS base, a.attgenerated AS generated, a.attidentity AS identity,
            pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS seq
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
      WHERE n.nspname = current_schema() AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  );
  for (const c of columns.rows) {
    const t = byName.get(c.table);
    if (!t || c.generated) continue; // generated columns are computed, never inserted
    t.columns.push({ name: c.name, sqlType: c.sql_type, kind: kindOf(c.base), sequence: c.seq, identityAlways: c.identity === 'a' });
  }

  const fks = await client.query<{ child: string; parent: string }>(
    `SELECT ch.relname AS child, pa.relname AS parent
       FROM pg_constraint k
       JOIN pg_class ch ON ch.oid = k.conrelid
       JOIN pg_class pa ON pa.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema()`,
  );
  for (const fk of fks.rows) if (fk.child !== fk.parent && byName.has(fk.parent)) byName.get(fk.child)?.parents.add(fk.parent);

  const triggers = await client.query<{ table: string; name: string }>(
    `SELECT c.relname AS table, tg.tgname AS name
       FROM pg_trigger tg
       JOIN pg_class c ON c.oid = tg.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT tg.tgisinternal AND tg.tgenabled <> 'D' AND n.nspname = current_schema()
      ORDER BY c.relname, tg.tgname`,
  );
  for (const tg of triggers.rows) byName.get(tg.table)?.triggers.push(tg.name);

  return [...byName.values()];
}

function kindOf(base: string): ValueKind {
  if (base === 'bool') return 'bool';
  if (base === 'json' || base === 'jsonb') return 'json';
  if (base === 'bytea') return 'bytes';
  return 'other';
}

/** Parents before children (Kahn's algorithm, ties by name so the order is stable). */
function foreignKeyOrder(tables: TargetTable[]): TargetTable[] {
  const left = new Map(tables.map((t) => [t.name, t]));
  const out: TargetTable[] = [];
  while (left.size) {
    const ready = [...left.values()].filter((t) => [...t.parents].every((p) => !left.has(p))).sort((a, b) => a.name.localeCompare(b.name));
    if (!ready.length) throw new DbCopyError(`the target's foreign keys form a cycle between ${[...left.keys()].sort().join(', ')}; db copy cannot order them`);
    for (const t of ready) {
      out.push(t);
      left.delete(t.name);
    }
  }
  return out;
}

/** One SQLite value as Postgres takes it for a column of this kind. Integers travel as exact text. */
function convert(v: unknown, kind: ValueKind): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'bool':
      if (typeof v === 'bigint') return v !== 0n;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string') return v === '1' || v.toLowerCase() === 'true' || v.toLowerCase() === 't';
      return Boolean(v);
    case 'json':
      // JSON text is passed as it is; Postgres parses it into jsonb.
      if (Buffer.isBuffer(v)) return v.toString('utf8');
      return typeof v === 'string' ? v : String(v);
    case 'bytes':
      return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
    default:
      if (typeof v === 'bigint') return v.toString();
      if (Buffer.isBuffer(v)) return v.toString('utf8');
      return v;
  }
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Buffer.isBuffer(v)) return v.length;
  return 8;
}

/** Streams one table of the snapshot into the target in multi-row INSERTs; returns the rows copied. */
async function copyTable(client: pg.Client, source: Database.Database, table: TargetTable, columns: TargetColumn[], onBatch: (copied: number) => void): Promise<number> {
  const rowsPerBatch = Math.max(1, Math.min(MAX_ROWS_PER_BATCH, Math.floor(MAX_PARAMS / columns.length)));
  const head = `INSERT INTO ${q(table.name)} (${columns.map((c) => q(c.name)).join(', ')})${columns.some((c) => c.identityAlways) ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES `;
  const sqlFor = (rows: number) => {
    const tuples: string[] = [];
    let p = 1;
    for (let r = 0; r < rows; r++) tuples.push(`(${columns.map((c) => `$${p++}::${c.sqlType}`).join(', ')})`);
    return head + tuples.join(', ');
  };
  const fullSql = sqlFor(rowsPerBatch);
  const statementName = `baton_copy_${table.name}`.slice(0, 63);

  const stmt = source.prepare(`SELECT ${columns.map((c) => q(c.name)).join(', ')} FROM ${q(table.name)}`).raw(true).safeIntegers(true);
  const rows = stmt.iterate() as IterableIterator<unknown[]>;
  let copied = 0;
  try {
    for (;;) {
      const values: unknown[] = [];
      let n = 0;
      let bytes = 0;
      let next = rows.next();
      while (!next.done) {
        const row = next.value;
        for (let i = 0; i < columns.length; i++) {
          const v = convert(row[i], columns[i]!.kind);
          bytes += sizeOf(v);
          values.push(v);
        }
        n++;
        if (n === rowsPerBatch || bytes >= MAX_BATCH_BYTES) break;
        next = rows.next();
      }
      if (n === 0) break;
      try {
        // A full batch reuses one prepared statement; the last, shorter one is planned on its own.
        await client.query(n === rowsPerBatch ? { name: statementName, text: fullSql, values } : { text: sqlFor(n), values });
      } catch (e) {
        throw new DbCopyError(`copying table ${table.name} failed, so nothing was copied: ${(e as Error).message}`);
      }
      copied += n;
      onBatch(copied);
      if (next.done) break;
    }
  } finally {
    rows.return?.();
  }
  return copied;
}

/** What `baton doctor` says about a Postgres database: does it answer, and is it Baton's, up to date? */
export interface PostgresProbe {
  answers: boolean;
  error?: string;
  /** Migrations applied / known to this build; applied is 0 on a database Baton never started on. */
  migrations?: { applied: number; newest: 'current' | 'older' | 'newer' | 'none' };
}

export async function probePostgres(url: string): Promise<PostgresProbe> {
  const { default: pgDriver } = await import('pg');
  const client = new pgDriver.Client({ connectionString: url, application_name: 'baton-doctor', connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('drizzle.${MIGRATIONS_TABLE}')::text AS t`);
    if (!exists.rows[0]?.t) return { answers: true, migrations: { applied: 0, newest: 'none' } };
    const r = await client.query<{ n: string; at: string | null }>(`SELECT count(*)::text AS n, max(created_at)::text AS at FROM drizzle.${MIGRATIONS_TABLE}`);
    const applied = Number(r.rows[0]!.n);
    const at = Number(r.rows[0]!.at ?? 0);
    const known = newestKnownMigration(migrationsFolderFor('postgres'));
    return { answers: true, migrations: { applied, newest: applied === 0 ? 'none' : at > known ? 'newer' : at < known ? 'older' : 'current' } };
  } catch (e) {
    return { answers: false, error: (e as Error)?.message ?? String(e) };
  } finally {
    await client.end().catch(() => {});
  }
}
