import type { Actor, CoreContext } from '../context.ts';
import { getOrgAccess } from '../orgs/access.ts';
import { selectMembers } from './member-rows.ts';
import type { TMember } from './member.types.ts';

/** The org's members, oldest first. Every member may list them (viewer and up). */
export async function listMembers(ctx: CoreContext, actor: Actor, orgId: string): Promise<TMember[]> {
  await getOrgAccess(ctx, actor, orgId);
  return await selectMembers(ctx, orgId);
}
