import { and, eq } from 'drizzle-orm';
import { approvals, runs, users } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { requireRole } from '../orgs/access.ts';
import { appendRunEvent } from './append-events.ts';
import { finishRun, isTerminal, runJobKey } from './finish-run.ts';
import { loadRunFor } from './load-run.ts';
import { renderApproval, type ApprovalRow } from './render-run.ts';
import type { EngineState } from '../engine/drivers/driver.ts';

function loadPending(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string, approvalId: string) {
  const { run, access } = loadRunFor(ctx, actor, activeOrgId, runId);
  requireRole(access, 'member');
  const approval = ctx.db
    .select()
    .from(approvals)
    .where(and(eq(approvals.id, approvalId), eq(approvals.runId, runId)))
    .get();
  if (!approval) throw notFound('Approval not found for this run');
  if (approval.status !== 'pending') throw badRequest(`This approval is already ${approval.status}`);
  if (isTerminal(run.status)) throw badRequest(`The run is already ${run.status}`);
  if (approval.expiresAt && approval.expiresAt <= ctx.now().toISOString()) {
    expireApproval(ctx, approval.id);
    throw badRequest('This approval has expired; the run was cancelled');
  }
  return { run, approval };
}

const userName = (ctx: CoreContext, id: string) => ctx.db.select({ name: users.name }).from(users).where(eq(users.id, id)).get()?.name ?? 'a user';

/** Approves the pending action; the run resumes from exactly where it waited. */
export function approveRun(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string, approvalId: string) {
  return withTransaction(ctx, () => {
    const { run, approval } = loadPending(ctx, actor, activeOrgId, runId, approvalId);
    const now = ctx.now().toISOString();
    const updated = ctx.db
      .update(approvals)
      .set({ status: 'approved', decidedBy: actor.userId, decidedAt: now })
      .where(eq(approvals.id, approval.id))
      .returning()
      .get()!;
    appendRunEvent(ctx, runId, {
      eventType: 'approval_granted',
      data: { approvalId: approval.id, decidedBy: actor.userId, decidedByName: userName(ctx, actor.userId), actionSummary: approval.actionSummary },
    });
    const state = run.engineState as EngineState;
    ctx.db
      .update(runs)
      .set({ engineState: { ...state, waitingFor: null, approvedKey: state.pendingKey ?? null, pendingKey: null } })
      .where(eq(runs.id, runId))
      .run();
    enqueueJob(ctx, { name: 'run.advance', key: runJobKey(runId), payload: { runId } });
    return renderApproval(updated);
  });
}

/** Denies the pending action, which cancels the run; the reason is kept on the approval and the run. */
export function denyRun(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string, approvalId: string, reason?: string) {
  return withTransaction(ctx, () => {
    const { approval } = loadPending(ctx, actor, activeOrgId, runId, approvalId);
    const now = ctx.now().toISOString();
    const updated = ctx.db
      .update(approvals)
      .set({ status: 'denied', decidedBy: actor.userId, decidedAt: now, decisionNote: reason ?? null })
      .where(eq(approvals.id, approval.id))
      .returning()
      .get()!;
    const who = userName(ctx, actor.userId);
    finishRun(ctx, runId, 'cancelled', {
      errorMessage: `Denied by ${who}: ${approval.actionSummary}${reason ? ` — ${reason}` : ''}`,
      events: [{ eventType: 'approval_denied', data: { approvalId: approval.id, decidedBy: actor.userId, decidedByName: who, reason: reason ?? null } }],
    });
    return renderApproval(updated);
  });
}

/** Expires a still-pending approval and cancels its run. A no-op if it was decided meanwhile. */
export function expireApproval(ctx: CoreContext, approvalId: string): ApprovalRow | null {
  return withTransaction(ctx, () => {
    const approval = ctx.db.select().from(approvals).where(eq(approvals.id, approvalId)).get();
    if (!approval || approval.status !== 'pending') return null;
    const now = ctx.now().toISOString();
    const updated = ctx.db.update(approvals).set({ status: 'expired', decidedAt: now, decisionNote: 'expired' }).where(eq(approvals.id, approvalId)).returning().get()!;
    finishRun(ctx, approval.runId, 'cancelled', {
      errorMessage: `Approval expired: "${approval.actionSummary}" was not approved or denied before ${approval.expiresAt}`,
    });
    return updated;
  });
}
