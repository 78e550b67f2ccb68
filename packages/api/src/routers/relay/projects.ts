import { z } from 'zod';
import { listRelayProjects, relayTypes } from '@baton/core';
import { relayProcedure, router } from '../../trpc.ts';

export const relayProjectsRouter = router({
  list: relayProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/projects',
        tags: ['Projects'],
        operationId: 'list_projects',
        summary: 'List accessible projects',
        description: 'The tenant context for the key owner: account type, organization memberships, and every project the key can access.',
      },
    })
    .input(z.object({}))
    .output(relayTypes.ZRelayProjects)
    .query(async ({ ctx }) => await listRelayProjects(ctx.core, ctx.actor)),
});
