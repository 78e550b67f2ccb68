import { and, eq, isNull } from 'drizzle-orm';
import { invitations, memberships, users } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { conflict, forbidden } from '../errors.ts';
import { sendMail } from '../mail/send-mail.ts';
import { getOrgAccess, requireRole } from '../orgs/access.ts';
import { recordOrgEvent } from '../orgs/record-org-event.ts';
import type { TRole } from '../orgs/org.types.ts';
import { newId, sha256Hex } from '../util/ids.ts';
import { INVITATION_TTL_MS, invitationLink, newInvitationToken } from './invitation-token.ts';
import { renderInvitation } from './member-rows.ts';
import type { TInvitation } from './member.types.ts';

export interface InviteMemberInput {
  /** Lower-cased by the input schema. */
  email: string;
  role: TRole;
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/**
 * Invites an email address to the org with a role (admins and up; only an owner may invite an
 * owner). The link, with a token valid for 7 days, goes out by mail and nowhere else: not even the
 * inviter sees it, so accepting proves access to that mailbox. A pending invitation for the same
 * address is revoked by the new one (inviting again resends). The invitation, the
 * `member.invited` event and the outbox mail commit together.
 */
export async function inviteMember(ctx: CoreContext, actor: Actor, orgId: string, input: InviteMemberInput): Promise<TInvitation> {
  const token = newInvitationToken(ctx);
  const email = input.email.toLowerCase();
  return withTransaction(ctx, async (ctx) => {
    const access = await getOrgAccess(ctx, actor, orgId);
    requireRole(access, 'admin');
    if (input.role === 'owner' && access.role !== 'owner') throw forbidden('Only an owner can invite an owner');
    const [already] = await ctx.db
      .select({ id: memberships.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(users.email, email)));
    if (already) throw conflict(`${email} is already a member of this organization`);
    const [inviter] = await ctx.db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.id, actor.userId));

    const now = ctx.now();
    // A new invitation replaces a pending one for the same address: its link stops working.
    await ctx.db
      .update(invitations)
      .set({ revokedAt: now.toISOString() })
      .where(and(eq(invitations.orgId, orgId), eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    const [row] = await ctx.db
      .insert(invitations)
      .values({
        id: newId(),
        orgId,
        email,
        role: input.role,
        tokenHash: sha256Hex(token),
        invitedByUserId: actor.userId,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
        createdAt: now.toISOString(),
      })
      .returning();
    await recordOrgEvent(ctx, orgId, 'member.invited', {
      invitationId: row!.id,
      email,
      role: input.role,
      invitedByUserId: actor.userId,
      expiresAt: row!.expiresAt,
    });
    const link = invitationLink(ctx, token);
    const who = inviter ? `${inviter.name} (${inviter.email})` : 'Someone';
    // Inside the unit this settles once the outbox row is written; SMTP runs after the commit.
    await sendMail(ctx, {
      to: email,
      subject: oneLine(`You are invited to join ${access.org.name} on Baton`),
      text:
        `Hello,\n\n${who} invited you to join the organization "${access.org.name}" on Baton as ${input.role === 'admin' || input.role === 'owner' ? 'an' : 'a'} ${input.role}.\n\n` +
        `Open this link within 7 days to accept (sign in first if you already have an account with this address, or create one there):\n\n${link}\n\n` +
        `The link works once. If you did not expect this invitation, ignore this mail.\n`,
    });
    return renderInvitation(row!, inviter ?? null);
  });
}
