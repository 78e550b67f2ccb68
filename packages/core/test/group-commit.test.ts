import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, rawStatement, SCHEMA_DIALECT, type Store } from '@baton/db';
import { integer, table, text } from '../../db/src/schema/kit.ts';
import { createTestDatabase } from '../../../test/helpers/embedded-postgres.ts';
import { afterCommit, createConsoleLogger, createCoreContext, inUnit, withTransaction, type CoreContext } from '../src/context.ts';
import { describeError } from '../src/errors.ts';

/**
 * Units of work as the core sees them (withTransaction), on the engine this test project runs: each
 * unit commits or rolls back as a whole, its caller hears back only after the commit, its
 * after-commit callbacks run only once it has committed, and a nested call joins the outer unit.
 *
 * How units meet differs by engine, and each test says what holds on both. On SQLite units that
 * queue together share one transaction and one commit (group commit: the writer lane,
 * packages/db/src/sqlite-lane.ts, has its own tests), each staying a unit of its own for its
 * caller, its rollback and its callbacks. On Postgres every unit is a transaction of its own on a
 * pooled connection: units side by side commit separately, in whatever order they finish.
 */
const GROUP_COMMIT = SCHEMA_DIALECT === 'sqlite';

// Declared with Baton's column kit, so the same drizzle builders run on either engine.
const probe = table('gc_probe', { seq: integer('seq'), v: text('v').notNull() });

