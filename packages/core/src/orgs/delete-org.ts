import { eq } from 'drizzle-orm';
import { organizations } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { getOrgAccess, requireRole } from './access.ts';

/** Owner only. Memberships, projects and keys of the org go with it (foreign-key cascade). */
export async function deleteOrg(ctx: CoreContext, actor: Actor, orgId: string) {
  // The role is checked in the unit that deletes, so no change of role can slip in between.
  return withTransaction(ctx, async (ctx) => {
    const access = await getOrgAccess(ctx, actor, orgId);
    requireRole(access, 'owner');
    await ctx.db.delete(organizations).where(eq(organizations.id, orgId));
    return { deleted: true as const, id: orgId };
  });
}
