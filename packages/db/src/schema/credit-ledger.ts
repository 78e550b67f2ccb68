import { table, text, integer, index } from './kit.ts';
import { organizations } from './organizations.ts';

export const LEDGER_KINDS = ['usage', 'purchase', 'grant', 'adjustment'] as const;

/** Every change to an org's credit balance, in micro-credits (usage is negative). */
export const creditLedger = table(
  'credit_ledger',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: LEDGER_KINDS }).notNull(),
    amount: integer('amount').notNull(),
    runId: text('run_id'),
    eventId: text('event_id'),
    eventType: text('event_type'),
    modelUsed: text('model_used'),
    tokensInput: integer('tokens_input'),
    tokensOutput: integer('tokens_output'),
    description: text('description'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('credit_ledger_org_created_idx').on(t.orgId, t.createdAt)],
);
