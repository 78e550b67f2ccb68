import { z } from 'zod';
import {
  acceptInvitation,
  assertInvitationPending,
  getInvitationPreview,
  inviteMember,
  leaveOrg,
  listInvitations,
  listMembers,
  memberTypes,
  removeMember,
  revokeInvitation,
  updateMemberRole,
} from '@baton/core';
import { hashPassword } from '@baton/auth';
import { dataOf, mkProcedure, publicProcedure, router, ZDeleted } from '../../trpc.ts';

const tags = ['Members'];

/**
 * Members and invitations of an organization (Baton extensions: the MightyKey contract has none).
 * Another tenant's org, member or invitation is a 404; an insufficient role a 403.
 */
export const membersRouter = router({
  list: mkProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/orgs/{id}/members',
        tags,
        operationId: 'listOrgMembers',
        summary: "List the organization's members (any member)",
        errorResponses: { 400: 'Invalid input', 401: 'Unauthorized', 404: 'Organization not found' },
      },
      extension: true,
    })
    .input(memberTypes.ZOrgRefInput)
    .output(dataOf(z.object({ members: z.array(memberTypes.ZMember) })))
    .query(async ({ ctx, input }) => ({ data: { members: await listMembers(ctx.core, ctx.actor, input.id) } })),

  updateRole: mkProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/orgs/{id}/members/{userId}',
        tags,
        operationId: 'updateOrgMember',
        summary: "Change a member's role (admin/owner)",
        description:
          "Only an owner may change an owner's role or make someone an owner. The last owner cannot be demoted (409). The new role replaces any temporary admin grant.",
        errorResponses: {
          400: 'Invalid input',
          401: 'Unauthorized',
          403: 'Insufficient role',
          404: 'Organization or member not found',
          409: 'The last owner cannot be demoted',
        },
      },
      extension: true,
    })
    .input(memberTypes.ZUpdateMemberInput)
    .output(dataOf(memberTypes.ZMember))
    .mutation(async ({ ctx, input }) => ({ data: await updateMemberRole(ctx.core, ctx.actor, input.id, input.userId, input.role) })),

  remove: mkProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/orgs/{id}/members/{userId}',
        tags,
        operationId: 'removeOrgMember',
        summary: 'Remove a member (admin/owner)',
        description:
          "Only an owner may remove an owner; the last owner cannot be removed (409). The member's sessions lose the organization at once, and their mk keys bound to it are revoked.",
        errorResponses: {
          400: 'Invalid input',
          401: 'Unauthorized',
          403: 'Insufficient role',
          404: 'Organization or member not found',
          409: 'The last owner cannot be removed',
        },
      },
      extension: true,
    })
    .input(memberTypes.ZMemberRefInput)
    .output(dataOf(ZDeleted))
    .mutation(async ({ ctx, input }) => ({ data: await removeMember(ctx.core, ctx.actor, input.id, input.userId) })),

  leave: mkProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/orgs/{id}/leave',
        tags,
        operationId: 'leaveOrg',
        summary: 'Leave the organization (any member)',
        description: 'The last owner cannot leave (409). Your mk keys bound to the organization are revoked.',
        errorResponses: { 400: 'Invalid input', 401: 'Unauthorized', 404: 'Organization not found', 409: 'The last owner cannot leave' },
      },
      extension: true,
    })
    .input(memberTypes.ZOrgRefInput)
    .output(dataOf(z.object({ left: z.boolean(), id: z.string() })))
    .mutation(async ({ ctx, input }) => ({ data: await leaveOrg(ctx.core, ctx.actor, input.id) })),

  listInvitations: mkProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/orgs/{id}/invitations',
        tags,
        operationId: 'listOrgInvitations',
        summary: 'List pending invitations (admin/owner)',
        errorResponses: { 400: 'Invalid input', 401: 'Unauthorized', 403: 'Insufficient role', 404: 'Organization not found' },
      },
      extension: true,
    })
    .input(memberTypes.ZOrgRefInput)
    .output(dataOf(z.object({ invitations: z.array(memberTypes.ZInvitation) })))
    .query(async ({ ctx, input }) => ({ data: { invitations: await listInvitations(ctx.core, ctx.actor, input.id) } })),

  invite: mkProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/orgs/{id}/invitations',
        tags,
        operationId: 'inviteOrgMember',
        summary: 'Invite someone by email (admin/owner)',
        description:
          'Mails a link to `<BATON_PUBLIC_URL>/invitations/<token>`, valid for 7 days and usable once; the token is in the mail only. ' +
          'Only an owner may invite an owner. Inviting an address again replaces its pending invitation.',
        errorResponses: {
          400: 'Invalid input',
          401: 'Unauthorized',
          403: 'Insufficient role',
          404: 'Organization not found',
          409: 'Already a member',
        },
      },
      successStatus: 201,
      extension: true,
    })
    .input(memberTypes.ZInviteInput)
    .output(dataOf(memberTypes.ZInvitation))
    .mutation(async ({ ctx, input }) => ({ data: await inviteMember(ctx.core, ctx.actor, input.id, { email: input.email, role: input.role }) })),

  revokeInvitation: mkProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/orgs/{id}/invitations/{invitationId}',
        tags,
        operationId: 'revokeOrgInvitation',
        summary: 'Revoke an invitation (admin/owner)',
        errorResponses: {
          400: 'Invalid input',
          401: 'Unauthorized',
          403: 'Insufficient role',
          404: 'Organization or invitation not found',
          409: 'Already accepted',
        },
      },
      extension: true,
    })
    .input(memberTypes.ZInvitationRefInput)
    .output(dataOf(ZDeleted))
    .mutation(async ({ ctx, input }) => ({ data: await revokeInvitation(ctx.core, ctx.actor, input.id, input.invitationId) })),

  getInvitation: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/invitations/{token}',
        tags,
        operationId: 'getInvitation',
        protect: false,
        summary: 'What an invitation link offers',
        description: 'The organization, who invited, the address and role, and the expiry. The token is the credential. 400 says why a token cannot be used (unknown, revoked, used, expired).',
        errorResponses: { 400: 'Invalid, unknown, revoked, used or expired invitation' },
      },
      extension: true,
    })
    .input(memberTypes.ZInvitationTokenInput)
    .output(dataOf(memberTypes.ZInvitationPreview))
    .query(async ({ ctx, input }) => ({ data: await getInvitationPreview(ctx.core, input.token) })),

  acceptInvitation: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/invitations/{token}/accept',
        tags,
        operationId: 'acceptInvitation',
        protect: false,
        summary: 'Accept an invitation',
        description:
          'With the mk_session cookie of the invited address\'s account and no body; or, without an account, with `name` and `password` to create it in this call ' +
          '(then sign in with POST /auth/login). The token works once.',
        errorResponses: {
          400: 'Invalid, unknown, revoked, used or expired invitation; invalid input',
          401: 'Neither signed in nor creating an account',
          403: 'Signed in as another address, or with an API key',
          409: 'Already a member, or the account already exists',
        },
      },
      sessionOptional: true,
      extension: true,
    })
    .input(memberTypes.ZAcceptInvitationInput)
    .output(dataOf(memberTypes.ZAcceptedInvitation))
    .mutation(async ({ ctx, input }) => {
      let newAccount: { name: string; passwordHash: string } | undefined;
      if (input.name !== undefined && input.password !== undefined) {
        // A token that cannot be used is refused before the (deliberately slow) password hash.
        await assertInvitationPending(ctx.core, input.token);
        newAccount = { name: input.name, passwordHash: await hashPassword(input.password) };
      }
      return { data: await acceptInvitation(ctx.core, ctx.actor, input.token, newAccount) };
    }),
});
