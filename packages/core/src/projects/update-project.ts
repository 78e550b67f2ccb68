import { eq } from 'drizzle-orm';
import { projects } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from './get-project.ts';
import { renderProject } from './render-project.ts';
import type { TUpdateProjectInput } from './project.types.ts';

export async function updateProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TUpdateProjectInput) {
  return withTransaction(ctx, async (ctx) => {
    const access = await resolveActiveOrg(ctx, actor, activeOrgId);
    await loadProject(ctx, access, input.id);
    requireRole(access, 'member');
    const patch: Partial<typeof projects.$inferInsert> = { updatedAt: ctx.now().toISOString() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.description !== undefined) patch.description = input.description;
    if (input.status !== undefined) patch.status = input.status;
    if (input.githubRepoUrl !== undefined) patch.githubRepoUrl = input.githubRepoUrl;
    const [row] = await ctx.db.update(projects).set(patch).where(eq(projects.id, input.id)).returning();
    return renderProject(row!);
  });
}
