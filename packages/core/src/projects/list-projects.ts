import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { projects } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { resolveActiveOrg } from '../orgs/access.ts';
import { renderProject } from './render-project.ts';
import type { TListProjectsInput } from './project.types.ts';

/** Newest first; `count` is the total matching the filter, for pagination. */
export async function listProjects(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TListProjectsInput) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  const where: SQL | undefined = input.status
    ? and(eq(projects.orgId, access.org.id), eq(projects.status, input.status))
    : eq(projects.orgId, access.org.id);
  const rows = await ctx.db
    .select()
    .from(projects)
    .where(where)
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(input.limit)
    .offset(input.offset);
  const total = (await ctx.db.select({ n: count() }).from(projects).where(where))[0]?.n ?? 0;
  return { projects: rows.map(renderProject), count: total };
}
