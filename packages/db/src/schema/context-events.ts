import { sql } from 'drizzle-orm';
import { table, text, index, uniqueIndex } from './kit.ts';
import { organizations } from './organizations.ts';
import { projects } from './projects.ts';
import { users } from './users.ts';

/**
 * A project's context stream: activity from GitHub, Slack, Linear, Discord and Baton's own runs,
 * from which handoffs and insights are generated. An event without a project belongs to its
 * user's personal stream. Append-only; it goes when its project, org or user goes.
 */
export const contextEvents = table(
  'context_events',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    /** The Baton user who recorded the event (the ingesting key's owner, or the run's creator). */
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    eventType: text('event_type').notNull(),
    title: text('title').notNull(),
    content: text('content').notNull(),
    /** The source's own container: a repository, channel or board. */
    resource: text('resource'),
    branch: text('branch'),
    priority: text('priority'),
    url: text('url'),
    /** The person behind the event at the source (a GitHub login, a Slack name). */
    author: text('author'),
    /** The source's id for the event; a second ingest of the same one is ignored. */
    externalId: text('external_id'),
    runId: text('run_id'),
    createdAt: text('created_at').notNull(),
    ingestedAt: text('ingested_at').notNull(),
  },
  (t) => [
    index('context_events_project_created_idx').on(t.projectId, t.createdAt, t.id),
    index('context_events_project_source_created_idx').on(t.projectId, t.source, t.createdAt, t.id),
    index('context_events_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('context_events_user_source_created_idx').on(t.userId, t.source, t.createdAt, t.id),
    uniqueIndex('context_events_external_uq').on(t.projectId, t.source, t.externalId).where(sql`external_id is not null`),
    // NULLs are distinct in a unique index, so the personal stream (no project) needs its own.
    uniqueIndex('context_events_personal_external_uq').on(t.userId, t.source, t.externalId).where(sql`project_id is null and external_id is not null`),
  ],
);
