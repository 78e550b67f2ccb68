import type Database from 'better-sqlite3';

/**
 * The SQLite writer lane: every unit of work runs on the one writer connection, one at a time.
 *
 * better-sqlite3 is synchronous and drizzle's driver refuses an async transaction callback, so
 * Baton keeps its own unit of work. Units that queue while a batch is running share the next
 * transaction (group commit): `BEGIN IMMEDIATE`, a savepoint per unit (one that throws is rolled
 * back alone, and only its caller sees the error), then one `COMMIT`, which at synchronous=FULL is
 * one fsync for the whole batch. A unit's promise settles only after that COMMIT, so nothing is
 * acknowledged before it is durable, and a unit's after-commit work runs only if it committed.
 *
 * A unit must do database work only: the lane waits for it, so a unit awaiting a network call
 * would stall every writer. Units slower than `slowUnitMs` are reported.
 */
export interface LaneOptions {
  /** Most units in one transaction, to bound how long the write lock is held. */
  maxBatch?: number;
  slowUnitMs?: number;
  onSlowUnit?: (ms: number, label: string | undefined) => void;
  /** After every transaction of the lane ends, committed or rolled back (change-epochs.ts noteCommit). */
  onTransactionEnd?: () => void;
}

interface Pending<T = unknown> {
  fn: () => Promise<T>;
  label: string | undefined;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export class SqliteWriterLane {
  private queue: Pending[] = [];
  private running = false;
  private readonly maxBatch: number;
  private readonly slowUnitMs: number;
  private readonly onSlowUnit: LaneOptions['onSlowUnit'];
  private readonly onTransactionEnd: LaneOptions['onTransactionEnd'];
  // Prepared once: exec() parses its SQL on every call, and these run around every unit.
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackTo: Database.Statement;

  constructor(
    private readonly writer: Database.Database,
    opts: LaneOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 256;
    this.slowUnitMs = opts.slowUnitMs ?? 50;
    this.onSlowUnit = opts.onSlowUnit;
    this.onTransactionEnd = opts.onTransactionEnd;
    this.savepoint = writer.prepare('SAVEPOINT unit');
    this.release = writer.prepare('RELEASE unit');
    this.rollbackTo = writer.prepare('ROLLBACK TO unit');
  }

  /** How many units are waiting for the lane (diagnostics, tests). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Runs fn as a unit of work in the lane; settles after its transaction commits (or fails). */
  run<T>(fn: () => Promise<T>, label?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, label, resolve, reject } as Pending);
      if (!this.running) {
        this.running = true;
        // Let the requests already parsed in this turn queue up, so they share the commit.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.runBatch(batch);
        // Give I/O a turn between batches: requests that arrived during the last batch join the next.
        if (this.queue.length) await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
      // A unit queued between the loop's last check and here still gets a drain.
      if (this.queue.length && !this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const w = this.writer;
    try {
      w.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    for (const p of batch) {
      const started = performance.now();
      this.savepoint.run();
      try {
        const value = await p.fn();
        this.release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        try {
          this.rollbackTo.run();
          this.release.run();
        } catch {
          // The whole transaction is gone (e.g. SQLITE_FULL rolled it back): fail the batch below.
        }
        outcomes.push({ ok: false, error });
      }
      const ms = performance.now() - started;
      if (ms >= this.slowUnitMs) this.onSlowUnit?.(ms, p.label);
      if (!w.inTransaction) break;
    }
    try {
      if (!w.inTransaction) throw new Error('the transaction was rolled back by SQLite');
      w.exec('COMMIT');
    } catch (error) {
      // Nothing of the batch was written: every caller hears so, including those whose unit succeeded.
      if (w.inTransaction) w.exec('ROLLBACK');
      this.onTransactionEnd?.();
      for (const p of batch) p.reject(error);
      return;
    }
    this.onTransactionEnd?.();
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }
}
