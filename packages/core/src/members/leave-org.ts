import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { countOwners, lockedOrgAccess, selectMembers } from './member-rows.ts';
import { endMembership, lastOwner } from './remove-member.ts';

/** Leaves an org (any member). The last owner cannot leave (409). */
export async function leaveOrg(ctx: CoreContext, actor: Actor, orgId: string) {
  return withTransaction(ctx, async (ctx) => {
    await lockedOrgAccess(ctx, actor, orgId);
    const [me] = await selectMembers(ctx, orgId, actor.userId);
    if (!me) throw notFound('Organization not found');
    if (me.role === 'owner' && (await countOwners(ctx, orgId)) <= 1) throw lastOwner('You are');
    await endMembership(ctx, orgId, me, actor.userId, 'left');
    return { left: true as const, id: orgId };
  });
}
