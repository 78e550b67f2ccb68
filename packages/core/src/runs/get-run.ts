import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { prepared } from '../util/prepared.ts';
import { approvals, runEvents } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { loadRunFor } from './load-run.ts';
import { renderApproval, renderEvent, renderRun } from './render-run.ts';

export function getRunDetail(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string) {
  const { run } = loadRunFor(ctx, actor, activeOrgId, runId);
  const events = prepared(ctx.db, 'runEvents', (db) =>
    db.select().from(runEvents).where(eq(runEvents.runId, sql.placeholder('runId'))).orderBy(asc(runEvents.sequenceNumber)).prepare(),
  ).all({ runId });
  const approvalRows = prepared(ctx.db, 'runApprovals', (db) =>
    db.select().from(approvals).where(eq(approvals.runId, sql.placeholder('runId'))).orderBy(asc(approvals.createdAt), asc(approvals.id)).prepare(),
  ).all({ runId });
  return { ...renderRun(run), events: events.map(renderEvent), approvals: approvalRows.map(renderApproval) };
}

export function getRunReplay(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string) {
  const { run } = loadRunFor(ctx, actor, activeOrgId, runId);
  const events = ctx.db
    .select()
    .from(runEvents)
    .where(and(eq(runEvents.runId, runId), eq(runEvents.replayVisible, true)))
    .orderBy(asc(runEvents.sequenceNumber))
    .all()
    .map(renderEvent);
  const r = renderRun(run);
  return {
    run: {
      id: r.id,
      status: r.status,
      requestText: r.requestText,
      totalCreditsUsed: r.totalCreditsUsed,
      totalTokensInput: r.totalTokensInput,
      totalTokensOutput: r.totalTokensOutput,
      createdAt: r.createdAt,
      completedAt: r.completedAt,
      stageHistory: r.stageHistory,
    },
    events,
    eventCount: events.length,
  };
}

/** Events after a sequence number, in order: what an SSE client resuming with Last-Event-ID missed. */
export function runEventsAfter(ctx: CoreContext, runId: string, afterSeq: number) {
  return prepared(ctx.db, 'runEventsAfter', (db) =>
    db
      .select()
      .from(runEvents)
      .where(and(eq(runEvents.runId, sql.placeholder('runId')), gt(runEvents.sequenceNumber, sql.placeholder('afterSeq'))))
      .orderBy(asc(runEvents.sequenceNumber))
      .prepare(),
  )
    .all({ runId, afterSeq })
    .map(renderEvent);
}
