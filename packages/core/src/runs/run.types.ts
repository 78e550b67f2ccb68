import { z } from 'zod';
import { RUN_STATUSES, RUN_EVENT_TYPES, APPROVAL_STATUSES } from '@baton/db';

export const ZRunStatus = z.enum(RUN_STATUSES).meta({ id: 'RunStatus' });

/** How a stage ended: it did its work, had nothing to do (and says why), or the run stopped in it. */
export const STAGE_RESULTS = ['done', 'skipped', 'failed', 'cancelled'] as const;
export type TStageResultKind = (typeof STAGE_RESULTS)[number];

export const ZStageHistoryEntry = z
  .object({
    stage: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    // Extensions beyond the contract's entry: what the stage did, so "ended" is not read as "did it".
    result: z.enum(STAGE_RESULTS).describe('Baton extension. `done`: the stage did its work; `skipped`: it had nothing to do (`summary` says why, e.g. no deploy hook configured); `failed` / `cancelled`: the run stopped in this stage.'),
    summary: z.string().nullable().describe('Baton extension. What the stage did or why it was skipped, in one line (null for runs recorded before stage results existed).'),
    changedFiles: z.array(z.string()).optional().describe('Baton extension, build stage only: the workspace files the run wrote (Baton\'s own `.baton/` records excluded).'),
  })
  .meta({ id: 'StageHistoryEntry' });
export type TStageHistoryEntry = z.infer<typeof ZStageHistoryEntry>;

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
    outcome: z
      .string()
      .nullable()
      .describe(
        'Baton extension. What the finished run achieved, in one line, e.g. "Completed — no code changes; deploy skipped (no deploy hook configured for staging)". Null while the run is active. Per-stage detail is in `stageHistory[].result` and `.summary`.',
      ),
    pendingApprovalId: z
      .string()
      .nullable()
      .describe(
        'Baton extension. The id of the approval the run is waiting for (its stage is paused until someone approves or denies it), or null. Pass it as `approvalId` to POST /runs/{id}/approve or /deny.',
      ),
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
/** Where a client finds the approval id; said in the served OpenAPI and in the 400 when it is missing. */
export const APPROVAL_ID_HELP =
  'the id of the pending approval: `pendingApprovalId` in GET /runs or GET /runs/{id}, the `id` of the entry with status "pending" in GET /runs/{id} → `approvals`, or `data.approvalId` of the run\'s latest `approval_requested` event';

const ZApprovalId = z
  .uuid({ error: (iss) => (iss.input === undefined ? `required: ${APPROVAL_ID_HELP}` : `must be a UUID: ${APPROVAL_ID_HELP}`) })
  .describe(`Required. The approval to decide: ${APPROVAL_ID_HELP}.`);

export const ZApproveInput = z.object({ id: z.string().max(100), approvalId: ZApprovalId });
export const ZDenyInput = z.object({
  id: z.string().max(100),
  approvalId: ZApprovalId,
  reason: z.string().max(1000).optional().describe('Why it is denied; kept on the approval and in the run\'s error message.'),
});
export const ZCancelInput = z.object({ id: z.string().max(100), reason: z.string().max(1000).optional() });
