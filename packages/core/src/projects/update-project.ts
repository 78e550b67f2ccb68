import { eq } from 'drizzle-orm';
import { projects } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from './get-project.ts';
import { renderProject } from './render-project.ts';
import type { TUpdateProjectInput } from './project.types.ts';

export function updateProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TUpdateProjectInput) {
  const access = resolveActiveOrg(ctx, actor, activeOrgId);
  loadProject(ctx, access, input.id);
  requireRole(access, 'member');
  const patch: Partial<typeof projects.$inferInsert> = { updatedAt: ctx.now().toISOString() };
  if (input.name !== undefined) patch.name = input.name;
  if (input.description !== undefined) patch.description = input.description;
  if (input.status !== undefined) patch.status = input.status;
  if (input.githubRepoUrl !== undefined) patch.githubRepoUrl = input.githubRepoUrl;
  const row = ctx.db.update(projects).set(patch).where(eq(projects.id, input.id)).returning().get();
  return renderProject(row!);
}
