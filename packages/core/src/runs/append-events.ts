import { eq, sql } from 'drizzle-orm';
import { prepared } from '../util/prepared.ts';
import { runEvents, runs, RUN_EVENT_TYPES } from '@baton/db';
import { afterCommit, withTransaction, type CoreContext } from '../context.ts';
import { newId } from '../util/ids.ts';
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
export function appendRunEvents(ctx: CoreContext, runId: string, events: NewRunEvent[]): TRunEvent[] {
  if (!events.length) return [];
  return withTransaction(ctx, () => {
    const bumped = prepared(ctx.db, 'bumpRunSeq', (db) =>
      db
        .update(runs)
        .set({ lastSeq: sql`${runs.lastSeq} + ${sql.placeholder('n')}` })
        .where(eq(runs.id, sql.placeholder('runId')))
        .returning({ lastSeq: runs.lastSeq })
        .prepare(),
    ).get({ n: events.length, runId });
    if (!bumped) throw new Error(`run ${runId} does not exist`);
    let seq = bumped.lastSeq - events.length;
    const createdAt = ctx.now().toISOString();
    const rows = events.map((e) => ({
      id: newId(),
      runId,
      sequenceNumber: ++seq,
      eventType: e.eventType,
      data: e.data,
      modelUsed: e.modelUsed ?? null,
      tokensUsed: e.tokensUsed ?? null,
      replayVisible: e.replayVisible ?? !HIDDEN_FROM_REPLAY.has(e.eventType),
      createdAt,
    }));
    const insert = prepared(ctx.db, 'insertRunEvent', (db) =>
      db
        .insert(runEvents)
        .values({
          id: sql.placeholder('id'),
          runId: sql.placeholder('runId'),
          sequenceNumber: sql.placeholder('sequenceNumber'),
          eventType: sql.placeholder('eventType'),
          data: sql.placeholder('data'),
          modelUsed: sql.placeholder('modelUsed'),
          tokensUsed: sql.placeholder('tokensUsed'),
          replayVisible: sql.placeholder('replayVisible'),
          createdAt: sql.placeholder('createdAt'),
        })
        .prepare(),
    );
    for (const r of rows) insert.run(r);
    const rendered = rows.map(renderEvent);
    const bus = ctx.bus;
    if (bus) afterCommit(() => rendered.forEach((e) => bus.publish(e)));
    return rendered;
  });
}

export const appendRunEvent = (ctx: CoreContext, runId: string, event: NewRunEvent): TRunEvent =>
  appendRunEvents(ctx, runId, [event])[0]!;
