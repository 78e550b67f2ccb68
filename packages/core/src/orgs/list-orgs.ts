import { eq, sql } from 'drizzle-orm';
import { accessEpoch, isTransaction, memberships, organizations, preparedQuery, type DB } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { deepFreeze } from '../util/deep-freeze.ts';
import { Lru } from '../util/lru.ts';
import { effectiveRole, type MembershipRow, type OrgRow } from './access.ts';
import type { TRole } from './org.types.ts';

export interface OrgWithRole {
  org: OrgRow;
  role: TRole;
  isTemporaryAdmin: boolean;
}

type Membership = { org: OrgRow; membership: MembershipRow };

/**
 * A user's memberships, kept while the access epoch stands still (as orgMembership in access.ts):
 * every Flow Relay request starts from them. Frozen: they are shared between requests.
 */
const userOrgCaches = new WeakMap<DB, Lru<string, { epoch: number; rows: readonly Membership[] }>>();

async function userMemberships(db: DB, userId: string): Promise<readonly Membership[]> {
  let cache = userOrgCaches.get(db);
  if (!cache) userOrgCaches.set(db, (cache = new Lru(10_000)));
  const epoch = accessEpoch(db);
  const hit = cache.get(userId);
  if (hit && hit.epoch === epoch) return hit.rows;
  const rows = await preparedQuery(db, 'userMemberships', (d) =>
    d
      .select({ org: organizations, membership: memberships })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(eq(memberships.userId, sql.placeholder('userId')))
      .orderBy(memberships.createdAt, memberships.id),
  ).all({ userId });
  if (epoch === null || isTransaction(db)) return rows;
  const frozen = deepFreeze(rows);
  cache.set(userId, { epoch, rows: frozen });
  return frozen;
}

/** Orgs the actor can act in: all of the user's memberships, or only the bound org for an mk key. */
export async function listActorOrgs(ctx: CoreContext, actor: Actor): Promise<OrgWithRole[]> {
  const rows = await userMemberships(ctx.db, actor.userId);
  const now = ctx.now();
  return rows
    .filter((r) => actor.via !== 'mk_key' || r.org.id === actor.keyOrgId)
    .map((r) => ({ org: r.org, ...effectiveRole(r.membership, now) }));
}

export async function listOrgs(ctx: CoreContext, actor: Actor) {
  return (await listActorOrgs(ctx, actor)).map(({ org }) => ({
    id: org.id,
    name: org.name,
    slug: org.slug,
    subscriptionTier: org.subscriptionTier,
    autonomyLevel: org.autonomyLevel,
    createdAt: org.createdAt,
  }));
}
