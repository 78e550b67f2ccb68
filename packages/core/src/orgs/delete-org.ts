import { eq } from 'drizzle-orm';
import { organizations } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { getOrgAccess, requireRole } from './access.ts';

/** Owner only. Memberships, projects and keys of the org go with it (foreign-key cascade). */
export function deleteOrg(ctx: CoreContext, actor: Actor, orgId: string) {
  const access = getOrgAccess(ctx, actor, orgId);
  requireRole(access, 'owner');
  ctx.db.delete(organizations).where(eq(organizations.id, orgId)).run();
  return { deleted: true as const, id: orgId };
}
