import { inArray, desc, sql } from 'drizzle-orm';
import { memberships, projects } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { listActorOrgs } from '../orgs/list-orgs.ts';

/**
 * Flow Relay's tenant context for a key's owner. Every Baton project belongs to an organization,
 * so project_type is always "organization" and access_role is the owner's effective org role.
 * account_type is "personal" while the user is alone in every org they belong to, else "business".
 */
export async function listRelayProjects(ctx: CoreContext, actor: Actor) {
  const orgs = await listActorOrgs(ctx, actor);
  const orgIds = orgs.map((o) => o.org.id);
  const byOrg = new Map(orgs.map((o) => [o.org.id, o]));
  const shared = orgIds.length
    ? (
        await ctx.db
          .select({ orgId: memberships.orgId, n: sql<number>`count(*)` })
          .from(memberships)
          .where(inArray(memberships.orgId, orgIds))
          .groupBy(memberships.orgId)
      ).some((r) => r.n > 1)
    : false;
  const rows = orgIds.length
    ? await ctx.db.select().from(projects).where(inArray(projects.orgId, orgIds)).orderBy(desc(projects.createdAt), desc(projects.id))
    : [];
  return {
    account_type: shared ? ('business' as const) : ('personal' as const),
    organizations: orgs.map(({ org, role, isTemporaryAdmin }) => ({
      id: org.id,
      name: org.name,
      slug: org.slug,
      role,
      is_temporary_admin: isTemporaryAdmin,
    })),
    projects: rows.map((p) => {
      const o = byOrg.get(p.orgId)!;
      return {
        id: p.id,
        name: p.name,
        slug: p.slug,
        description: p.description ?? '',
        organization_id: o.org.id,
        organization_name: o.org.name,
        organization_slug: o.org.slug,
        project_type: 'organization' as const,
        access_role: o.role,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
      };
    }),
  };
}
