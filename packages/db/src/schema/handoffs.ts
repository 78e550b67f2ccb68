import { sqliteTable, text, index } from 'drizzle-orm/sqlite-core';
import { organizations } from './organizations.ts';
import { projects } from './projects.ts';
import { users } from './users.ts';

export const HANDOFF_STATUSES = ['active', 'archived'] as const;

/** A generated handoff document for a project (core/src/relay/generate-handoff.ts). */
export const handoffs = sqliteTable(
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
    sources: text('sources', { mode: 'json' }).$type<string[]>().notNull(),
    keyChanges: text('key_changes', { mode: 'json' }).$type<string[]>().notNull(),
    decisions: text('decisions', { mode: 'json' }).$type<string[]>().notNull(),
    openQuestions: text('open_questions', { mode: 'json' }).$type<string[]>().notNull(),
    nextSteps: text('next_steps', { mode: 'json' }).$type<string[]>().notNull(),
    relatedEventIds: text('related_event_ids', { mode: 'json' }).$type<string[]>().notNull(),
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
