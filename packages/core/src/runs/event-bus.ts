import type { TRunEvent } from './run.types.ts';

export type RunEventListener = (event: TRunEvent) => void;

/**
 * In-process fan-out of committed run events. One append wakes every subscriber of that run;
 * no subscriber polls the database. Events are published only after their transaction commits.
 */
export class RunEventBus {
  private readonly listeners = new Map<string, Set<RunEventListener>>();

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
      if (s.size === 0) this.listeners.delete(runId);
    };
  }

  publish(event: TRunEvent): void {
    const set = this.listeners.get(event.runId);
    if (!set) return;
    for (const listener of set) listener(event);
  }

  subscriberCount(runId?: string): number {
    if (runId) return this.listeners.get(runId)?.size ?? 0;
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}
