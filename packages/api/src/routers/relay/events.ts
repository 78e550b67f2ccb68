import { contextEventTypes as T, ingestContextEvents, listContextEvents } from '@baton/core';
import { relayProcedure, router } from '../../trpc.ts';

const tags = ['Events'];

export const relayEventsRouter = router({
  list: relayProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/events',
        tags,
        operationId: 'list_events',
        summary: 'List context events',
        description: "Recent context events, newest first. With project_id, the project's stream; without it, the key owner's personal stream.",
      },
    })
    .input(T.ZListEventsInput)
    .output(T.ZEventList)
    .query(async ({ ctx, input }) => await listContextEvents(ctx.core, ctx.actor, input)),
  ingest: relayProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/events',
        tags,
        operationId: 'ingest_events',
        summary: 'Record context events',
        description: `Records up to ${T.MAX_INGEST_BATCH} events from an outside source into a project's context stream (member role), or without project_id into the key owner's personal stream. Events whose external_id the project already holds are skipped.`,
      },
      successStatus: 201,
      extension: true,
    })
    .input(T.ZIngestEventsInput)
    .output(T.ZIngestEventsResult)
    .mutation(async ({ ctx, input }) => await ingestContextEvents(ctx.core, ctx.actor, input)),
});
