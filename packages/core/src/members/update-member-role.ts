import { and, eq } from 'drizzle-orm';
import { memberships } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import { requireRole } from '../orgs/access.ts';
import type { TRole } from '../orgs/org.types.ts';
import { countOwners, lockedOrgAccess, selectMembers } from './member-rows.ts';
import type { TMember } from './member.types.ts';

/**
 * Sets a member's role (admins and up). Only an owner may change an owner's role or make someone an
 * owner; the last owner cannot be demoted (409). The new role replaces any temporary admin grant.
 */
export async function updateMemberRole(ctx: CoreContext, actor: Actor, orgId: string, userId: string, role: TRole): Promise<TMember> {
  return withTransaction(ctx, async (ctx) => {
    const access = await lockedOrgAccess(ctx, actor, orgId);
    requireRole(access, 'admin');
    const [target] = await selectMembers(ctx, orgId, userId);
    if (!target) throw notFound('Member not found');
    if (target.role === 'owner' && access.role !== 'owner') throw forbidden("Only an owner can change an owner's role");
    if (role === 'owner' && access.role !== 'owner') throw forbidden('Only an owner can make someone an owner');
    if (target.role === role && target.temporaryAdminUntil === null) return target;
    if (target.role === 'owner' && role !== 'owner' && (await countOwners(ctx, orgId)) <= 1) {
      throw conflict(`${target.name} is the last owner of this organization: make another member an owner first`);
    }
    await ctx.db
      .update(memberships)
      .set({ role, temporaryAdminUntil: null })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
    return { ...target, role, temporaryAdminUntil: null };
  });
}
