import { table, text, integer, bool, json, uniqueIndex } from './kit.ts';
import { runs } from './runs.ts';

export const RUN_EVENT_TYPES = [
  'tool_call',
  'tool_result',
  'message',
  'approval_requested',
  'approval_granted',
  'approval_denied',
  'error',
  'stage_transition',
  'artifact_created',
  'rollback_created',
  'cost_update',
] as const;

/** Append-only. (run_id, sequence_number) is unique: the per-run order SSE resumes from. */
export const runEvents = table(
  'run_events',
  {
    id: text('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    sequenceNumber: integer('sequence_number').notNull(),
    eventType: text('event_type', { enum: RUN_EVENT_TYPES }).notNull(),
    data: json<Record<string, unknown>>('data').notNull(),
    modelUsed: text('model_used'),
    tokensUsed: integer('tokens_used'),
    replayVisible: bool('replay_visible').notNull().default(true),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('run_events_run_seq_uq').on(t.runId, t.sequenceNumber)],
);
