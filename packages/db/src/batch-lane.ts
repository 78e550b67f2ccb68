/** What one item of a batch came to: its value, or the error only it met. */
export type Settled<O> = { value: O } | { error: unknown };

/**
 * Coalesces concurrent calls into batches: one batch runs at a time, and the calls that arrive
 * while it runs form the next one (up to `max`). Nobody waits for a batch to fill: a call on an
 * idle lane runs at once, alone. It is the writer lane's group commit (sqlite-lane.ts) for work
 * that one statement can do for many callers at once: the writes of a burst of POST /runs
 * (core create-run.ts), the key lookups of a burst of API requests (auth credentials.ts).
 *
 * `run` settles each item on its own (an item's expected failure, such as a missing project, is
 * its own). If `run` throws, the batch is retried one item at a time, so that whatever broke it
 * fails only the caller it belongs to.
 */
export class BatchLane<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<Settled<O>>>,
    private readonly max = 64,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.max);
        const settled = await this.run(batch.map((b) => b.item)).catch((error: unknown) =>
          batch.length === 1 ? [{ error }] : Promise.all(batch.map((b) => this.runAlone(b.item))),
        );
        batch.forEach((b, i) => {
          const s = settled[i] ?? { error: new Error('batch lane: no result for an item') };
          if ('error' in s) b.reject(s.error);
          else b.resolve(s.value);
        });
      }
    } finally {
      this.running = false;
    }
  }

  private async runAlone(item: I): Promise<Settled<O>> {
    try {
      return (await this.run([item]))[0] ?? { error: new Error('batch lane: no result for an item') };
    } catch (error) {
      return { error };
    }
  }
}
