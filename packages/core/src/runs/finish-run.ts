import { and, eq } from 'drizzle-orm';
import { approvals, forUpdate, runs, RUN_TERMINAL } from '@baton/db';
import { afterCommit, withTransaction, type CoreContext } from '../context.ts';
import { dropQueuedJob } from '../jobs/queue.ts';
import { appendRunEvents, type NewRunEvent } from './append-events.ts';
import type { RunRow } from './render-run.ts';
import { renderStageHistory, runOutcome, type StageRecord, type StageResult } from './stage-results.ts';

export const isTerminal = (status: string) => (RUN_TERMINAL as readonly string[]).includes(status);
export const runJobKey = (runId: string) => `run:${runId}`;

/** The stage history with the current stage closed now, with what it did (stage-results.ts). */
export function closeStage(run: RunRow, now: string, result?: StageResult): StageRecord[] {
  if (!run.stageStartedAt) return run.stageHistory;
  return [...run.stageHistory, { stage: run.status, startedAt: run.stageStartedAt, endedAt: now, ...result }];
}

/**
 * Ends a run (completed, failed or cancelled) once: closes the stage, records why, expires open
 * approvals, drops its queued step, and kills any tool process still running for it.
 * Returns the updated row, or null if the run had already ended.
 */
export async function finishRun(
  ctx: CoreContext,
  runId: string,
  status: (typeof RUN_TERMINAL)[number],
  /** `stageResult`: what the last stage did, when the run completes; a failed or cancelled run's last stage gets its status and message. */
  opts: { errorMessage?: string | null; events?: NewRunEvent[]; stageResult?: StageResult } = {},
): Promise<RunRow | null> {
  return withTransaction(ctx, async (ctx) => {
    // Locked for the unit: a cancel and the engine's step on another node take turns (forUpdate).
    const run = (await forUpdate(ctx.db.select().from(runs).where(eq(runs.id, runId))))[0];
    if (!run || isTerminal(run.status)) return null;
    const now = ctx.now().toISOString();
    const stageResult: StageResult = status === 'completed' ? (opts.stageResult ?? { result: 'done', summary: null }) : { result: status, summary: opts.errorMessage ?? null };
    const stageHistory = closeStage(run, now, stageResult);
    const outcome = runOutcome(status, renderStageHistory(stageHistory, status), opts.errorMessage ?? null);
    const events: NewRunEvent[] = [...(opts.events ?? [])];
    if (status === 'failed' && opts.errorMessage) events.push({ eventType: 'error', data: { message: opts.errorMessage } });
    events.push({
      eventType: 'stage_transition',
      data: { from: run.status, to: status, ...(opts.errorMessage ? { reason: opts.errorMessage } : {}), result: stageResult.result, summary: stageResult.summary, outcome },
    });
    await appendRunEvents(ctx, runId, events);
    const updated = (
      await ctx.db
        .update(runs)
        .set({
          status,
          stageHistory,
          stageStartedAt: null,
          completedAt: now,
          errorMessage: opts.errorMessage ?? null,
          engineState: {},
        })
        .where(eq(runs.id, runId))
        .returning()
    )[0];
    await ctx.db
      .update(approvals)
      .set({ status: 'expired', decidedAt: now, decisionNote: `run ${status}` })
      .where(and(eq(approvals.runId, runId), eq(approvals.status, 'pending')));
    await dropQueuedJob(ctx, runJobKey(runId));
    afterCommit(ctx, () => ctx.runAborts?.get(runId)?.abort());
    return updated ?? null;
  });
}
