import { and, eq, isNull } from 'drizzle-orm';
import { invitations, memberships, organizations, users } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { badRequest, conflict, forbidden, unauthorized } from '../errors.ts';
import { newId } from '../util/ids.ts';
import { pendingInvitationByToken } from './get-invitation.ts';
import type { TAcceptedInvitation } from './member.types.ts';

export interface NewAccount {
  name: string;
  /** argon2id, from @baton/auth's hashPassword (hash before calling: no slow work inside the unit). */
  passwordHash: string;
}

/**
 * Accepts an invitation, once. Either as the signed-in account (session cookie only: an mk key acts
 * in one org and cannot join another), whose email must be the invited one (case-insensitively);
 * or, with `newAccount`, by creating the invited address's account in the same unit. The account
 * then joins the org with the invitation's role. An invited account gets no organization of its own.
 */
export async function acceptInvitation(
  ctx: CoreContext,
  actor: Actor | null,
  token: string,
  newAccount?: NewAccount,
): Promise<TAcceptedInvitation> {
  return withTransaction(ctx, async (ctx) => {
    const inv = await pendingInvitationByToken(ctx, token);
    const now = ctx.now().toISOString();
    let user: { id: string; email: string; name: string } | undefined;

    if (newAccount) {
      const [existing] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, inv.email));
      if (existing) throw conflict(`An account with ${inv.email} already exists: sign in as it and accept without a name and password`);
    } else {
      if (!actor) throw unauthorized(`Sign in as ${inv.email} to accept this invitation, or send a name and password to create that account`);
      if (actor.via !== 'session') {
        throw forbidden('An API key cannot accept an invitation: sign in (the mk_session cookie), or send a name and password to create an account');
      }
      [user] = await ctx.db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, actor.userId));
      if (!user) throw unauthorized();
      if (user.email.toLowerCase() !== inv.email.toLowerCase()) {
        throw forbidden(`This invitation is for ${inv.email}; you are signed in as ${user.email}`);
      }
      const [member] = await ctx.db
        .select({ id: memberships.id })
        .from(memberships)
        .where(and(eq(memberships.orgId, inv.orgId), eq(memberships.userId, user.id)));
      if (member) throw conflict('You are already a member of this organization');
    }

    // Claimed with a condition: of two concurrent accepts of one token, exactly one gets it.
    const claimed = await ctx.db
      .update(invitations)
      .set({ acceptedAt: now })
      .where(and(eq(invitations.id, inv.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id });
    if (claimed.length === 0) throw badRequest('This invitation has already been used');

    if (newAccount) {
      [user] = await ctx.db
        .insert(users)
        .values({
          id: newId(),
          email: inv.email,
          name: newAccount.name,
          passwordHash: newAccount.passwordHash,
          isInstanceAdmin: false,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: users.id, email: users.email, name: users.name });
    }
    if (!user) throw new Error('no account to accept the invitation with');

    await ctx.db.update(invitations).set({ acceptedByUserId: user.id }).where(eq(invitations.id, inv.id));
    await ctx.db.insert(memberships).values({ id: newId(), orgId: inv.orgId, userId: user.id, role: inv.role, createdAt: now });
    const [org] = await ctx.db
      .select({ id: organizations.id, name: organizations.name, slug: organizations.slug })
      .from(organizations)
      .where(eq(organizations.id, inv.orgId));
    return { organization: org!, user, role: inv.role, accountCreated: newAccount !== undefined };
  });
}
