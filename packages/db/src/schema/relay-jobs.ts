import { table, text, json, index } from './kit.ts';
import { organizations } from './organizations.ts';
import { projects } from './projects.ts';
import { users } from './users.ts';

export const RELAY_JOB_KINDS = ['project_handoff'] as const;
export const RELAY_JOB_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;

/**
 * Flow Relay's user-facing job record (GET /jobs/{jobId}). The work itself runs on the durable
 * queue (jobs table), enqueued in the same commit, so a job never stays pending without work behind it.
 */
export const relayJobs = table(
  'relay_jobs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: RELAY_JOB_KINDS }).notNull(),
    status: text('status', { enum: RELAY_JOB_STATUSES }).notNull().default('pending'),
    input: json<Record<string, unknown>>('input').notNull(),
    resultKind: text('result_kind'),
    resultId: text('result_id'),
    error: text('error'),
    errorCode: text('error_code'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('relay_jobs_project_created_idx').on(t.projectId, t.createdAt)],
);
