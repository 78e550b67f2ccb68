import type { Actor, CoreContext } from '../context.ts';
import { getOrgAccess } from './access.ts';
import { renderOrganization } from './render-org.ts';

export async function getOrg(ctx: CoreContext, actor: Actor, orgId: string) {
  const access = await getOrgAccess(ctx, actor, orgId);
  return renderOrganization(access.org, access.role);
}
