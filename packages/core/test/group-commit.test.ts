import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, runMigrations, type DB } from '@baton/db';
import { afterCommit, createConsoleLogger, type CoreContext } from '../src/context.ts';
import { GroupCommitter } from '../src/jobs/group-commit.ts';

let dir: string;
let db: DB;
let ctx: CoreContext;
let observer: Database.Database;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-gc-'));
  db = openDatabase({ file: join(dir, 'db.sqlite') });
  runMigrations(db);
  db.$client.exec('CREATE TABLE gc_probe (v TEXT NOT NULL)');
  // A second connection sees only what has been committed.
  observer = new Database(join(dir, 'db.sqlite'), { readonly: true });
  ctx = { db, logger: createConsoleLogger('silent'), now: () => new Date(), config: {} as CoreContext['config'] };
});
afterAll(() => {
  observer.close();
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => db.$client.prepare('INSERT INTO gc_probe (v) VALUES (?)').run(v);
const committed = () => (observer.prepare('SELECT v FROM gc_probe ORDER BY rowid').all() as Array<{ v: string }>).map((r) => r.v);

describe('GroupCommitter', () => {
  it('writes units ready in the same tick in one transaction, acknowledged after the commit', async () => {
    const gc = new GroupCommitter(ctx);
    const seenByOthersDuringSecond: string[][] = [];
    const a = gc.commit(() => {
      insert('a');
      return 1;
    });
    const b = gc.commit(() => {
      // Same open transaction: a's row is written but not yet committed.
      seenByOthersDuringSecond.push(committed());
      insert('b');
      return 2;
    });
    expect(committed()).toEqual([]);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(seenByOthersDuringSecond).toEqual([[]]);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('rolls back a failing unit alone, with its after-commit callbacks', async () => {
    const gc = new GroupCommitter(ctx);
    const published: string[] = [];
    const ok1 = gc.commit(() => {
      insert('ok1');
      afterCommit(() => published.push('ok1'));
    });
    const bad = gc.commit(() => {
      insert('bad');
      afterCommit(() => published.push('bad'));
      throw new Error('unit failed');
    });
    const ok2 = gc.commit(() => {
      insert('ok2');
      afterCommit(() => published.push('ok2'));
    });
    await expect(bad).rejects.toThrow('unit failed');
    await Promise.all([ok1, ok2]);
    expect(committed().slice(-2)).toEqual(['ok1', 'ok2']);
    expect(committed()).not.toContain('bad');
    expect(published).toEqual(['ok1', 'ok2']);
  });
});
