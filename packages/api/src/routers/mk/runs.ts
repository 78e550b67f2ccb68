import { z } from 'zod';
import { approveRun, cancelRun, createRun, denyRun, getRunDetail, getRunReplay, listRuns, runTypes } from '@baton/core';
import { dataOf, mkProcedure, router, sealedDataOf } from '../../trpc.ts';

const tags = ['Runs'];
const runDetail = sealedDataOf(runTypes.ZRunDetail);
const runPage = sealedDataOf(z.object({ runs: z.array(runTypes.ZRun), count: z.number().int() }));

export const runsRouter = router({
  list: mkProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/runs',
        tags,
        operationId: 'listRuns',
        summary: 'List agent runs',
        description: 'Newest first. A run waiting for a person keeps its stage as `status` and carries the approval in `pendingApprovalId` (extension); a finished run says what it achieved in `outcome` (extension).',
      },
    })
    .input(runTypes.ZListRunsInput)
    // A page served whole from core's caches comes frozen: its response is sealed once.
    .output(runPage.output)
    .query(async ({ ctx, input }) => runPage.wrap(await listRuns(ctx.core, ctx.actor, ctx.requestedOrgId, input))),

  create: mkProcedure
    .meta({ openapi: { method: 'POST', path: '/runs', tags, operationId: 'createRun', summary: 'Create a new agent run' }, successStatus: 201 })
    .input(runTypes.ZCreateRunInput)
    .output(dataOf(runTypes.ZRun))
    .mutation(async ({ ctx, input }) => ({ data: await createRun(ctx.core, ctx.actor, ctx.requestedOrgId, input) })),

  get: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/runs/{id}', tags, operationId: 'getRun', summary: 'Get run detail with events and approvals' } })
    .input(runTypes.ZRunIdInput)
    // A finished run's detail comes frozen from core's cache: its response is sealed once.
    .output(runDetail.output)
    .query(async ({ ctx, input }) => runDetail.wrap(await getRunDetail(ctx.core, ctx.actor, ctx.requestedOrgId, input.id))),

  approve: mkProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/runs/{id}/approve',
        tags,
        operationId: 'approveRun',
        summary: 'Approve a pending action',
        description: `The run resumes from the action it waited at. Body: \`approvalId\`, ${runTypes.APPROVAL_ID_HELP}.`,
      },
    })
    .input(runTypes.ZApproveInput)
    .output(dataOf(runTypes.ZApproval))
    .mutation(async ({ ctx, input }) => ({ data: await approveRun(ctx.core, ctx.actor, ctx.requestedOrgId, input.id, input.approvalId) })),

  deny: mkProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/runs/{id}/deny',
        tags,
        operationId: 'denyRun',
        summary: 'Deny a pending action (cancels the run)',
        description: `The run is cancelled, with the reason in its errorMessage. Body: \`approvalId\`, ${runTypes.APPROVAL_ID_HELP}; optional \`reason\`.`,
      },
    })
    .input(runTypes.ZDenyInput)
    .output(dataOf(runTypes.ZApproval))
    .mutation(async ({ ctx, input }) => ({ data: await denyRun(ctx.core, ctx.actor, ctx.requestedOrgId, input.id, input.approvalId, input.reason) })),

  cancel: mkProcedure
    .meta({ openapi: { method: 'POST', path: '/runs/{id}/cancel', tags, operationId: 'cancelRun', summary: 'Cancel an active run' } })
    .input(runTypes.ZCancelInput)
    .output(dataOf(runTypes.ZRun))
    .mutation(async ({ ctx, input }) => ({ data: await cancelRun(ctx.core, ctx.actor, ctx.requestedOrgId, input.id, input.reason) })),

  replay: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/runs/{id}/replay', tags, operationId: 'getRunReplay', summary: 'Get replay data for a completed run' } })
    .input(runTypes.ZRunIdInput)
    .output(dataOf(runTypes.ZReplayData))
    .query(async ({ ctx, input }) => ({ data: await getRunReplay(ctx.core, ctx.actor, ctx.requestedOrgId, input.id) })),
});
