import { eq } from 'drizzle-orm';
import { memberships, organizations } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { effectiveRole } from './access.ts';
import type { TRole } from './org.types.ts';

export interface OrgWithRole {
  org: typeof organizations.$inferSelect;
  role: TRole;
  isTemporaryAdmin: boolean;
}

/** Orgs the actor can act in: all of the user's memberships, or only the bound org for an mk key. */
export function listActorOrgs(ctx: CoreContext, actor: Actor): OrgWithRole[] {
  const rows = ctx.db
    .select({ org: organizations, membership: memberships })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, actor.userId))
    .orderBy(memberships.createdAt, memberships.id)
    .all();
  const now = ctx.now();
  return rows
    .filter((r) => actor.via !== 'mk_key' || r.org.id === actor.keyOrgId)
    .map((r) => ({ org: r.org, ...effectiveRole(r.membership, now) }));
}

export function listOrgs(ctx: CoreContext, actor: Actor) {
  return listActorOrgs(ctx, actor).map(({ org }) => ({
    id: org.id,
    name: org.name,
    slug: org.slug,
    subscriptionTier: org.subscriptionTier,
    autonomyLevel: org.autonomyLevel,
    createdAt: org.createdAt,
  }));
}
