import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrationsFolderFor } from '../src/migrate.ts';
import { migratePostgres } from '../src/postgres.ts';
import { NewerDatabaseError, runMigrations } from '../src/migrate.ts';
import { openDatabase, closeDatabase } from '../src/client.ts';
import { createTestDatabase } from '../../../test/helpers/embedded-postgres.ts';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

/**
 * One schema declaration, two dialects: the live SQLite schema (drizzle/sqlite applied) and the live
 * Postgres schema (drizzle/postgres applied) must agree on tables, columns, types, nullability,
 * primary keys, indexes and foreign keys.
 */

interface Shape {
  columns: Record<string, { type: string; notNull: boolean }>;
  primaryKey: string[];
  indexes: Record<string, { columns: string[]; unique: boolean; partial: boolean }>;
  foreignKeys: string[];
}

// The column kit (packages/db/src/schema/kit.ts): integer ↔ bigint, bool (0/1) ↔ boolean, JSON text ↔ jsonb.
const SQLITE_TYPE: Record<string, string> = { text: 'text', integer: 'integer' };
const PG_TYPE: Record<string, string> = { text: 'text', jsonb: 'text', bigint: 'integer', boolean: 'integer' };

function sqliteShapes(file: string): Record<string, Shape> {
  const db = new Database(file, { readonly: true });
  const out: Record<string, Shape> = {};
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'")
    .pluck()
    .all() as string[];
  for (const t of tables) {
    const cols = db.prepare(`SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?)`).all(t) as Array<{ name: string; type: string; nn: number; pk: number }>;
    const shape: Shape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] };
    for (const c of cols) shape.columns[c.name] = { type: SQLITE_TYPE[c.type.toLowerCase()] ?? `?${c.type}`, notNull: c.nn === 1 || c.pk > 0 };
    shape.primaryKey = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const idx = db.prepare(`SELECT name, "unique" AS u, origin, partial FROM pragma_index_list(?)`).all(t) as Array<{ name: string; u: number; origin: string; partial: number }>;
    for (const i of idx) {
      if (i.origin === 'pk') continue;
      const columns = (db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).pluck().all(i.name) as string[]);
      // Column-level UNIQUE constraints: SQLite names them sqlite_autoindex_*, Postgres <table>_<col>_unique.
      const name = i.origin === 'u' ? `${t}_${columns.join('_')}_unique` : i.name;
      shape.indexes[name] = { columns, unique: i.u === 1, partial: i.partial === 1 };
    }
    const fks = db.prepare(`SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?)`).all(t) as Array<{ from: string; table: string; to: string; on_delete: string }>;
    shape.foreignKeys = fks.map((f) => `${f.from} -> ${f.table}.${f.to} on delete ${f.on_delete.toLowerCase()}`).sort();
    out[t] = shape;
  }
  db.close();
  return out;
}

async function pgShapes(url: string): Promise<Record<string, Shape>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, Shape> = {};
    const cols = await c.query(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    for (const r of cols.rows) {
      const shape = (out[r.table_name] ??= { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] });
      shape.columns[r.column_name] = { type: PG_TYPE[r.data_type] ?? `?${r.data_type}`, notNull: r.is_nullable === 'NO' };
    }
    const idx = await c.query(`
      SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
             ix.indpred IS NOT NULL AS partial,
             array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
      FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'`);
    for (const r of idx.rows) {
      const shape = out[r.table_name]!;
      if (r.is_primary) shape.primaryKey = r.columns;
      else shape.indexes[r.index_name] = { columns: r.columns, unique: r.is_unique, partial: r.partial };
    }
    const fks = await c.query(`
      SELECT cl.relname AS table_name, a.attname AS col, rt.relname AS ref_table, ra.attname AS ref_col, con.confdeltype AS del
      FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_class rt ON rt.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = cl.relnamespace
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
      JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]
      WHERE con.contype = 'f' AND n.nspname = 'public'`);
    const action: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
    for (const r of fks.rows) out[r.table_name]!.foreignKeys.push(`${r.col} -> ${r.ref_table}.${r.ref_col} on delete ${action[r.del]}`);
    for (const s of Object.values(out)) s.foreignKeys.sort();
    return out;
  } finally {
    await c.end();
  }
}

let dir: string;
let pgUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-parity-'));
  pgUrl = await createTestDatabase(inject('pgAdminUrl'), 'baton_parity');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the two dialects', () => {
  it('have the same tables, columns, types, nullability, keys, indexes and foreign keys', async () => {
    const file = join(dir, 'baton.db');
    const sqlite = new Database(file);
    migrate(drizzle({ client: sqlite }), { migrationsFolder: migrationsFolderFor('sqlite') });
    sqlite.close();
    await migratePostgres(pgUrl);
    const a = sqliteShapes(file);
    const b = await pgShapes(pgUrl);
    expect(Object.keys(a).length).toBeGreaterThan(15);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const table of Object.keys(a)) expect({ table, ...b[table] }).toEqual({ table, ...a[table] });
  });

  it('Postgres migrations run once when several nodes start together, and again find nothing to do', async () => {
    const url = await createTestDatabase(inject('pgAdminUrl'), 'baton_parallel');
    await Promise.all([migratePostgres(url), migratePostgres(url), migratePostgres(url)]);
    await migratePostgres(url);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const n = await c.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    const triggers = await c.query("SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE 'runs_count_%'");
    await c.end();
    // Each committed migration applied exactly once.
    const journal = JSON.parse(readFileSync(join(migrationsFolderFor('postgres'), 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(n.rows[0].n).toBe(journal.entries.length);
    expect(triggers.rows[0].n).toBe(3);
  });

  it('a database migrated by a newer Baton is refused, saying so', async () => {
    const url = await createTestDatabase(inject('pgAdminUrl'), 'baton_newer');
    await migratePostgres(url);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('from-the-future', $1)`, [Date.now() + 10 ** 10]);
    await c.end();
    await expect(migratePostgres(url)).rejects.toThrow(NewerDatabaseError);
    await expect(migratePostgres(url)).rejects.toThrow(/newer version of Baton/);
  });
});

describe('SQLite', () => {
  it('a database file migrated by a newer Baton is refused, saying so', () => {
    const db = openDatabase({ file: join(dir, 'newer.db'), synchronous: 'NORMAL' });
    try {
      runMigrations(db);
      db.$client.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', Date.now() + 10 ** 10);
      expect(() => runMigrations(db)).toThrow(NewerDatabaseError);
      expect(() => runMigrations(db)).toThrow(/newer version of Baton/);
    } finally {
      closeDatabase(db);
    }
  });
});
