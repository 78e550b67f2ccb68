import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { openStore, type Store } from '@baton/db';
import { afterCommit, createConsoleLogger, createCoreContext, inUnit, withTransaction, type CoreContext } from '../src/context.ts';

/**
 * Group commit, as the core sees it: units of work (withTransaction) that queue together on SQLite
 * share one transaction and one commit (the writer lane, packages/db/src/sqlite-lane.ts, has its own
 * tests); each stays a unit of its own for its caller, its rollback and its after-commit callbacks.
 */
const probe = sqliteTable('gc_probe', { v: text('v').notNull() });

let dir: string;
let store: Store;
let ctx: CoreContext;
let observer: Database.Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-gc-'));
  const file = join(dir, 'db.sqlite');
  store = await openStore({ file, synchronous: 'NORMAL' });
  await store.unit(async (tx) => void tx.$client.exec('CREATE TABLE gc_probe (v TEXT NOT NULL)'));
  ctx = createCoreContext({ store, logger: createConsoleLogger('silent'), now: () => new Date(), config: {} as CoreContext['config'] });
  // A connection of its own, as another process would have: it sees only what has been committed.
  observer = new Database(file, { readonly: true });
});
afterAll(async () => {
  observer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = async (c: CoreContext, v: string) => void (await c.db.insert(probe).values({ v }));
/** What `c` reads: inside a unit, the unit's own handle; outside, committed data only. */
const values = async (c: CoreContext) => (await c.db.select().from(probe)).map((r) => r.v);
const committed = () => (observer.prepare('SELECT v FROM gc_probe ORDER BY rowid').all() as Array<{ v: string }>).map((r) => r.v);
/** Moves once for every commit made by another connection (here: the writer). */
const dataVersion = () => observer.pragma('data_version', { simple: true }) as number;

describe('group commit through withTransaction', () => {
  it('units queued together share one commit, and each is acknowledged only after it', async () => {
    const before = dataVersion();
    const seenByOthersDuringB: string[][] = [];
    const seenWhenSettled: string[][] = [];
    const settled = (p: Promise<number>) =>
      p.then((value) => {
        seenWhenSettled.push(committed());
        return value;
      });
    const a = settled(
      withTransaction(ctx, async (c) => {
        await insert(c, 'a');
        return 1;
      }),
    );
    const b = settled(
      withTransaction(ctx, async (c) => {
        // Same open transaction: a's row is written but not yet committed.
        seenByOthersDuringB.push(committed());
        await insert(c, 'b');
        return 2;
      }),
    );
    const third = settled(
      withTransaction(ctx, async (c) => {
        await insert(c, 'c');
        return 3;
      }),
    );
    expect(committed()).toEqual([]);
    expect(await Promise.all([a, b, third])).toEqual([1, 2, 3]);
    expect(seenByOthersDuringB).toEqual([[]]);
    expect(committed()).toEqual(['a', 'b', 'c']);
    // One transaction for the three: the database changed once for other connections.
    expect(dataVersion() - before).toBe(1);
    // No caller heard back before the commit: each saw all three rows committed when its promise settled.
    expect(seenWhenSettled).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });

  it('rolls back a failing unit alone: its caller gets the error, the others commit together', async () => {
    const before = dataVersion();
    const published: Array<{ v: string; visible: boolean; inUnit: boolean }> = [];
    const unit = (v: string, fail = false) =>
      withTransaction(ctx, async (c) => {
        await insert(c, v);
        afterCommit(c, () => published.push({ v, visible: committed().includes(v), inUnit: inUnit(c) }));
        if (fail) throw new Error(`unit ${v} failed`);
        return v;
      });
    const ok1 = unit('ok1');
    const bad = unit('bad', true);
    const ok2 = unit('ok2');
    await expect(bad).rejects.toThrow('unit bad failed');
    expect(await Promise.all([ok1, ok2])).toEqual(['ok1', 'ok2']);
    expect(committed().slice(-2)).toEqual(['ok1', 'ok2']);
    expect(committed()).not.toContain('bad');
    expect(dataVersion() - before).toBe(1);
    // After-commit callbacks: only for the committed units, once their rows were durable, outside any unit.
    expect(published).toEqual([
      { v: 'ok1', visible: true, inUnit: false },
      { v: 'ok2', visible: true, inUnit: false },
    ]);
  });

  it('never runs the after-commit callbacks of a unit that fails on its own', async () => {
    const published: string[] = [];
    await expect(
      withTransaction(ctx, async (c) => {
        await insert(c, 'lonely');
        afterCommit(c, () => published.push('lonely'));
        throw new Error('lonely unit failed');
      }),
    ).rejects.toThrow('lonely unit failed');
    expect(committed()).not.toContain('lonely');
    expect(await values(ctx)).not.toContain('lonely');
    expect(published).toEqual([]);
  });

  it('a nested withTransaction joins the outer unit: one commit, rolled back with it', async () => {
    const before = dataVersion();
    const published: string[] = [];
    let innerSaw: string[] = [];
    let committedAfterInner: string[] = [];
    const result = await withTransaction(ctx, async (c) => {
      await insert(c, 'outer');
      const inner = await withTransaction(c, async (c2) => {
        expect(inUnit(c2)).toBe(true);
        innerSaw = await values(c2);
        await insert(c2, 'inner');
        afterCommit(c2, () => published.push('inner'));
        return 'inner result';
      });
      // The inner call returned without committing anything of its own.
      committedAfterInner = committed();
      expect(published).toEqual([]);
      return inner;
    });
    expect(result).toBe('inner result');
    expect(innerSaw).toContain('outer');
    expect(committedAfterInner).not.toContain('outer');
    expect(committedAfterInner).not.toContain('inner');
    expect(committed().slice(-2)).toEqual(['outer', 'inner']);
    expect(dataVersion() - before).toBe(1);
    expect(published).toEqual(['inner']);

    // The outer unit failing after the inner one returned takes the inner one's rows and callbacks along.
    await expect(
      withTransaction(ctx, async (c) => {
        await withTransaction(c, async (c2) => {
          await insert(c2, 'inner-doomed');
          afterCommit(c2, () => published.push('inner-doomed'));
        });
        throw new Error('outer failed');
      }),
    ).rejects.toThrow('outer failed');
    expect(committed()).not.toContain('inner-doomed');
    expect(published).toEqual(['inner']);
  });

  it('reads outside a unit do not see its uncommitted writes; the unit itself does', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let insideSaw: string[] = [];
    const unit = withTransaction(ctx, async (c) => {
      await insert(c, 'pending');
      insideSaw = await values(c);
      entered();
      // Holds the unit open (a test-only wait: real units do database work only).
      await gate;
      return 'done';
    });
    await inside;
    expect(insideSaw).toContain('pending');
    // Here, outside the unit: the core reads committed data only.
    expect(inUnit(ctx)).toBe(false);
    expect(await values(ctx)).not.toContain('pending');
    expect(committed()).not.toContain('pending');
    release();
    expect(await unit).toBe('done');
    expect(await values(ctx)).toContain('pending');
    expect(committed()).toContain('pending');
  });

  it('refuses a write outside a unit', async () => {
    await expect(insert(ctx, 'stray')).rejects.toThrow(/readonly/);
    expect(committed()).not.toContain('stray');
  });
});
