import { eq, sql } from 'drizzle-orm';
import { preparedQuery, projects } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { getOrgAccess, requireRole, type OrgAccess } from '../orgs/access.ts';
import type { TRole } from '../orgs/org.types.ts';

export type ProjectRow = typeof projects.$inferSelect;

/** Access to an org the actor may not belong to: 404 with `what`, so nothing about it leaks. */
export async function orgAccessOr404(ctx: CoreContext, actor: Actor, orgId: string, what: string): Promise<OrgAccess> {
  try {
    return await getOrgAccess(ctx, actor, orgId);
  } catch (e) {
    if (e instanceof AppError && e.code === 'NOT_FOUND') throw notFound(what);
    throw e;
  }
}

/**
 * A project the actor can reach through any of its orgs (Flow Relay keys span them all), with the
 * actor's role there. Another tenant's project, or one that does not exist, is 404.
 */
export async function relayProject(ctx: CoreContext, actor: Actor, projectId: string, min: TRole = 'viewer'): Promise<{ project: ProjectRow; access: OrgAccess }> {
  const project = await preparedQuery(ctx.db, 'relayProject', (db) =>
    db.select().from(projects).where(eq(projects.id, sql.placeholder('id'))),
  ).get({ id: projectId });
  if (!project) throw notFound('Project not found');
  const access = await orgAccessOr404(ctx, actor, project.orgId, 'Project not found');
  requireRole(access, min);
  return { project, access };
}
