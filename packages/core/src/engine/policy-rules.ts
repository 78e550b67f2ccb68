import { and, desc, eq } from 'drizzle-orm';
import { policyRules, POLICY_DECISIONS, TOOL_RISKS } from '@baton/db';
import { z } from 'zod';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { newId } from '../util/ids.ts';
import { TOOLS } from './tools/registry.ts';

export const ZPolicyRule = z
  .object({
    id: z.string(),
    name: z.string(),
    tool: z.string().nullable(),
    risk: z.enum(TOOL_RISKS).nullable(),
    decision: z.enum(POLICY_DECISIONS),
    enabled: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'PolicyRule' });

export const ZCreatePolicyRuleInput = z.object({
  name: z.string().trim().min(1).max(200),
  tool: z.string().max(100).optional().meta({ description: `One of: ${Object.keys(TOOLS).join(', ')}` }),
  risk: z.enum(TOOL_RISKS).optional(),
  decision: z.enum(POLICY_DECISIONS),
});

const render = (r: typeof policyRules.$inferSelect) => ({ id: r.id, name: r.name, tool: r.tool, risk: r.risk, decision: r.decision, enabled: r.enabled, createdAt: r.createdAt });

export async function listPolicyRules(ctx: CoreContext, actor: Actor, activeOrgId: string | null) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  return (await ctx.db.select().from(policyRules).where(eq(policyRules.orgId, access.org.id)).orderBy(desc(policyRules.createdAt))).map(render);
}

/** A rule overrides the autonomy level for matching actions (by tool, else by risk). Admins only. */
export async function createPolicyRule(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: z.infer<typeof ZCreatePolicyRuleInput>) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  requireRole(access, 'admin');
  if (!input.tool && !input.risk) throw badRequest('tool or risk: a rule must match a tool, a risk, or both');
  if (input.tool && !TOOLS[input.tool]) throw badRequest(`tool: unknown tool "${input.tool}" (known: ${Object.keys(TOOLS).join(', ')})`);
  const row = await withTransaction(ctx, async (ctx) =>
    (
      await ctx.db
        .insert(policyRules)
        .values({ id: newId(), orgId: access.org.id, name: input.name, tool: input.tool ?? null, risk: input.risk ?? null, decision: input.decision, createdAt: ctx.now().toISOString() })
        .returning()
    )[0]!,
  );
  return render(row);
}

export async function deletePolicyRule(ctx: CoreContext, actor: Actor, activeOrgId: string | null, ruleId: string) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  await withTransaction(ctx, async (ctx) => {
    const row = (await ctx.db.select({ id: policyRules.id }).from(policyRules).where(and(eq(policyRules.id, ruleId), eq(policyRules.orgId, access.org.id))))[0];
    if (!row) throw notFound('Policy rule not found');
    requireRole(access, 'admin');
    await ctx.db.delete(policyRules).where(eq(policyRules.id, ruleId));
  });
  return { deleted: true as const, id: ruleId };
}
