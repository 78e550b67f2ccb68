import { table, text, primaryKey } from './kit.ts';
import { projects } from './projects.ts';

export const CONTEXT_FACET_KINDS = ['resource', 'branch', 'event_type', 'priority'] as const;

/**
 * The distinct filter values a project's context stream holds, per source (GET /handoffs/filters).
 * Kept up to date as events are recorded, so listing them never walks the events themselves.
 */
export const contextFacets = table(
  'context_facets',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    kind: text('kind', { enum: CONTEXT_FACET_KINDS }).notNull(),
    value: text('value').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.source, t.kind, t.value] })],
);
