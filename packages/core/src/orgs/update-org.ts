import { eq } from 'drizzle-orm';
import { organizations } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { getOrgAccess, requireRole } from './access.ts';
import { renderOrganization } from './render-org.ts';
import type { z } from 'zod';
import type { ZAutonomyLevel } from './org.types.ts';

export interface UpdateOrgInput {
  name?: string | undefined;
  autonomyLevel?: z.infer<typeof ZAutonomyLevel> | undefined;
}

export async function updateOrg(ctx: CoreContext, actor: Actor, orgId: string, input: UpdateOrgInput) {
  return withTransaction(ctx, async (ctx) => {
    const access = await getOrgAccess(ctx, actor, orgId);
    requireRole(access, 'admin');
    const patch: Partial<typeof organizations.$inferInsert> = { updatedAt: ctx.now().toISOString() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.autonomyLevel !== undefined) patch.autonomyLevel = input.autonomyLevel;
    const [org] = await ctx.db.update(organizations).set(patch).where(eq(organizations.id, orgId)).returning();
    return renderOrganization(org!, access.role);
  });
}
