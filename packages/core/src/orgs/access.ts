import { and, eq, sql } from 'drizzle-orm';
import { deepFreeze } from '../util/deep-freeze.ts';
import { Lru } from '../util/lru.ts';
import { accessEpoch, isTransaction, memberships, organizations, preparedQuery, type DB } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { forbidden, notFound } from '../errors.ts';
import type { TRole } from './org.types.ts';

const RANK: Record<TRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export type OrgRow = typeof organizations.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;

export interface OrgAccess {
  org: OrgRow;
  membership: MembershipRow;
  /** Effective role: a live temporary-admin grant lifts member/viewer to admin. */
  role: TRole;
  isTemporaryAdmin: boolean;
}

export function effectiveRole(m: MembershipRow, now: Date): { role: TRole; isTemporaryAdmin: boolean } {
  const temp = m.temporaryAdminUntil !== null && m.temporaryAdminUntil > now.toISOString();
  if (temp && RANK[m.role] < RANK.admin) return { role: 'admin', isTemporaryAdmin: true };
  return { role: m.role, isTemporaryAdmin: false };
}

export const roleAtLeast = (role: TRole, min: TRole): boolean => RANK[role] >= RANK[min];

interface MembershipAndOrg {
  org: OrgRow;
  membership: MembershipRow;
}

/**
 * (org, membership) lookups, kept while the access epoch stands still (see
 * packages/db/src/change-epochs.ts): a change to organizations, memberships, users or API keys,
 * here or in another process, drops them. The effective role is still worked out per request, so a
 * temporary admin grant ends on time. The rows are frozen: they are shared between requests.
 */
const accessCaches = new WeakMap<DB, Lru<string, { epoch: number; row: MembershipAndOrg }>>();
const ACCESS_CACHE_MAX = 10_000;

async function orgMembership(db: DB, orgId: string, userId: string): Promise<MembershipAndOrg | undefined> {
  let cache = accessCaches.get(db);
  if (!cache) accessCaches.set(db, (cache = new Lru(ACCESS_CACHE_MAX)));
  const key = `${orgId}\u0000${userId}`;
  const epoch = accessEpoch(db);
  const hit = cache.get(key);
  if (hit && hit.epoch === epoch) return hit.row;
  if (hit) cache.delete(key);
  const row = await preparedQuery(db, 'orgAccess', (d) =>
    d
      .select({ org: organizations, membership: memberships })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(and(eq(memberships.orgId, sql.placeholder('orgId')), eq(memberships.userId, sql.placeholder('userId')))),
  ).get({ orgId, userId });
  if (!row || epoch === null || isTransaction(db)) return row;
  const frozen = deepFreeze({ org: row.org, membership: row.membership });
  cache.set(key, { epoch, row: frozen });
  return frozen;
}

/**
 * The org as this actor may see it. A non-member, or an mk key bound to another org, gets 404 —
 * never 403 — so the org's existence does not leak.
 */
export async function getOrgAccess(ctx: CoreContext, actor: Actor, orgId: string): Promise<OrgAccess> {
  if (actor.via === 'mk_key' && actor.keyOrgId !== orgId) throw notFound('Organization not found');
  // Read with the key at the start of this request; inside a unit, read again (the unit may have changed it).
  const row = actor.keyAccess !== undefined && actor.keyOrgId === orgId && !isTransaction(ctx.db) ? actor.keyAccess : await orgMembership(ctx.db, orgId, actor.userId);
  if (!row) throw notFound('Organization not found');
  return { ...row, ...effectiveRole(row.membership, ctx.now()) };
}

export function requireRole(access: OrgAccess, min: TRole): void {
  if (!roleAtLeast(access.role, min)) throw forbidden(`This needs the ${min} role or higher in the organization`);
}

/** The org a request acts on when it names none: the key's org, the requested one, or the user's first. */
export async function resolveActiveOrg(ctx: CoreContext, actor: Actor, requestedOrgId?: string | null): Promise<OrgAccess> {
  if (actor.via === 'mk_key' && actor.keyOrgId) {
    if (requestedOrgId && requestedOrgId !== actor.keyOrgId) throw notFound('Organization not found');
    return await getOrgAccess(ctx, actor, actor.keyOrgId);
  }
  if (requestedOrgId) return await getOrgAccess(ctx, actor, requestedOrgId);
  const first = await preparedQuery(ctx.db, 'firstMembership', (db) =>
    db
      .select({ orgId: memberships.orgId })
      .from(memberships)
      .where(eq(memberships.userId, sql.placeholder('userId')))
      .orderBy(memberships.createdAt, memberships.id)
      .limit(1),
  ).get({ userId: actor.userId });
  if (!first) throw notFound('You do not belong to any organization');
  return await getOrgAccess(ctx, actor, first.orgId);
}
