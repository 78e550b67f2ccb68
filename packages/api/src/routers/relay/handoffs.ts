import { z } from 'zod';
import { createHandoffJob, getHandoff, getRelayJob, handoffTypes as T, listHandoffFilters, listHandoffs, setHandoffStatus, trustSealed } from '@baton/core';
import { relayProcedure, router } from '../../trpc.ts';

const tags = ['Handoffs'];

export const relayHandoffsRouter = router({
  list: relayProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/handoffs',
        tags,
        operationId: 'list_handoffs',
        summary: 'List handoffs',
        description: 'Handoffs across accessible projects, newest first; status defaults to active. Without project_id it spans every project the key can access.',
      },
    })
    .input(T.ZListHandoffsInput)
    // Pages come sealed from core's cache (validated against this schema when cached); others are validated here.
    .output(trustSealed(T.ZHandoffList))
    .query(async ({ ctx, input }) => await listHandoffs(ctx.core, ctx.actor, input)),
  create: relayProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/handoffs',
        tags,
        operationId: 'create_handoff',
        summary: 'Generate a handoff',
        description: 'Enqueues a project handoff generation and returns a job id. Poll GET /jobs/{jobId} until status is completed.',
      },
      successStatus: 202,
    })
    .input(T.ZCreateHandoffInput)
    .output(T.ZJobAccepted)
    .mutation(async ({ ctx, input }) => await createHandoffJob(ctx.core, ctx.actor, input)),
  // Before /handoffs/{id}: routes match in definition order.
  filters: relayProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/handoffs/filters',
        tags,
        operationId: 'handoff_filters',
        summary: 'List selectable filter options',
        description: "The filter values per source that a project's context stream really holds: resources, branches, event types and priorities.",
      },
    })
    .input(T.ZHandoffFiltersInput)
    .output(T.ZHandoffFilters)
    .query(async ({ ctx, input }) => await listHandoffFilters(ctx.core, ctx.actor, input.project_id)),
  get: relayProcedure
    .meta({ openapi: { method: 'GET', path: '/handoffs/{id}', tags, operationId: 'get_handoff', summary: 'Get a handoff' }, extension: true })
    .input(z.object({ id: z.string() }))
    .output(T.ZHandoff)
    .query(async ({ ctx, input }) => await getHandoff(ctx.core, ctx.actor, input.id)),
  update: relayProcedure
    .meta({
      openapi: { method: 'PATCH', path: '/handoffs/{id}', tags, operationId: 'update_handoff', summary: 'Archive or restore a handoff (member role)' },
      extension: true,
    })
    .input(T.ZUpdateHandoffInput)
    .output(T.ZHandoff)
    .mutation(async ({ ctx, input }) => await setHandoffStatus(ctx.core, ctx.actor, input.id, input.status)),
});

export const relayJobsRouter = router({
  get: relayProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/jobs/{jobId}',
        tags: ['Jobs'],
        operationId: 'get_job',
        summary: 'Poll an async job',
        description: 'The job record and, once completed, the generated artifact (result is null before then).',
      },
    })
    .input(z.object({ jobId: z.string() }))
    .output(T.ZJobStatus)
    .query(async ({ ctx, input }) => await getRelayJob(ctx.core, ctx.actor, input.jobId)),
});
