import { eq, inArray } from 'drizzle-orm';
import { contextFacets, lockRows, organizations, projects, runs } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { getOrgAccess, requireRole } from './access.ts';

/** Owner only. Memberships, projects and keys of the org go with it (foreign-key cascade). */
export async function deleteOrg(ctx: CoreContext, actor: Actor, orgId: string) {
  // The role is checked in the unit that deletes, so no change of role can slip in between.
  return withTransaction(ctx, async (ctx) => {
    const access = await getOrgAccess(ctx, actor, orgId);
    requireRole(access, 'owner');
    // The lock order deleteProject explains: the org's runs, then its projects' facets, then the
    // rows the cascade starts from. An engine step in the org then makes this delete wait for it,
    // rather than meet it in a deadlock that Postgres breaks a second later.
    await lockRows(ctx.db, ctx.db.select({ id: runs.id }).from(runs).where(eq(runs.orgId, orgId)).orderBy(runs.createdAt, runs.id));
    await ctx.db.delete(contextFacets).where(inArray(contextFacets.projectId, ctx.db.select({ id: projects.id }).from(projects).where(eq(projects.orgId, orgId))));
    await ctx.db.delete(organizations).where(eq(organizations.id, orgId));
    return { deleted: true as const, id: orgId };
  });
}
