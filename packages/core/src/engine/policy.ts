import { and, desc, eq } from 'drizzle-orm';
import { policyRules, type AUTONOMY_LEVELS } from '@baton/db';
import type { CoreContext } from '../context.ts';
import type { ToolRisk } from './tools/tool.ts';

type Level = (typeof AUTONOMY_LEVELS)[number];

/**
 * The autonomy levels are themselves policy rules, with fixed ids, so every action that proceeds
 * without a person is recorded as auto_approved with the rule that allowed it.
 */
export const BUILTIN_RULES = {
  act: { id: '00000000-0000-4000-8000-00000000ac70', name: 'Autonomy level "act": writes and external calls proceed' },
  autopilot: { id: '00000000-0000-4000-8000-0000000a0701', name: 'Autonomy level "autopilot": every action proceeds' },
} as const;

export interface PolicyAction {
  tool: string;
  risk: ToolRisk;
  /** Estimated cost in micro-credits. */
  costMicros: number;
}

export type PolicyDecision =
  | { kind: 'run' }
  | { kind: 'auto'; ruleId: string; ruleName: string }
  | { kind: 'ask'; reason: string };

export async function decideAction(ctx: CoreContext, orgId: string, level: Level, action: PolicyAction): Promise<PolicyDecision> {
  const rules = await ctx.db
    .select()
    .from(policyRules)
    .where(and(eq(policyRules.orgId, orgId), eq(policyRules.enabled, true)))
    .orderBy(desc(policyRules.createdAt), desc(policyRules.id));
  const rule = rules.find((r) => r.tool === action.tool) ?? rules.find((r) => r.tool === null && r.risk === action.risk);
  if (rule) {
    return rule.decision === 'auto_approve'
      ? { kind: 'auto', ruleId: rule.id, ruleName: rule.name }
      : { kind: 'ask', reason: `Policy rule "${rule.name}" requires approval for ${action.tool}` };
  }
  if (action.risk === 'read') return { kind: 'run' };
  const costly = action.costMicros >= ctx.config.engine.costlyActionMicros;
  switch (level) {
    case 'observe':
      return { kind: 'ask', reason: `Autonomy level "observe" asks before any action beyond reading (${action.risk})` };
    case 'assist':
      return { kind: 'ask', reason: `Autonomy level "assist" asks before every ${action.risk} action` };
    case 'act':
      if (action.risk === 'deploy' || action.risk === 'destructive') return { kind: 'ask', reason: `Autonomy level "act" asks before ${action.risk} actions` };
      if (costly) return { kind: 'ask', reason: 'Autonomy level "act" asks before costly actions' };
      return { kind: 'auto', ruleId: BUILTIN_RULES.act.id, ruleName: BUILTIN_RULES.act.name };
    case 'autopilot':
      return { kind: 'auto', ruleId: BUILTIN_RULES.autopilot.id, ruleName: BUILTIN_RULES.autopilot.name };
  }
}

export const RISK_DESCRIPTIONS: Record<ToolRisk, string> = {
  read: 'Reads workspace data; changes nothing.',
  write: 'Changes files in the project workspace.',
  external: 'Calls a service outside Baton.',
  deploy: 'Changes what runs in a deployed environment.',
  destructive: 'Deletes or irreversibly changes data.',
};
