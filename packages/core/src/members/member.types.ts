import { z } from 'zod';
import { ZRole, ZOrgSummary } from '../orgs/org.types.ts';
import { ZEmail, ZPassword, ZUserSummary } from '../users/user.types.ts';

const ZId = z.string().max(100);
/** An invitation token as it appears in the invite link: `<nonce>.<signature>`, base64url. */
const ZToken = z.string().min(1).max(200);

export const ZMember = z
  .object({
    userId: z.string(),
    name: z.string(),
    email: z.string(),
    role: ZRole,
    temporaryAdminUntil: z
      .string()
      .nullable()
      .meta({ description: 'A member or viewer acts as admin until this time; null when there is no such grant' }),
    joinedAt: z.string(),
  })
  .meta({ id: 'Member' });
export type TMember = z.infer<typeof ZMember>;

const ZInviter = z
  .object({ id: z.string(), name: z.string(), email: z.string() })
  .nullable()
  .meta({ description: 'Who sent the invitation; null when that account no longer exists' });

export const ZInvitation = z
  .object({
    id: z.string(),
    orgId: z.string(),
    email: z.string(),
    role: ZRole,
    invitedBy: ZInviter,
    expiresAt: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Invitation' });
export type TInvitation = z.infer<typeof ZInvitation>;

export const ZInvitationPreview = z
  .object({
    organization: ZOrgSummary,
    invitedBy: z.object({ name: z.string(), email: z.string() }).nullable(),
    email: z.string().meta({ description: 'The address invited: the accepting account must have this email' }),
    role: ZRole,
    expiresAt: z.string(),
    accountExists: z.boolean().meta({ description: 'Whether an account with this email exists (then sign in as it to accept)' }),
  })
  .meta({ id: 'InvitationPreview' });
export type TInvitationPreview = z.infer<typeof ZInvitationPreview>;

export const ZAcceptedInvitation = z
  .object({ organization: ZOrgSummary, user: ZUserSummary, role: ZRole, accountCreated: z.boolean() })
  .meta({ id: 'AcceptedInvitation' });
export type TAcceptedInvitation = z.infer<typeof ZAcceptedInvitation>;

export const ZOrgRefInput = z.object({ id: ZId });
export const ZMemberRefInput = z.object({ id: ZId, userId: ZId });
export const ZUpdateMemberInput = z.object({ id: ZId, userId: ZId, role: ZRole });
export const ZInviteInput = z.object({ id: ZId, email: ZEmail, role: ZRole });
export const ZInvitationRefInput = z.object({ id: ZId, invitationId: ZId });
export const ZInvitationTokenInput = z.object({ token: ZToken });
export const ZAcceptInvitationInput = z
  .object({
    token: ZToken,
    name: z.string().trim().min(1).max(255).optional().meta({ description: 'With password: create the invited account in this call' }),
    password: ZPassword.optional(),
  })
  .refine((v) => (v.name === undefined) === (v.password === undefined), {
    message: 'name and password go together: send both to create an account, or neither to accept as the signed-in account',
    path: ['password'],
  });
