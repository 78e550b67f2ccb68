import { and, asc, count, eq, sql } from 'drizzle-orm';
import { invitations, memberships, organizations, users } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { getOrgAccess, type OrgAccess } from '../orgs/access.ts';
import type { TInvitation, TMember } from './member.types.ts';

/** Member columns: the membership and its user. */
export const memberColumns = {
  userId: memberships.userId,
  name: users.name,
  email: users.email,
  role: memberships.role,
  temporaryAdminUntil: memberships.temporaryAdminUntil,
  joinedAt: memberships.createdAt,
};

export async function selectMembers(ctx: CoreContext, orgId: string, userId?: string): Promise<TMember[]> {
  return await ctx.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(userId === undefined ? eq(memberships.orgId, orgId) : and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .orderBy(asc(memberships.createdAt), asc(memberships.id));
}

export const countOwners = async (ctx: CoreContext, orgId: string): Promise<number> =>
  (await ctx.db.select({ n: count() }).from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner'))))[0]?.n ?? 0;

/**
 * The actor's access to the org, for a unit that changes its members, read under a lock on the
 * org's members: a no-op update of the org's row, which on Postgres holds the row lock until the
 * unit ends, so two units cannot each see a second owner and remove both (the "last owner" checks
 * read after it). On SQLite units already run one at a time. Outsiders get their 404 before any write.
 */
export async function lockedOrgAccess(ctx: CoreContext, actor: Actor, orgId: string): Promise<OrgAccess> {
  await getOrgAccess(ctx, actor, orgId);
  await ctx.db
    .update(organizations)
    .set({ updatedAt: sql`${organizations.updatedAt}` })
    .where(eq(organizations.id, orgId));
  return await getOrgAccess(ctx, actor, orgId);
}

export type InvitationRow = typeof invitations.$inferSelect;

export function renderInvitation(row: InvitationRow, inviter: { id: string; name: string; email: string } | null): TInvitation {
  return {
    id: row.id,
    orgId: row.orgId,
    email: row.email,
    role: row.role,
    invitedBy: inviter,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}
