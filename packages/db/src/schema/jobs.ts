import { sql } from 'drizzle-orm';
import { table, text, integer, json, index, uniqueIndex } from './kit.ts';

export const JOB_STATUSES = ['queued', 'leased', 'done', 'failed'] as const;

/**
 * The durable job queue. A worker leases a due job (lease_until in the future, heartbeats extend it);
 * a crash leaves the lease to lapse, and the job is picked up again, by any node. Failures retry
 * with backoff.
 */
export const jobs = table(
  'jobs',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** At most one queued-or-leased job per key (e.g. one "advance" job per run). */
    key: text('key'),
    payload: json<Record<string, unknown>>('payload').notNull(),
    status: text('status', { enum: JOB_STATUSES }).notNull().default('queued'),
    runAt: integer('run_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    leaseUntil: integer('lease_until'),
    /**
     * The node holding the lease. With `attempts` it fences the lease: completing, failing or
     * extending a job checks both, so a worker whose lease lapsed and was taken over commits nothing.
     */
    lockedBy: text('locked_by'),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('jobs_due_idx').on(t.status, t.runAt),
    index('jobs_lease_idx').on(t.status, t.leaseUntil),
    uniqueIndex('jobs_active_key_uq').on(t.key).where(sql`status in ('queued', 'leased')`),
    // Dropping a run's queued step looks its job up by key; the partial index above cannot serve that.
    index('jobs_key_idx').on(t.key, t.status),
  ],
);
