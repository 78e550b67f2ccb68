import { and, eq } from 'drizzle-orm';
import { projectEnvironments } from '@baton/db';
import { z } from 'zod';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { checkOutboundUrl, describeRefusal } from '../net/outbound-url.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from './get-project.ts';
import { renderEnvironment } from './render-project.ts';

const ZHttpUrl = z.url({ protocol: /^https?$/ }).max(2000);

export const ZUpdateEnvironmentInput = z.object({
  id: z.string().max(100),
  envId: z.string().max(100),
  url: ZHttpUrl.nullable().optional().meta({ description: 'Where the environment is served; health checks GET it' }),
  deployHookUrl: ZHttpUrl.nullable().optional().meta({ description: 'POSTed by the deploy tool; write-only, never shown again' }),
  status: z.enum(['active', 'inactive']).optional(),
});
export type TUpdateEnvironmentInput = z.infer<typeof ZUpdateEnvironmentInput>;

/** Admins configure where an environment lives and how to deploy to it. */
export async function updateProjectEnvironment(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TUpdateEnvironmentInput) {
  return withTransaction(ctx, async (ctx) => {
    const access = await resolveActiveOrg(ctx, actor, activeOrgId);
    await loadProject(ctx, access, input.id);
    const [env] = await ctx.db
      .select()
      .from(projectEnvironments)
      .where(and(eq(projectEnvironments.id, input.envId), eq(projectEnvironments.projectId, input.id)));
    if (!env) throw notFound('Environment not found');
    requireRole(access, 'admin');
    // Both URLs are called by the server (deploy, health_check): refuse internal targets now; the
    // resolved address is checked again at call time. (A syntactic check: no DNS lookup here.)
    for (const field of ['url', 'deployHookUrl'] as const) {
      const value = input[field];
      if (!value) continue;
      const checked = checkOutboundUrl(value, { allowPrivate: ctx.config.engine.allowPrivateUrls });
      if (!checked.ok) throw badRequest(`${field}: ${describeRefusal(checked)}`);
    }
    const patch: Partial<typeof projectEnvironments.$inferInsert> = { updatedAt: ctx.now().toISOString() };
    if (input.url !== undefined) patch.url = input.url;
    if (input.deployHookUrl !== undefined) patch.deployHookUrl = input.deployHookUrl;
    if (input.status !== undefined) patch.status = input.status;
    const [row] = await ctx.db.update(projectEnvironments).set(patch).where(eq(projectEnvironments.id, env.id)).returning();
    return renderEnvironment(row!);
  });
}
