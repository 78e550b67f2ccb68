import { eq } from 'drizzle-orm';
import { invitations, organizations, users } from '@baton/db';
import type { CoreContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { sha256Hex } from '../util/ids.ts';
import { isGenuineInvitationToken } from './invitation-token.ts';
import type { InvitationRow } from './member-rows.ts';
import type { TInvitationPreview } from './member.types.ts';

/**
 * The invitation a token stands for, if it can still be accepted; otherwise a 400 that says why
 * (not issued here, unknown, revoked, used, expired). Reads through ctx.db: inside a unit, the
 * unit's view.
 */
export async function pendingInvitationByToken(ctx: CoreContext, token: string): Promise<InvitationRow> {
  if (!isGenuineInvitationToken(ctx, token)) throw badRequest('Invalid invitation token: it was not issued by this server');
  const [row] = await ctx.db.select().from(invitations).where(eq(invitations.tokenHash, sha256Hex(token)));
  if (!row) throw badRequest('Unknown invitation token: the invitation no longer exists');
  if (row.acceptedAt !== null) throw badRequest('This invitation has already been used');
  if (row.revokedAt !== null) throw badRequest('This invitation was revoked; ask for a new one');
  if (row.expiresAt <= ctx.now().toISOString()) throw badRequest('This invitation has expired; ask for a new one');
  return row;
}

/**
 * What the holder of an invitation link may see before accepting: the org, who invited them, the
 * address and role, and when it expires. No credentials needed; the token is the credential.
 */
export async function getInvitationPreview(ctx: CoreContext, token: string): Promise<TInvitationPreview> {
  const row = await pendingInvitationByToken(ctx, token);
  const [org] = await ctx.db
    .select({ id: organizations.id, name: organizations.name, slug: organizations.slug })
    .from(organizations)
    .where(eq(organizations.id, row.orgId));
  const [inviter] = row.invitedByUserId
    ? await ctx.db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, row.invitedByUserId))
    : [];
  const [account] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, row.email));
  return {
    organization: org!,
    invitedBy: inviter ?? null,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt,
    accountExists: account !== undefined,
  };
}

/** Refuses (400, saying why) a token that cannot be accepted; for callers that must do slow work (hash a password) first. */
export async function assertInvitationPending(ctx: CoreContext, token: string): Promise<void> {
  await pendingInvitationByToken(ctx, token);
}
