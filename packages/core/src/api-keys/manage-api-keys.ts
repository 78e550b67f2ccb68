import { and, desc, eq, isNull, or } from 'drizzle-orm';
import { apiKeys, API_KEY_KINDS } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { resolveActiveOrg, roleAtLeast } from '../orgs/access.ts';
import { newId } from '../util/ids.ts';

type Kind = (typeof API_KEY_KINDS)[number];

export interface NewKeyMaterial {
  key: string;
  keyHash: string;
  prefix: string;
}

/**
 * mk_* keys are bound to the active org and act there with their creator's role; fr keys act for
 * their creator across every org the creator belongs to. The key itself is returned only here.
 */
export async function createApiKey(
  ctx: CoreContext,
  actor: Actor,
  activeOrgId: string | null,
  input: { name: string; kind: Kind },
  material: NewKeyMaterial,
) {
  return withTransaction(ctx, async (ctx) => {
    const access = await resolveActiveOrg(ctx, actor, activeOrgId);
    const createdAt = ctx.now().toISOString();
    const [row] = await ctx.db
      .insert(apiKeys)
      .values({
        id: newId(),
        name: input.name,
        kind: input.kind,
        keyHash: material.keyHash,
        prefix: material.prefix,
        userId: actor.userId,
        orgId: access.org.id,
        createdAt,
      })
      .returning();
    return { id: row!.id, name: row!.name, kind: row!.kind, key: material.key, createdAt };
  });
}

/** Keys the actor may see: its own fr keys, and the active org's mk keys (all of them for admins). */
async function visibleKeys(ctx: CoreContext, actor: Actor, activeOrgId: string | null) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  const orgKeys = roleAtLeast(access.role, 'admin')
    ? and(eq(apiKeys.orgId, access.org.id), or(eq(apiKeys.kind, 'mk_live'), eq(apiKeys.kind, 'mk_test')))
    : and(eq(apiKeys.orgId, access.org.id), eq(apiKeys.userId, actor.userId));
  const ownFr = and(eq(apiKeys.userId, actor.userId), eq(apiKeys.kind, 'fr'));
  return and(isNull(apiKeys.revokedAt), or(orgKeys, ownFr));
}

export async function listApiKeys(ctx: CoreContext, actor: Actor, activeOrgId: string | null) {
  const visible = await visibleKeys(ctx, actor, activeOrgId);
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(visible)
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map((k) => ({
    id: k.id,
    name: k.name,
    kind: k.kind,
    prefix: k.prefix,
    orgId: k.kind === 'fr' ? null : k.orgId,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
  }));
}

export async function revokeApiKey(ctx: CoreContext, actor: Actor, activeOrgId: string | null, keyId: string) {
  return withTransaction(ctx, async (ctx) => {
    const visible = await visibleKeys(ctx, actor, activeOrgId);
    const [row] = await ctx.db
      .select({ id: apiKeys.id, keyHash: apiKeys.keyHash })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), visible));
    if (!row) throw notFound('API key not found');
    await ctx.db.update(apiKeys).set({ revokedAt: ctx.now().toISOString() }).where(eq(apiKeys.id, keyId));
    return { deleted: true as const, id: keyId, keyHash: row.keyHash };
  });
}
