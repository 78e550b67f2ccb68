import { and, eq, inArray, isNull } from 'drizzle-orm';
import { apiKeys, memberships } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import { requireRole } from '../orgs/access.ts';
import { recordOrgEvent } from '../orgs/record-org-event.ts';
import { countOwners, lockedOrgAccess, selectMembers } from './member-rows.ts';
import type { TMember } from './member.types.ts';

/**
 * Ends a membership, in the caller's unit: the row goes, the user's mk keys bound to the org are
 * revoked (so they stay dead should the user come back), and `member.removed` is recorded. Access
 * checks read the membership on every request (the caches follow the access epoch), so the user's
 * sessions and fr keys lose the org at once.
 */
export async function endMembership(ctx: CoreContext, orgId: string, target: TMember, byUserId: string, reason: 'removed' | 'left'): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.db.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, target.userId)));
  await ctx.db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(
      and(eq(apiKeys.orgId, orgId), eq(apiKeys.userId, target.userId), inArray(apiKeys.kind, ['mk_live', 'mk_test']), isNull(apiKeys.revokedAt)),
    );
  await recordOrgEvent(ctx, orgId, 'member.removed', {
    userId: target.userId,
    email: target.email,
    role: target.role,
    removedByUserId: byUserId,
    reason,
  });
}

export const lastOwner = (who: string) => conflict(`${who} the last owner of this organization: make another member an owner first, or delete the organization`);

/** Removes a member (admins and up). Only an owner may remove an owner; the last owner cannot be removed (409). */
export async function removeMember(ctx: CoreContext, actor: Actor, orgId: string, userId: string) {
  return withTransaction(ctx, async (ctx) => {
    const access = await lockedOrgAccess(ctx, actor, orgId);
    requireRole(access, 'admin');
    const [target] = await selectMembers(ctx, orgId, userId);
    if (!target) throw notFound('Member not found');
    if (target.role === 'owner' && access.role !== 'owner') throw forbidden('Only an owner can remove an owner');
    if (target.role === 'owner' && (await countOwners(ctx, orgId)) <= 1) {
      throw lastOwner(target.userId === actor.userId ? 'You are' : `${target.name} is`);
    }
    await endMembership(ctx, orgId, target, actor.userId, target.userId === actor.userId ? 'left' : 'removed');
    return { deleted: true as const, id: target.userId };
  });
}
