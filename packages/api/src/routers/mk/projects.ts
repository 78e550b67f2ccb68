import { z } from 'zod';
import {
  createProject,
  deleteProject,
  getProject,
  listProjectEnvironments,
  listProjects,
  projectTypes,
  updateProject,
  updateProjectEnvironment,
  ZUpdateEnvironmentInput,
} from '@baton/core';
import { dataOf, mkProcedure, router, ZDeleted } from '../../trpc.ts';

const tags = ['Projects'];
const ZId = z.object({ id: z.string().max(100) });

export const projectsRouter = router({
  list: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/projects', tags, operationId: 'listProjects', summary: 'List projects' } })
    .input(projectTypes.ZListProjectsInput)
    .output(dataOf(z.object({ projects: z.array(projectTypes.ZProject), count: z.number().int() })))
    .query(async ({ ctx, input }) => ({ data: await listProjects(ctx.core, ctx.actor, ctx.requestedOrgId, input) })),

  create: mkProcedure
    .meta({ openapi: { method: 'POST', path: '/projects', tags, operationId: 'createProject', summary: 'Create a new project' }, successStatus: 201 })
    .input(projectTypes.ZCreateProjectInput)
    .output(dataOf(projectTypes.ZProject))
    .mutation(async ({ ctx, input }) => ({ data: await createProject(ctx.core, ctx.actor, ctx.requestedOrgId, input) })),

  get: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/projects/{id}', tags, operationId: 'getProject', summary: 'Get project details' } })
    .input(ZId)
    .output(dataOf(projectTypes.ZProject))
    .query(async ({ ctx, input }) => ({ data: await getProject(ctx.core, ctx.actor, ctx.requestedOrgId, input.id) })),

  update: mkProcedure
    .meta({ openapi: { method: 'PATCH', path: '/projects/{id}', tags, operationId: 'updateProject', summary: 'Update a project' } })
    .input(projectTypes.ZUpdateProjectInput)
    .output(dataOf(projectTypes.ZProject))
    .mutation(async ({ ctx, input }) => ({ data: await updateProject(ctx.core, ctx.actor, ctx.requestedOrgId, input) })),

  delete: mkProcedure
    .meta({ openapi: { method: 'DELETE', path: '/projects/{id}', tags, operationId: 'deleteProject', summary: 'Delete a project' } })
    .input(ZId)
    .output(dataOf(ZDeleted))
    .mutation(async ({ ctx, input }) => ({ data: await deleteProject(ctx.core, ctx.actor, ctx.requestedOrgId, input.id) })),

  environments: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/projects/{id}/environments', tags, operationId: 'listProjectEnvironments', summary: 'List project environments' } })
    .input(ZId)
    .output(dataOf(z.object({ environments: z.array(projectTypes.ZProjectEnvironment) })))
    .query(async ({ ctx, input }) => ({ data: await listProjectEnvironments(ctx.core, ctx.actor, ctx.requestedOrgId, input.id) })),

  updateEnvironment: mkProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/projects/{id}/environments/{envId}',
        tags,
        operationId: 'updateProjectEnvironment',
        summary: "Configure an environment's URL and deploy hook (admin)",
      },
      extension: true,
    })
    .input(ZUpdateEnvironmentInput)
    .output(dataOf(projectTypes.ZProjectEnvironment))
    .mutation(async ({ ctx, input }) => ({ data: await updateProjectEnvironment(ctx.core, ctx.actor, ctx.requestedOrgId, input) })),
});
