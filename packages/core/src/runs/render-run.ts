import type { approvals, runEvents, runs } from '@baton/db';
import { formatMicros } from '../util/money.ts';
import type { TApproval, TRun, TRunEvent } from './run.types.ts';
import { renderStageHistory, runOutcome } from './stage-results.ts';

export type RunRow = typeof runs.$inferSelect;
export type RunEventRow = typeof runEvents.$inferSelect;
export type ApprovalRow = typeof approvals.$inferSelect;

export function renderRun(r: RunRow): TRun {
  const stageHistory = renderStageHistory(r.stageHistory, r.status);
  const waitingFor = (r.engineState as { waitingFor?: unknown } | null)?.waitingFor;
  return {
    id: r.id,
    orgId: r.orgId,
    projectId: r.projectId,
    userId: r.userId,
    status: r.status,
    stageStartedAt: r.stageStartedAt,
    stageHistory,
    requestText: r.requestText,
    scopeArtifact: r.scopeArtifact,
    planArtifact: r.planArtifact,
    totalCreditsUsed: formatMicros(r.totalCreditsUsed),
    totalTokensInput: r.totalTokensInput,
    totalTokensOutput: r.totalTokensOutput,
    parentRunId: r.parentRunId,
    modelUsed: r.modelUsed,
    errorMessage: r.errorMessage,
    createdAt: r.createdAt,
    completedAt: r.completedAt,
    outcome: runOutcome(r.status, stageHistory, r.errorMessage),
    // The engine parks a waiting run with the approval's id in its state (advance-run.ts); approving
    // clears it and ending the run empties the state, so this is exactly "waiting for a person now".
    pendingApprovalId: typeof waitingFor === 'string' ? waitingFor : null,
  };
}

export function renderEvent(e: RunEventRow): TRunEvent {
  return {
    id: e.id,
    runId: e.runId,
    sequenceNumber: e.sequenceNumber,
    eventType: e.eventType,
    data: e.data,
    modelUsed: e.modelUsed,
    tokensUsed: e.tokensUsed,
    replayVisible: e.replayVisible,
    createdAt: e.createdAt,
  };
}

export function renderApproval(a: ApprovalRow): TApproval {
  return {
    id: a.id,
    runId: a.runId,
    eventId: a.eventId,
    actionSummary: a.actionSummary,
    reason: a.reason,
    riskDescription: a.riskDescription,
    costEstimate: a.costEstimate,
    undoPlan: a.undoPlan,
    evidence: a.evidence,
    status: a.status,
    decidedBy: a.decidedBy,
    policyRuleId: a.policyRuleId,
    decidedAt: a.decidedAt,
    expiresAt: a.expiresAt,
    createdAt: a.createdAt,
  };
}
