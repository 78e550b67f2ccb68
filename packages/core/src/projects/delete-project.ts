import { and, eq } from 'drizzle-orm';
import { contextFacets, lockRows, projects, runs } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from './get-project.ts';

/** Admins and owners only; environments go with the project (foreign-key cascade). */
export async function deleteProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, projectId: string) {
  return withTransaction(ctx, async (ctx) => {
    const access = await resolveActiveOrg(ctx, actor, activeOrgId);
    await loadProject(ctx, access, projectId);
    requireRole(access, 'admin');
    // Every writer that meets a delete takes the rows it shares with it in one order: the project's
    // runs, then its facets, then the project row. An engine step updates its run, then writes a
    // line in the project (its facet rows, and a key-share lock on the project row); a batch of new
    // runs updates facet rows, then checks the project row. The cascade alone would take the project
    // first and its runs last, so a step and a delete each held what the other waited for, and
    // Postgres broke the deadlock after deadlock_timeout (1 s) by aborting one (Store.unit then ran
    // it again). Locked first, a run in a step's hands makes the delete wait for that step instead.
    // (On SQLite units run one at a time and lockRows does nothing.)
    await lockRows(
      ctx.db,
      ctx.db
        .select({ id: runs.id })
        .from(runs)
        .where(and(eq(runs.orgId, access.org.id), eq(runs.projectId, projectId)))
        .orderBy(runs.createdAt, runs.id), // the index's order: no sort, one order for every delete
    );
    await ctx.db.delete(contextFacets).where(eq(contextFacets.projectId, projectId));
    await ctx.db.delete(projects).where(eq(projects.id, projectId));
    return { deleted: true as const, id: projectId };
  });
}
