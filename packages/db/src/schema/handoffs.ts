import { table, text, json, index } from './kit.ts';
import { organizations } from './organizations.ts';
import { projects } from './projects.ts';
import { users } from './users.ts';

export const HANDOFF_STATUSES = ['active', 'archived'] as const;

/** A generated handoff document for a project (core/src/relay/generate-handoff.ts). */
export const handoffs = table(
  'handoffs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    status: text('status', { enum: HANDOFF_STATUSES }).notNull().default('active'),
    sources: json<string[]>('sources').notNull(),
    keyChanges: json<string[]>('key_changes').notNull(),
    decisions: json<string[]>('decisions').notNull(),
    openQuestions: json<string[]>('open_questions').notNull(),
    nextSteps: json<string[]>('next_steps').notNull(),
    relatedEventIds: json<string[]>('related_event_ids').notNull(),
    scopeType: text('scope_type').notNull().default('project'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  // Lists are newest first, per org (a key spans orgs: one walk per org, merged) or per project.
  (t) => [
    index('handoffs_org_created_idx').on(t.orgId, t.createdAt, t.id),
    index('handoffs_org_status_created_idx').on(t.orgId, t.status, t.createdAt, t.id),
    index('handoffs_project_created_idx').on(t.projectId, t.createdAt, t.id),
    index('handoffs_project_status_created_idx').on(t.projectId, t.status, t.createdAt, t.id),
  ],
);
