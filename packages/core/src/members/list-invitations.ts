import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { invitations, users } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { getOrgAccess, requireRole } from '../orgs/access.ts';
import { renderInvitation } from './member-rows.ts';
import type { TInvitation } from './member.types.ts';

/** Pending invitations (neither accepted, revoked nor expired), newest first; admins and up. */
export async function listInvitations(ctx: CoreContext, actor: Actor, orgId: string): Promise<TInvitation[]> {
  const access = await getOrgAccess(ctx, actor, orgId);
  requireRole(access, 'admin');
  const rows = await ctx.db
    .select({ invitation: invitations, inviter: { id: users.id, name: users.name, email: users.email } })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedByUserId))
    .where(
      and(
        eq(invitations.orgId, orgId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, ctx.now().toISOString()),
      ),
    )
    .orderBy(desc(invitations.createdAt), desc(invitations.id));
  return rows.map((r) => renderInvitation(r.invitation, r.inviter));
}
