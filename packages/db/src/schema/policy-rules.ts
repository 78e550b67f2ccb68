import { table, text, bool, index } from './kit.ts';
import { organizations } from './organizations.ts';

export const TOOL_RISKS = ['read', 'write', 'external', 'deploy', 'destructive'] as const;
export const POLICY_DECISIONS = ['auto_approve', 'require_approval'] as const;

/**
 * Org rules that override the autonomy level for matching actions. A rule matches on tool name
 * and/or risk; the most specific matching rule wins (tool beats risk), then the newest.
 */
export const policyRules = table(
  'policy_rules',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tool: text('tool'),
    risk: text('risk', { enum: TOOL_RISKS }),
    decision: text('decision', { enum: POLICY_DECISIONS }).notNull(),
    enabled: bool('enabled').notNull().default(true),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('policy_rules_org_idx').on(t.orgId, t.createdAt)],
);
