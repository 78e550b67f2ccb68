import { z } from 'zod';
import { RUN_STATUSES, RUN_EVENT_TYPES, APPROVAL_STATUSES } from '@baton/db';

export const ZRunStatus = z.enum(RUN_STATUSES).meta({ id: 'RunStatus' });

export const ZStageHistoryEntry = z
  .object({ stage: z.string(), startedAt: z.string(), endedAt: z.string() })
  .meta({ id: 'StageHistoryEntry' });

export const ZRun = z
  .object({
    id: z.string(),
    orgId: z.string(),
    projectId: z.string().nullable(),
    userId: z.string(),
    status: ZRunStatus,
    stageStartedAt: z.string().nullable(),
    stageHistory: z.array(ZStageHistoryEntry),
    requestText: z.string(),
    scopeArtifact: z.record(z.string(), z.unknown()).nullable(),
    planArtifact: z.record(z.string(), z.unknown()).nullable(),
    totalCreditsUsed: z.string(),
    totalTokensInput: z.number().int(),
    totalTokensOutput: z.number().int(),
    parentRunId: z.string().nullable(),
    modelUsed: z.string().nullable(),
    errorMessage: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'Run' });
export type TRun = z.infer<typeof ZRun>;

export const ZRunEvent = z
  .object({
    id: z.string(),
    runId: z.string(),
    sequenceNumber: z.number().int(),
    eventType: z.enum(RUN_EVENT_TYPES),
    data: z.record(z.string(), z.unknown()),
    modelUsed: z.string().nullable(),
    tokensUsed: z.number().int().nullable(),
    replayVisible: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'RunEvent' });
export type TRunEvent = z.infer<typeof ZRunEvent>;

export const ZApproval = z
  .object({
    id: z.string(),
    runId: z.string(),
    eventId: z.string().nullable(),
    actionSummary: z.string(),
    reason: z.string(),
    riskDescription: z.string().nullable(),
    costEstimate: z.string().nullable(),
    undoPlan: z.string().nullable(),
    evidence: z.record(z.string(), z.unknown()).nullable(),
    status: z.enum(APPROVAL_STATUSES),
    decidedBy: z.string().nullable(),
    policyRuleId: z.string().nullable(),
    decidedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Approval' });
export type TApproval = z.infer<typeof ZApproval>;

export const ZRunDetail = ZRun.extend({ events: z.array(ZRunEvent), approvals: z.array(ZApproval) }).meta({ id: 'RunDetail' });

export const ZReplayData = z
  .object({
    run: z.object({
      id: z.string(),
      status: ZRunStatus,
      requestText: z.string(),
      totalCreditsUsed: z.string(),
      totalTokensInput: z.number().int(),
      totalTokensOutput: z.number().int(),
      createdAt: z.string(),
      completedAt: z.string().nullable(),
      stageHistory: z.array(ZStageHistoryEntry),
    }),
    events: z.array(ZRunEvent),
    eventCount: z.number().int(),
  })
  .meta({ id: 'ReplayData' });

export const ZCreateRunInput = z.object({
  requestText: z.string().trim().min(1).max(10000),
  projectId: z.uuid().optional(),
});
export type TCreateRunInput = z.infer<typeof ZCreateRunInput>;

export const ZListRunsInput = z.object({
  projectId: z.string().max(100).optional(),
  status: ZRunStatus.optional(),
  limit: z.number().int().min(1).max(100).default(25),
  offset: z.number().int().min(0).default(0),
});
export type TListRunsInput = z.infer<typeof ZListRunsInput>;

export const ZRunIdInput = z.object({ id: z.string().max(100) });
export const ZApproveInput = z.object({ id: z.string().max(100), approvalId: z.uuid() });
export const ZDenyInput = z.object({ id: z.string().max(100), approvalId: z.uuid(), reason: z.string().max(1000).optional() });
export const ZCancelInput = z.object({ id: z.string().max(100), reason: z.string().max(1000).optional() });
