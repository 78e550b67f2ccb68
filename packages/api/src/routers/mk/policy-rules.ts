import { z } from 'zod';
import { createPolicyRule, deletePolicyRule, listPolicyRules, ZCreatePolicyRuleInput, ZPolicyRule } from '@baton/core';
import { dataOf, mkProcedure, router, ZDeleted } from '../../trpc.ts';

const tags = ['Policy rules'];

export const policyRulesRouter = router({
  list: mkProcedure
    .meta({ openapi: { method: 'GET', path: '/policy-rules', tags, operationId: 'listPolicyRules', summary: "List the org's approval policy rules" }, extension: true })
    .input(z.object({}))
    .output(dataOf(z.object({ rules: z.array(ZPolicyRule) })))
    .query(async ({ ctx }) => ({ data: { rules: await listPolicyRules(ctx.core, ctx.actor, ctx.requestedOrgId) } })),

  create: mkProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/policy-rules',
        tags,
        operationId: 'createPolicyRule',
        summary: 'Create an approval policy rule',
        description: 'Overrides the autonomy level for matching actions: auto_approve lets them run (recorded with the rule id), require_approval always asks a person.',
      },
      successStatus: 201,
      extension: true,
    })
    .input(ZCreatePolicyRuleInput)
    .output(dataOf(ZPolicyRule))
    .mutation(async ({ ctx, input }) => ({ data: await createPolicyRule(ctx.core, ctx.actor, ctx.requestedOrgId, input) })),

  delete: mkProcedure
    .meta({ openapi: { method: 'DELETE', path: '/policy-rules/{id}', tags, operationId: 'deletePolicyRule', summary: 'Delete a policy rule' }, extension: true })
    .input(z.object({ id: z.string().max(100) }))
    .output(dataOf(ZDeleted))
    .mutation(async ({ ctx, input }) => ({ data: await deletePolicyRule(ctx.core, ctx.actor, ctx.requestedOrgId, input.id) })),
});
