import { eq } from 'drizzle-orm';
import { contextFacets, projects } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from './get-project.ts';

/** Admins and owners only; environments go with the project (foreign-key cascade). */
export async function deleteProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, projectId: string) {
  return withTransaction(ctx, async (ctx) => {
    const access = await resolveActiveOrg(ctx, actor, activeOrgId);
    await loadProject(ctx, access, projectId);
    requireRole(access, 'admin');
    // The facets first, then the project (whose cascade would take them last). A batch of new runs
    // in the project meanwhile updates a facet row, then checks the project row for its inserts:
    // taken the other way round, each held what the other waited for (a deadlock on Postgres, seen
    // with POST /runs racing a delete). In this order the two take turns. An engine step cannot be
    // ordered so: it updates its run, then writes a line in the project, while the delete's cascade
    // takes the project, then its runs. When those two meet, Postgres aborts one and it runs again
    // (Store.unit).
    await ctx.db.delete(contextFacets).where(eq(contextFacets.projectId, projectId));
    await ctx.db.delete(projects).where(eq(projects.id, projectId));
    return { deleted: true as const, id: projectId };
  });
}
