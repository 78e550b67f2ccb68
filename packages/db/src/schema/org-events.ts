import { table, text, json, index } from './kit.ts';
import { organizations } from './organizations.ts';

export const ORG_EVENT_TYPES = ['member.invited', 'member.removed'] as const;

// An outbox of an org's events, for outgoing webhooks (not built yet). Each row is written in the
// same unit of work as the change it records (packages/core/src/orgs/record-org-event.ts), so an
// event exists exactly when its change committed; webhook delivery will read and deliver from here.
export const orgEvents = table(
  'org_events',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    type: text('type', { enum: ORG_EVENT_TYPES }).notNull(),
    payload: json<Record<string, unknown>>('payload').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('org_events_org_created_idx').on(t.orgId, t.createdAt)],
);
