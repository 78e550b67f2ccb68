import { prepared } from '../util/prepared.ts';
import { RUN_EVENT_TYPES } from '@baton/db';
import { afterCommit, withTransaction, type CoreContext } from '../context.ts';
import { newTimeOrderedId } from '../util/ids.ts';
import { recordRunContext } from '../relay/context-events.ts';
import { renderEvent } from './render-run.ts';
import type { TRunEvent } from './run.types.ts';

export interface NewRunEvent {
  eventType: (typeof RUN_EVENT_TYPES)[number];
  data: Record<string, unknown>;
  modelUsed?: string | null;
  tokensUsed?: number | null;
  replayVisible?: boolean;
}

/** Events that are bookkeeping rather than story are hidden from replay. */
const HIDDEN_FROM_REPLAY = new Set(['cost_update']);

/**
 * Appends events to a run with consecutive sequence numbers, inside the caller's transaction (or a
 * new one). Subscribers are woken only after the commit, so nobody ever sees an event that is then
 * rolled back.
 */
export async function appendRunEvents(ctx: CoreContext, runId: string, events: NewRunEvent[]): Promise<TRunEvent[]> {
  if (!events.length) return [];
  return withTransaction(ctx, async (ctx) => {
    // The hottest write in Baton: plain better-sqlite3 statements, prepared once, skip drizzle's
    // per-row mapping. Column names mirror packages/db/src/schema/run-events.ts.
    const stmt = prepared(ctx.db, 'appendRunEvents', (db) => ({
      bump: db.$client.prepare<[number, string], { last_seq: number }>('UPDATE runs SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq'),
      insert: db.$client.prepare(
        'INSERT INTO run_events (id, run_id, sequence_number, event_type, data, model_used, tokens_used, replay_visible, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    }));
    const bumped = stmt.bump.get(events.length, runId);
    if (!bumped) throw new Error(`run ${runId} does not exist`);
    let seq = bumped.last_seq - events.length;
    const createdAt = ctx.now().toISOString();
    const rows = events.map((e) => ({
      id: newTimeOrderedId(),
      runId,
      sequenceNumber: ++seq,
      eventType: e.eventType,
      data: e.data,
      modelUsed: e.modelUsed ?? null,
      tokensUsed: e.tokensUsed ?? null,
      replayVisible: e.replayVisible ?? !HIDDEN_FROM_REPLAY.has(e.eventType),
      createdAt,
    }));
    for (const r of rows) {
      stmt.insert.run(r.id, r.runId, r.sequenceNumber, r.eventType, JSON.stringify(r.data), r.modelUsed, r.tokensUsed, r.replayVisible ? 1 : 0, r.createdAt);
    }
    await recordRunContext(ctx, runId, rows, createdAt);
    const rendered = rows.map(renderEvent);
    const bus = ctx.bus;
    if (bus) afterCommit(ctx, () => rendered.forEach((e) => bus.publish(e)));
    return rendered;
  });
}

export const appendRunEvent = async (ctx: CoreContext, runId: string, event: NewRunEvent): Promise<TRunEvent> =>
  (await appendRunEvents(ctx, runId, [event]))[0]!;
