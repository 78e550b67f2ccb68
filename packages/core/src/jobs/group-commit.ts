import { withSavepoint, withTransaction, type CoreContext } from '../context.ts';

interface Pending {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. Units of work that become ready in the same tick are written in one SQLite
 * transaction, so with synchronous=FULL they share one fsync instead of paying one each. Each unit
 * runs in its own savepoint: one that throws is rolled back alone and its caller gets the error.
 * A caller's promise resolves only after the real COMMIT, so nothing is acknowledged (or published
 * to SSE subscribers) before it is durable.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly ctx: CoreContext,
    /** Largest number of units in one transaction, to bound how long the write lock is held. */
    private readonly maxBatch = 500,
  ) {}

  commit<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      withTransaction(this.ctx, () => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: withSavepoint(this.ctx, item.fn) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The COMMIT itself failed (disk full, I/O error): nothing of the batch was written.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }
}
