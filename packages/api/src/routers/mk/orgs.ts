import { z } from 'zod';
import { createOrg, deleteOrg, getOrg, listOrgs, orgTypes, updateOrg } from '@baton/core';
import { dataOf, mkProcedure, router, ZDeleted } from '../../trpc.ts';

const tags = ['Organizations'];

export const orgsRouter = router({
  list: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/orgs', tags, operationId: 'listOrgs', summary: "List user's organizations" } })
    .input(z.object({}))
    .output(dataOf(z.object({ organizations: z.array(orgTypes.ZOrgListItem) })))
    .query(async ({ ctx }) => ({ data: { organizations: await listOrgs(ctx.core, ctx.actor) } })),

  create: mkProcedure
    .meta({ openapi: { method: 'POST', path: '/orgs', tags, operationId: 'createOrg', summary: 'Create a new organization' }, successStatus: 201 })
    .input(orgTypes.ZCreateOrgInput)
    .output(dataOf(orgTypes.ZOrganization))
    .mutation(async ({ ctx, input }) => ({ data: await createOrg(ctx.core, { name: input.name, slug: input.slug, ownerUserId: ctx.actor.userId }) })),

  get: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/orgs/{id}', tags, operationId: 'getOrg', summary: 'Get organization details' } })
    .input(orgTypes.ZOrgIdInput)
    .output(dataOf(orgTypes.ZOrganization))
    .query(async ({ ctx, input }) => ({ data: await getOrg(ctx.core, ctx.actor, input.id) })),

  update: mkProcedure
    .meta({ openapi: { method: 'PATCH', path: '/orgs/{id}', tags, operationId: 'updateOrg', summary: 'Update organization (admin/owner only)' } })
    .input(orgTypes.ZUpdateOrgInput)
    .output(dataOf(orgTypes.ZOrganization))
    .mutation(async ({ ctx, input }) => ({ data: await updateOrg(ctx.core, ctx.actor, input.id, input) })),

  delete: mkProcedure
    .meta({ openapi: { method: 'DELETE', path: '/orgs/{id}', tags, operationId: 'deleteOrg', summary: 'Delete organization (owner only)' } })
    .input(orgTypes.ZOrgIdInput)
    .output(dataOf(ZDeleted))
    .mutation(async ({ ctx, input }) => ({ data: await deleteOrg(ctx.core, ctx.actor, input.id) })),
});
