import { and, eq } from 'drizzle-orm';
import { projects } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { resolveActiveOrg, type OrgAccess } from '../orgs/access.ts';
import { renderProject } from './render-project.ts';

/** A project of the actor's active org; anything else (another org's project included) is 404. */
export async function loadProject(ctx: CoreContext, access: OrgAccess, projectId: string) {
  const [row] = await ctx.db
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.orgId, access.org.id)));
  if (!row) throw notFound('Project not found');
  return row;
}

export async function getProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, projectId: string) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  return renderProject(await loadProject(ctx, access, projectId));
}
