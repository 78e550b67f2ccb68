import { and, eq } from 'drizzle-orm';
import { invitations } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { getOrgAccess, requireRole } from '../orgs/access.ts';

/** Revokes an invitation that has not been accepted: its link stops working at once. Admins and up. */
export async function revokeInvitation(ctx: CoreContext, actor: Actor, orgId: string, invitationId: string) {
  return withTransaction(ctx, async (ctx) => {
    const access = await getOrgAccess(ctx, actor, orgId);
    requireRole(access, 'admin');
    const [row] = await ctx.db
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, invitationId), eq(invitations.orgId, orgId)));
    if (!row || row.revokedAt !== null) throw notFound('Invitation not found');
    if (row.acceptedAt !== null) throw conflict('This invitation has already been accepted; remove the member instead');
    await ctx.db.update(invitations).set({ revokedAt: ctx.now().toISOString() }).where(eq(invitations.id, row.id));
    return { deleted: true as const, id: row.id };
  });
}
