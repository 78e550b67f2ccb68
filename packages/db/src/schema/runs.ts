import { table, text, integer, json, index } from './kit.ts';
import { organizations } from './organizations.ts';
import { projects } from './projects.ts';
import { users } from './users.ts';

export const RUN_STAGES = ['intake', 'clarify', 'scope', 'plan', 'build', 'verify', 'deploy', 'monitor'] as const;
export const RUN_TERMINAL = ['completed', 'failed', 'cancelled'] as const;
export const RUN_STATUSES = [...RUN_STAGES, ...RUN_TERMINAL] as const;
export const RUN_DRIVERS = ['local', 'openai'] as const;

export interface StageHistoryEntry {
  stage: string;
  startedAt: string;
  endedAt: string;
}

export const runs = table(
  'runs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'set null' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('intake'),
    stageStartedAt: text('stage_started_at'),
    stageHistory: json<StageHistoryEntry[]>('stage_history').notNull().default([]),
    requestText: text('request_text').notNull(),
    scopeArtifact: json<Record<string, unknown>>('scope_artifact'),
    planArtifact: json<Record<string, unknown>>('plan_artifact'),
    totalCreditsUsed: integer('total_credits_used').notNull().default(0),
    totalTokensInput: integer('total_tokens_input').notNull().default(0),
    totalTokensOutput: integer('total_tokens_output').notNull().default(0),
    parentRunId: text('parent_run_id'),
    modelUsed: text('model_used'),
    errorMessage: text('error_message'),
    driver: text('driver', { enum: RUN_DRIVERS }).notNull().default('local'),
    /** Sequence number of the last event appended; the next event gets lastSeq + 1. */
    lastSeq: integer('last_seq').notNull().default(0),
    /** The engine's cursor within the current stage (plan step, conversation), so a restart resumes exactly. */
    engineState: json<Record<string, unknown>>('engine_state').notNull().default({}),
    createdAt: text('created_at').notNull(),
    completedAt: text('completed_at'),
  },
  // The list indexes also carry status and project_id: a page of a list is read from the index
  // alone as (id, status, projectId), and finished runs come rendered from the cache
  // (core/src/runs/finished-run-cache.ts). last_seq stays out, so event appends touch no index.
  (t) => [
    index('runs_org_created_idx').on(t.orgId, t.createdAt, t.id, t.status, t.projectId),
    index('runs_org_status_created_idx').on(t.orgId, t.status, t.createdAt, t.id, t.projectId),
    index('runs_org_project_created_idx').on(t.orgId, t.projectId, t.createdAt, t.id, t.status),
  ],
);
