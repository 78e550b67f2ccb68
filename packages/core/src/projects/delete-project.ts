import { eq } from 'drizzle-orm';
import { projects } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from './get-project.ts';

/** Admins and owners only; environments go with the project (foreign-key cascade). */
export async function deleteProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, projectId: string) {
  return withTransaction(ctx, async (ctx) => {
    const access = await resolveActiveOrg(ctx, actor, activeOrgId);
    await loadProject(ctx, access, projectId);
    requireRole(access, 'admin');
    await ctx.db.delete(projects).where(eq(projects.id, projectId));
    return { deleted: true as const, id: projectId };
  });
}
