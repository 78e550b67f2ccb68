import type { CoreContext } from '../context.ts';
import { RUN_EVENTS_CHANNEL } from './event-bus.ts';
import { runEventsAfter } from './get-run.ts';

/**
 * Brings run events committed on other nodes to this node's subscribers (SSE streams). Every append
 * notifies RUN_EVENTS_CHANNEL at its commit with the run id and its sequence range; a node with
 * subscribers to that run reads the events from the table (notifications carry ids, not events)
 * and publishes them on its bus. The node that appended has published them already: the bus
 * remembers the highest sequence number it published per run, and nothing is read twice.
 * After a lost listening connection, every subscribed run catches up from that number.
 *
 * On SQLite nothing is ever notified (one process owns the database and publishes directly).
 */
export async function relayRunEventsAcrossNodes(ctx: CoreContext): Promise<() => void> {
  const bus = ctx.bus;
  if (!bus) return () => {};
  // One read at a time per run, so events are published in order.
  const chains = new Map<string, Promise<void>>();
  const catchUp = (runId: string, from?: number) => {
    const prev = chains.get(runId) ?? Promise.resolve();
    const next = prev.then(async () => {
      if (!bus.subscriberCount(runId)) return;
      const after = Math.max(bus.lastPublished(runId), from ?? 0);
      const events = await runEventsAfter(ctx, runId, after);
      for (const e of events) if (e.sequenceNumber > bus.lastPublished(runId)) bus.publish(e);
    });
    const settled = next.catch((e) => ctx.logger.warn('could not read run events announced by another node', { runId, error: String(e) }));
    chains.set(runId, settled);
    void settled.then(() => {
      if (chains.get(runId) === settled) chains.delete(runId);
    });
  };
  return ctx.store.listen(
    RUN_EVENTS_CHANNEL,
    (payload) => {
      const [runId, first, last] = payload.split(' ');
      if (!runId || !bus.subscriberCount(runId)) return;
      const lastSeq = Number(last);
      if (bus.lastPublished(runId) >= lastSeq) return; // published here already
      // A subscriber that has seen nothing on the bus yet read its own backlog: start at this range.
      catchUp(runId, bus.lastPublished(runId) ? undefined : Number(first) - 1);
    },
    () => {
      for (const runId of bus.subscribedRuns()) catchUp(runId);
    },
  );
}
