import { z } from 'zod';
import { apiKeyTypes, createApiKey, listApiKeys, revokeApiKey } from '@baton/core';
import { generateApiKey } from '@baton/auth';
import { dataOf, mkProcedure, router, ZDeleted } from '../../trpc.ts';

const tags = ['API keys'];

export const apiKeysRouter = router({
  create: mkProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/api-keys',
        tags,
        operationId: 'createApiKey',
        summary: 'Create an API key',
        description:
          'mk_live / mk_test keys are bound to the current organization (X-Org-Id, or your first org) and act with your role there. ' +
          'fr keys are for Flow Relay and act for you across every organization you belong to. The key is shown only in this response.',
      },
      successStatus: 201,
      extension: true,
    })
    .input(apiKeyTypes.ZCreateApiKeyInput)
    .output(dataOf(apiKeyTypes.ZCreatedApiKey))
    .mutation(async ({ ctx, input }) => ({
      data: await createApiKey(ctx.core, ctx.actor, ctx.requestedOrgId, input, generateApiKey(input.kind)),
    })),

  list: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/api-keys', tags, operationId: 'listApiKeys', summary: 'List API keys (without secrets)' }, extension: true })
    .input(z.object({}))
    .output(dataOf(z.object({ apiKeys: z.array(apiKeyTypes.ZApiKey) })))
    .query(async ({ ctx }) => ({ data: { apiKeys: await listApiKeys(ctx.core, ctx.actor, ctx.requestedOrgId) } })),

  revoke: mkProcedure
    .meta({ openapi: { method: 'DELETE', path: '/api-keys/{id}', tags, operationId: 'revokeApiKey', summary: 'Revoke an API key' }, extension: true })
    .input(z.object({ id: z.string().max(100) }))
    .output(dataOf(ZDeleted))
    .mutation(async ({ ctx, input }) => {
      const { deleted, id } = await revokeApiKey(ctx.core, ctx.actor, ctx.requestedOrgId, input.id);
      return { data: { deleted, id } };
    }),
});
