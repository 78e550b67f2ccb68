import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteWriterLane } from '../src/sqlite-lane.ts';

let dir: string;
let writer: Database.Database;
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-lane-'));
  writer = new Database(join(dir, 'db'));
  writer.pragma('journal_mode = WAL');
  writer.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  reader = new Database(join(dir, 'db'), { readonly: true });
});
afterEach(() => {
  writer.close();
  reader.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = () => reader.prepare('SELECT count(*) FROM t').pluck().get() as number;
const dataVersion = () => reader.pragma('data_version', { simple: true }) as number;

describe('SqliteWriterLane', () => {
  it('units queued together share one commit, each in its own savepoint', async () => {
    const lane = new SqliteWriterLane(writer);
    const before = dataVersion();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        lane.run(async () => {
          writer.prepare('INSERT INTO t (v) VALUES (?)').run(i === 7 ? 'dup' : `v${i}`);
          await Promise.resolve();
          if (i === 8) writer.prepare('INSERT INTO t (v) VALUES (?)').run('dup'); // violates UNIQUE: only unit 8 fails
          return i;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((results[8] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(results[7]).toEqual({ status: 'fulfilled', value: 7 });
    // Unit 8's first insert (v8) was rolled back with it; everything else committed.
    expect(count()).toBe(49);
    expect(reader.prepare("SELECT count(*) FROM t WHERE v = 'v8'").pluck().get()).toBe(0);
    // One transaction for the whole batch: the reader saw the database change once.
    expect(dataVersion() - before).toBe(1);
  });

  it('settles a unit only after its commit, and readers never see uncommitted writes', async () => {
    const lane = new SqliteWriterLane(writer);
    const seenInside: number[] = [];
    let releaseGate!: () => void;
    const gate = new Promise<void>((r) => (releaseGate = r));
    let settled = false;
    const p = lane
      .run(async () => {
        writer.prepare('INSERT INTO t (v) VALUES (?)').run('a');
        seenInside.push(count()); // the reader still sees the committed state: 0
        await gate;
        return 'done';
      })
      .then((v) => {
        settled = true;
        return v;
      });
    await new Promise((r) => setTimeout(r, 20));
    expect(seenInside).toEqual([0]);
    expect(count()).toBe(0);
    expect(settled).toBe(false);
    releaseGate();
    expect(await p).toBe('done');
    expect(count()).toBe(1);
  });

  it('units run one at a time: a second unit starts after the first has finished', async () => {
    const lane = new SqliteWriterLane(writer);
    const log: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        lane.run(async () => {
          log.push(`start ${name}`);
          await new Promise((r) => setTimeout(r, 5));
          log.push(`end ${name}`);
        }),
      ),
    );
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a failed COMMIT fails every unit of its batch', async () => {
    const lane = new SqliteWriterLane(writer);
    // A deferred foreign key violated at COMMIT time makes the commit itself fail.
    writer.exec('PRAGMA foreign_keys = ON; CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const ok = lane.run(async () => void writer.prepare('INSERT INTO t (v) VALUES (?)').run('fine'));
    const bad = lane.run(async () => void writer.prepare('INSERT INTO child (p) VALUES (42)').run());
    const results = await Promise.allSettled([ok, bad]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(count()).toBe(0);
    expect(writer.inTransaction).toBe(false);
    // The lane goes on working afterwards.
    await lane.run(async () => void writer.prepare('INSERT INTO t (v) VALUES (?)').run('later'));
    expect(count()).toBe(1);
  });

  it('reports slow units', async () => {
    const slow: number[] = [];
    const lane = new SqliteWriterLane(writer, { slowUnitMs: 10, onSlowUnit: (ms) => slow.push(ms) });
    await lane.run(async () => void (await new Promise((r) => setTimeout(r, 25))));
    await lane.run(async () => undefined);
    expect(slow).toHaveLength(1);
    expect(slow[0]).toBeGreaterThanOrEqual(10);
  });
});
