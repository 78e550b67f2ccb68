import type { TRunEvent } from './run.types.ts';

export type RunEventListener = (event: TRunEvent) => void;

/** Where nodes announce committed run events: `<runId> <first seq> <last seq>`. */
export const RUN_EVENTS_CHANNEL = 'baton_run_events';

/**
 * In-process fan-out of committed run events. One append wakes every subscriber of that run;
 * no subscriber polls the database. Events are published only after their transaction commits.
 */
export class RunEventBus {
  private readonly listeners = new Map<string, Set<RunEventListener>>();
  /** The highest sequence number published per run, while the run has subscribers. */
  private readonly published = new Map<string, number>();

  subscribe(runId: string, listener: RunEventListener): () => void {
    let set = this.listeners.get(runId);
    if (!set) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      const s = this.listeners.get(runId);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) {
        this.listeners.delete(runId);
        this.published.delete(runId);
      }
    };
  }

  publish(event: TRunEvent): void {
    const set = this.listeners.get(event.runId);
    if (!set) return;
    if (event.sequenceNumber > (this.published.get(event.runId) ?? 0)) this.published.set(event.runId, event.sequenceNumber);
    for (const listener of set) listener(event);
  }

  /** The highest sequence number published for a run with subscribers (0: none yet). */
  lastPublished(runId: string): number {
    return this.published.get(runId) ?? 0;
  }

  /** Runs that have subscribers here. */
  subscribedRuns(): string[] {
    return [...this.listeners.keys()];
  }

  subscriberCount(runId?: string): number {
    if (runId) return this.listeners.get(runId)?.size ?? 0;
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}
