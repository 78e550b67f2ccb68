import { table, text, json, index } from './kit.ts';
import { runs } from './runs.ts';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'auto_approved', 'expired'] as const;

export const approvals = table(
  'approvals',
  {
    id: text('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    eventId: text('event_id'),
    actionSummary: text('action_summary').notNull(),
    reason: text('reason').notNull(),
    riskDescription: text('risk_description'),
    costEstimate: text('cost_estimate'),
    undoPlan: text('undo_plan'),
    evidence: json<Record<string, unknown>>('evidence'),
    status: text('status', { enum: APPROVAL_STATUSES }).notNull(),
    decidedBy: text('decided_by'),
    policyRuleId: text('policy_rule_id'),
    decisionNote: text('decision_note'),
    decidedAt: text('decided_at'),
    expiresAt: text('expires_at'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    index('approvals_run_idx').on(t.runId, t.createdAt),
    // Ending a run expires its pending approvals: found by run, not by scanning every pending one.
    index('approvals_run_status_idx').on(t.runId, t.status),
    index('approvals_pending_expiry_idx').on(t.status, t.expiresAt),
  ],
);
