import { and, eq } from 'drizzle-orm';
import { approvals, forUpdate, runs, users } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { requireRole } from '../orgs/access.ts';
import { appendRunEvent } from './append-events.ts';
import { finishRun, isTerminal, runJobKey } from './finish-run.ts';
import { loadRunFor } from './load-run.ts';
import { renderApproval, type ApprovalRow } from './render-run.ts';
import type { EngineState } from '../engine/drivers/driver.ts';

const EXPIRED_NOW = 'This approval has expired; the run was cancelled';

/**
 * The run and its still-pending approval. Deciding something already decided, or a run that has
 * ended, is a conflict with the current state (409), not a malformed request. An approval found past
 * its expiry is expired here and now; the caller commits that before it answers 409.
 */
async function loadPending(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string, approvalId: string) {
  const { access } = await loadRunFor(ctx, actor, activeOrgId, runId);
  requireRole(access, 'member');
  // Read again, locked for the unit: the engine, a cancel or another decision on another node take
  // turns with this one, and this one sees what they committed.
  const run = (await forUpdate(ctx.db.select().from(runs).where(eq(runs.id, runId))))[0];
  if (!run) throw notFound('Run not found');
  const approval = (
    await ctx.db
      .select()
      .from(approvals)
      .where(and(eq(approvals.id, approvalId), eq(approvals.runId, runId)))
  )[0];
  if (!approval) throw notFound('Approval not found for this run');
  if (approval.status !== 'pending') {
    // Ending a run expires its pending approvals: name the run's end, which is what happened.
    throw conflict(approval.status === 'expired' && isTerminal(run.status) ? `The run is already ${run.status}` : `This approval is already ${approval.status}`);
  }
  if (isTerminal(run.status)) throw conflict(`The run is already ${run.status}`);
  if (approval.expiresAt && approval.expiresAt <= ctx.now().toISOString()) {
    await expireApproval(ctx, approval.id);
    return null;
  }
  return { run, approval };
}

const userName = async (ctx: CoreContext, id: string) => (await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, id)))[0]?.name ?? 'a user';

/** Approves the pending action; the run resumes from exactly where it waited. */
export async function approveRun(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string, approvalId: string) {
  const decided = await withTransaction(ctx, async (ctx) => {
    const pending = await loadPending(ctx, actor, activeOrgId, runId, approvalId);
    if (!pending) return null;
    const { run, approval } = pending;
    const now = ctx.now().toISOString();
    const updated = (
      await ctx.db
        .update(approvals)
        .set({ status: 'approved', decidedBy: actor.userId, decidedAt: now })
        .where(eq(approvals.id, approval.id))
        .returning()
    )[0]!;
    await appendRunEvent(ctx, runId, {
      eventType: 'approval_granted',
      data: { approvalId: approval.id, decidedBy: actor.userId, decidedByName: await userName(ctx, actor.userId), actionSummary: approval.actionSummary },
    });
    const state = run.engineState as EngineState;
    await ctx.db
      .update(runs)
      .set({ engineState: { ...state, waitingFor: null, approvedKey: state.pendingKey ?? null, pendingKey: null } })
      .where(eq(runs.id, runId));
    await enqueueJob(ctx, { name: 'run.advance', key: runJobKey(runId), payload: { runId } });
    return renderApproval(updated);
  });
  // Thrown after the commit: inside the unit it would roll the expiry back.
  if (!decided) throw conflict(EXPIRED_NOW);
  return decided;
}

/** Denies the pending action, which cancels the run; the reason is kept on the approval and the run. */
export async function denyRun(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string, approvalId: string, reason?: string) {
  const decided = await withTransaction(ctx, async (ctx) => {
    const pending = await loadPending(ctx, actor, activeOrgId, runId, approvalId);
    if (!pending) return null;
    const { approval } = pending;
    const now = ctx.now().toISOString();
    const updated = (
      await ctx.db
        .update(approvals)
        .set({ status: 'denied', decidedBy: actor.userId, decidedAt: now, decisionNote: reason ?? null })
        .where(eq(approvals.id, approval.id))
        .returning()
    )[0]!;
    const who = await userName(ctx, actor.userId);
    await finishRun(ctx, runId, 'cancelled', {
      errorMessage: `Denied by ${who}: ${approval.actionSummary}${reason ? ` — ${reason}` : ''}`,
      events: [{ eventType: 'approval_denied', data: { approvalId: approval.id, decidedBy: actor.userId, decidedByName: who, reason: reason ?? null } }],
    });
    return renderApproval(updated);
  });
  if (!decided) throw conflict(EXPIRED_NOW);
  return decided;
}

/** Expires a still-pending approval and cancels its run. A no-op if it was decided meanwhile. */
export async function expireApproval(ctx: CoreContext, approvalId: string): Promise<ApprovalRow | null> {
  return withTransaction(ctx, async (ctx) => {
    const approval = (await ctx.db.select().from(approvals).where(eq(approvals.id, approvalId)))[0];
    if (!approval || approval.status !== 'pending') return null;
    const now = ctx.now().toISOString();
    const updated = (await ctx.db.update(approvals).set({ status: 'expired', decidedAt: now, decisionNote: 'expired' }).where(eq(approvals.id, approvalId)).returning())[0]!;
    await finishRun(ctx, approval.runId, 'cancelled', {
      errorMessage: `Approval expired: "${approval.actionSummary}" was not approved or denied before ${approval.expiresAt}`,
    });
    return updated;
  });
}