let dir: string;
let store: Store;
let ctx: CoreContext;
/** A store of its own on the same database, as another process would have: it sees only what has been committed. */
let observer: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-gc-'));
  const file = join(dir, 'db.sqlite');
  const databaseUrl = SCHEMA_DIALECT === 'postgres' ? await createTestDatabase(inject('pgAdminUrl'), 'baton_gc') : null;
  store = await openStore({ databaseUrl, file, synchronous: 'NORMAL' });
  // seq: the order rows were written in (SQLite's rowid, a sequence on Postgres).
  await store.unit((tx) => rawStatement(`CREATE TABLE gc_probe (seq ${GROUP_COMMIT ? 'INTEGER' : 'BIGSERIAL'} PRIMARY KEY, v TEXT NOT NULL)`).run(tx));
  ctx = createCoreContext({ store, logger: createConsoleLogger('silent'), now: () => new Date(), config: {} as CoreContext['config'] });
  observer = await openStore({ databaseUrl, file, synchronous: 'NORMAL', migrate: false });
});
afterAll(async () => {
  await observer?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = async (c: CoreContext, v: string) => void (await c.db.insert(probe).values({ v }));
/** What `c` reads: inside a unit, the unit's own handle; outside, committed data only. */
const values = async (c: CoreContext) => (await c.db.select().from(probe)).map((r) => r.v);
/**
 * What another connection sees committed, in the order the rows were written. (On SQLite the read
 * runs when called, synchronously: the promise holds the state of that moment.)
 */
const committed = async () => (await rawStatement<{ v: string }>('SELECT v FROM gc_probe ORDER BY seq').all(observer.reader)).map((r) => r.v);
/** Rows in the order their units committed where that is fixed (one SQLite lane), else by value. */
const inCommitOrder = (rows: string[]) => (GROUP_COMMIT ? rows : [...rows].sort());

/**
 * Counts the transactions that committed the given rows, from now on. Postgres keeps the writing
 * transaction's id in every row (xmin); on SQLite, where only this file writes the database, it is
 * the number of commits another connection has seen since (PRAGMA data_version moves once for each).
 */
function countCommits() {
  const dataVersion = () => observer.reader.$client.pragma('data_version', { simple: true }) as number;
  const start = GROUP_COMMIT ? dataVersion() : 0;
  return async (rows: string[]): Promise<number> => {
    if (GROUP_COMMIT) return dataVersion() - start;
    const placeholders = rows.map(() => '?').join(', ');
    const r = await rawStatement<{ n: number }>(`SELECT count(DISTINCT xmin::text) AS n FROM gc_probe WHERE v IN (${placeholders})`).get(observer.reader, ...rows);
    return Number(r!.n);
  };
}

describe(`units of work through withTransaction (${SCHEMA_DIALECT})`, () => {
  it('units queued together are each acknowledged only after their own commit; on SQLite they share one', async () => {
    const commits = countCommits();
    const seenByOthersDuringB: string[][] = [];
    const seenWhenSettled: Array<{ v: string; seen: string[] }> = [];
    const settled = (v: string, p: Promise<number>) =>
      p.then(async (value) => {
        seenWhenSettled.push({ v, seen: await committed() });
        return value;
      });
    const a = settled(
      'a',
      withTransaction(ctx, async (c) => {
        await insert(c, 'a');
        return 1;
      }),
    );
    const b = settled(
      'b',
      withTransaction(ctx, async (c) => {
        await insert(c, 'b');
        // b's row is written, not committed: nobody else sees it. On SQLite, a's row is in the same
        // open transaction, so nothing at all is committed yet.
        seenByOthersDuringB.push(await committed());
        return 2;
      }),
    );
    const third = settled(
      'c',
      withTransaction(ctx, async (c) => {
        await insert(c, 'c');
        return 3;
      }),
    );
    expect(await Promise.all([a, b, third])).toEqual([1, 2, 3]);
    expect(seenByOthersDuringB).toHaveLength(1);
    expect(seenByOthersDuringB[0]).not.toContain('b');
    if (GROUP_COMMIT) expect(seenByOthersDuringB).toEqual([[]]);
    expect(inCommitOrder(await committed())).toEqual(['a', 'b', 'c']);
    // SQLite: one transaction for the three. Postgres: each unit its own.
    expect(await commits(['a', 'b', 'c'])).toBe(GROUP_COMMIT ? 1 : 3);
    // No caller heard back before its commit: its row was committed when its promise settled (on
    // SQLite, all three rows, committed together).
    expect(seenWhenSettled.map((s) => s.v).sort()).toEqual(['a', 'b', 'c']);
    for (const { v, seen } of seenWhenSettled) expect(seen, v).toContain(v);
    if (GROUP_COMMIT) expect(seenWhenSettled.map((s) => s.seen)).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c']]);
  });

  it('rolls back a failing unit alone: its caller gets the error, the others commit (together on SQLite)', async () => {
    const commits = countCommits();
    const published: Array<{ v: string; visible: Promise<boolean>; inUnit: boolean }> = [];
    const unit = (v: string, fail = false) =>
      withTransaction(ctx, async (c) => {
        await insert(c, v);
        afterCommit(c, () => published.push({ v, visible: committed().then((rows) => rows.includes(v)), inUnit: inUnit(c) }));
        if (fail) throw new Error(`unit ${v} failed`);
        return v;
      });
    const ok1 = unit('ok1');
    const bad = unit('bad', true);
    const ok2 = unit('ok2');
    await expect(bad).rejects.toThrow('unit bad failed');
    expect(await Promise.all([ok1, ok2])).toEqual(['ok1', 'ok2']);
    expect(inCommitOrder((await committed()).slice(-2))).toEqual(['ok1', 'ok2']);
    expect(await committed()).not.toContain('bad');
    expect(await commits(['ok1', 'ok2'])).toBe(GROUP_COMMIT ? 1 : 2);
    // After-commit callbacks: only for the committed units, once their rows were committed, outside any unit.
    const calls = await Promise.all(published.map(async (p) => ({ v: p.v, visible: await p.visible, inUnit: p.inUnit })));
    expect(GROUP_COMMIT ? calls : calls.sort((x, y) => x.v.localeCompare(y.v))).toEqual([
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
    expect(await committed()).not.toContain('lonely');
    expect(await values(ctx)).not.toContain('lonely');
    expect(published).toEqual([]);
  });

  it('a nested withTransaction joins the outer unit: one commit, rolled back with it', async () => {
    const commits = countCommits();
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
      committedAfterInner = await committed();
      expect(published).toEqual([]);
      return inner;
    });
    expect(result).toBe('inner result');
    expect(innerSaw).toContain('outer');
    expect(committedAfterInner).not.toContain('outer');
    expect(committedAfterInner).not.toContain('inner');
    expect((await committed()).slice(-2)).toEqual(['outer', 'inner']);
    expect(await commits(['outer', 'inner'])).toBe(1);
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
    expect(await committed()).not.toContain('inner-doomed');
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
    expect(await committed()).not.toContain('pending');
    release();
    expect(await unit).toBe('done');
    expect(await values(ctx)).toContain('pending');
    expect(await committed()).toContain('pending');
  });

  it('a write outside a unit never joins one: the reader refuses it on both engines', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    // A unit is open (on SQLite it holds the writer) and will roll back.
    const doomed = withTransaction(ctx, async (c) => {
      await insert(c, 'doomed');
      entered();
      await gate;
      throw new Error('doomed unit failed');
    });
    await inside;
    // The context outside any unit writes through the store's reader: a read-only connection
    // (SQLite) or a pool whose transactions are read-only (Postgres), so the write fails loudly.
    const stray = await insert(ctx, 'stray').then(
      () => 'written',
      (e: Error) => describeError(e),
    );
    expect(stray).toMatch(/readonly|read-only/);
    expect(await committed()).not.toContain('doomed');
    release();
    await expect(doomed).rejects.toThrow('doomed unit failed');
    // The unit's rollback took its own row only, and the stray write is nowhere.
    const after = await committed();
    expect(after).not.toContain('doomed');
    expect(after).not.toContain('stray');
  });

  it('units that take the same rows in opposite orders both commit, each once, and run their callbacks once', async () => {
    await store.unit((tx) => rawStatement('CREATE TABLE gc_pair (k TEXT PRIMARY KEY, n INTEGER NOT NULL)').run(tx));
    await store.unit((tx) => rawStatement("INSERT INTO gc_pair (k, n) VALUES ('a', 0), ('b', 0)").run(tx));
    const bump = rawStatement('UPDATE gc_pair SET n = n + 1 WHERE k = ?');
    const fired: string[] = [];
    let attempts = 0;
    // Each takes one row, waits until the other has surely taken the other row, then asks for it.
    // On SQLite the writer lane runs them one after the other. On Postgres they wait on each other:
    // Postgres aborts one to break the deadlock (40P01), and that one runs again (Store.unit).
    const crossing = (first: string, second: string) =>
      withTransaction(ctx, async (c) => {
        attempts++;
        await bump.run(c.db, first);
        afterCommit(c, () => fired.push(first + second));
        await new Promise((r) => setTimeout(r, 300));
        await bump.run(c.db, second);
        return first + second;
      });
    expect(await Promise.all([crossing('a', 'b'), crossing('b', 'a')])).toEqual(['ab', 'ba']);
    // Each unit's updates landed once, whichever of them ran twice, and its callback fired once.
    const rows = await rawStatement<{ k: string; n: number }>('SELECT k, n FROM gc_pair ORDER BY k').all(observer.reader);
    expect(rows.map((r) => [r.k, Number(r.n)])).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
    expect(fired.sort()).toEqual(['ab', 'ba']);
    expect(attempts).toBeGreaterThanOrEqual(2);
  });
});
