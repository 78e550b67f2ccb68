import { asc, eq } from 'drizzle-orm';
import { projectEnvironments } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from './get-project.ts';
import { renderEnvironment } from './render-project.ts';

export async function listProjectEnvironments(ctx: CoreContext, actor: Actor, activeOrgId: string | null, projectId: string) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  await loadProject(ctx, access, projectId);
  const rows = await ctx.db
    .select()
    .from(projectEnvironments)
    .where(eq(projectEnvironments.projectId, projectId))
    .orderBy(asc(projectEnvironments.createdAt), asc(projectEnvironments.id));
  // development, staging, production: deployment order, not insertion order, is what people expect.
  const order = (name: string) => ['development', 'staging', 'production'].indexOf(name) >>> 0;
  return { environments: rows.sort((a, b) => order(a.name) - order(b.name)).map(renderEnvironment) };
}
