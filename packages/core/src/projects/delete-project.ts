import { eq } from 'drizzle-orm';
import { projects } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from './get-project.ts';

/** Admins and owners only; environments go with the project (foreign-key cascade). */
export function deleteProject(ctx: CoreContext, actor: Actor, activeOrgId: string | null, projectId: string) {
  const access = resolveActiveOrg(ctx, actor, activeOrgId);
  loadProject(ctx, access, projectId);
  requireRole(access, 'admin');
  ctx.db.delete(projects).where(eq(projects.id, projectId)).run();
  return { deleted: true as const, id: projectId };
}
