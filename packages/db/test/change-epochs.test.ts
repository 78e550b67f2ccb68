import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessEpoch, closeDatabase, openDatabase, runListKey, runListVersion, runMigrations, schema, type DB } from '../src/index.ts';

/** The numbers behind Baton's read caches, on a real migrated SQLite file. */
let dir: string;
let db: DB;
const now = () => new Date().toISOString();
const nextMacrotask = () => new Promise((r) => setImmediate(r));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-epochs-'));
  db = openDatabase({ file: join(dir, 'baton.db'), synchronous: 'NORMAL' });
  runMigrations(db);
  const c = db.$client;
  c.prepare("INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ('u1', 'u1@example.test', 'U', 'x', ?, ?)").run(now(), now());
  c.prepare("INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES ('o1', 'O', 'o', ?, ?)").run(now(), now());
  c.prepare("INSERT INTO memberships (id, org_id, user_id, role, created_at) VALUES ('m1', 'o1', 'u1', 'owner', ?)").run(now());
  c.prepare(
    "INSERT INTO api_keys (id, name, kind, key_hash, prefix, user_id, org_id, created_at) VALUES ('k1', 'k', 'mk_live', 'h1', 'mk_live_abcd', 'u1', 'o1', ?)",
  ).run(now());
});
afterAll(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const insertRun = (id: string, status = 'intake', projectId: string | null = null) =>
  db.$client
    .prepare('INSERT INTO runs (id, org_id, project_id, user_id, status, request_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(id, 'o1', projectId, 'u1', status, 'r', now());

describe('accessEpoch', () => {
  it('moves on a local change to keys, memberships, orgs and users, not on a key’s last use', async () => {
    const e0 = accessEpoch(db)!;
    expect(e0).not.toBeNull();
    db.$client.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = 'k1'").run(now());
    expect(accessEpoch(db)).toBe(e0);
    db.$client.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = 'k1'").run(now());
    const e1 = accessEpoch(db)!;
    expect(e1).not.toBe(e0);
    db.$client.prepare("UPDATE memberships SET role = 'viewer' WHERE id = 'm1'").run();
    const e2 = accessEpoch(db)!;
    expect(e2).not.toBe(e1);
    db.$client.prepare("UPDATE organizations SET credit_balance = 5 WHERE id = 'o1'").run();
    expect(accessEpoch(db)).not.toBe(e2);
  });

  it('moves after another connection commits (from the next macrotask on)', async () => {
    await nextMacrotask();
    const e0 = accessEpoch(db);
    const other = new Database(join(dir, 'baton.db'));
    other.prepare("UPDATE users SET name = 'Renamed' WHERE id = 'u1'").run();
    other.close();
    await nextMacrotask();
    expect(accessEpoch(db)).not.toBe(e0);
  });

  it('is shared by every drizzle wrapper of one connection', () => {
    const second = drizzle({ client: db.$client, schema }) as unknown as DB;
    const before = accessEpoch(second);
    expect(before).toBe(accessEpoch(db));
    db.$client.prepare("UPDATE memberships SET role = 'owner' WHERE id = 'm1'").run();
    expect(accessEpoch(second)).not.toBe(before);
    expect(accessEpoch(second)).toBe(accessEpoch(db));
  });

  it('is not installed inside a transaction (a rollback would drop its triggers)', () => {
    const fresh = openDatabase({ file: join(dir, 'baton.db'), synchronous: 'NORMAL' });
    try {
      fresh.$client.exec('BEGIN');
      expect(accessEpoch(fresh)).toBeNull();
      fresh.$client.exec('ROLLBACK');
      const e = accessEpoch(fresh);
      expect(e).not.toBeNull();
      fresh.$client.prepare("UPDATE memberships SET role = 'admin' WHERE id = 'm1'").run();
      expect(accessEpoch(fresh)).not.toBe(e);
    } finally {
      closeDatabase(fresh);
    }
  });

  it('is null before migrations: nothing to watch, nothing to cache', () => {
    const empty = openDatabase({ file: join(dir, 'empty.db') });
    try {
      expect(accessEpoch(empty)).toBeNull();
      expect(runListVersion(empty, runListKey('o1', null, null))).toBeNull();
    } finally {
      closeDatabase(empty);
    }
  });
});

describe('runListVersion', () => {
  it('moves only for the lists a changed run is (or was) in', () => {
    const all = runListKey('o1', null, null);
    const intake = runListKey('o1', null, 'intake');
    const completed = runListKey('o1', null, 'completed');
    const otherOrg = runListKey('o2', null, null);
    const v = () => [all, intake, completed, otherOrg].map((k) => runListVersion(db, k));

    const [a0, i0, c0, o0] = v();
    insertRun('r1');
    const [a1, i1, c1, o1] = v();
    expect(a1).not.toBe(a0);
    expect(i1).not.toBe(i0);
    expect(c1).toBe(c0); // an intake run does not change the completed list
    expect(o1).toBe(o0);

    db.$client.prepare("UPDATE runs SET last_seq = 3, engine_state = '{}' WHERE id = 'r1'").run();
    expect(v()).toEqual([a1, i1, c1, o1]); // appends and engine steps move no list

    db.$client.prepare("UPDATE runs SET status = 'completed' WHERE id = 'r1'").run();
    const [a2, i2, c2] = v();
    expect(a2).not.toBe(a1); // status is one of the all-list's keys' inputs: conservative, still exact
    expect(i2).not.toBe(i1);
    expect(c2).not.toBe(c1);

    db.$client.prepare("DELETE FROM runs WHERE id = 'r1'").run();
    const [, , c3] = v();
    expect(c3).not.toBe(c2);
  });
});
