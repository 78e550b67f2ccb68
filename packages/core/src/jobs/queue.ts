import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { jobs } from '@baton/db';
import { afterCommit, type CoreContext } from '../context.ts';
import { newTimeOrderedId } from '../util/ids.ts';

export type JobRow = typeof jobs.$inferSelect;

export interface EnqueueInput {
  name: string;
  payload: Record<string, unknown>;
  /** When set, the job is dropped if one with the same key is already queued or running. */
  key?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/** Inserts a job inside the caller's transaction, so it exists exactly when the caller's effects do. */
export function enqueueJob(ctx: CoreContext, input: EnqueueInput): void {
  const now = ctx.now();
  const runAt = input.runAt ?? now;
  ctx.db
    .insert(jobs)
    .values({
      id: newTimeOrderedId(),
      name: input.name,
      key: input.key ?? null,
      payload: input.payload,
      runAt: runAt.getTime(),
      maxAttempts: input.maxAttempts ?? 5,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    })
    .onConflictDoNothing()
    .run();
  if (runAt.getTime() <= now.getTime() && ctx.wakeWorker) {
    const wake = ctx.wakeWorker;
    afterCommit(wake);
  }
}

/** Removes a queued (not running) job by key, e.g. when its run is cancelled. */
export function dropQueuedJob(ctx: CoreContext, key: string): void {
  ctx.db.delete(jobs).where(and(eq(jobs.key, key), eq(jobs.status, 'queued'))).run();
}

export function leaseDueJobs(ctx: CoreContext, limit: number, leaseMs: number): JobRow[] {
  if (limit <= 0) return [];
  const now = ctx.now().getTime();
  return ctx.db.$client.transaction(() => {
    const due = ctx.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.status, 'queued'), lte(jobs.runAt, now)))
      .orderBy(jobs.runAt)
      .limit(limit)
      .all();
    if (!due.length) return [];
    return ctx.db
      .update(jobs)
      .set({ status: 'leased', leaseUntil: now + leaseMs, attempts: sql`${jobs.attempts} + 1`, updatedAt: new Date(now).toISOString() })
      .where(inArray(jobs.id, due.map((d) => d.id)))
      .returning()
      .all();
  }).immediate();
}

/**
 * Leases that lapsed (their worker died) go back to the queue. At start-up `all` reclaims every
 * lease: one Baton process owns its database file, so any lease found then belongs to a dead process.
 */
export function reclaimLeases(ctx: CoreContext, opts: { all?: boolean } = {}): number {
  const now = ctx.now().getTime();
  return ctx.db
    .update(jobs)
    .set({ status: 'queued', leaseUntil: null, updatedAt: new Date(now).toISOString() })
    .where(opts.all ? eq(jobs.status, 'leased') : and(eq(jobs.status, 'leased'), lte(jobs.leaseUntil, now)))
    .run().changes;
}

export function extendLease(ctx: CoreContext, jobId: string, leaseMs: number): void {
  ctx.db
    .update(jobs)
    .set({ leaseUntil: ctx.now().getTime() + leaseMs })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, 'leased')))
    .run();
}

/** A finished job is deleted: its outcome lives in the domain tables, written in the same commit. */
export function completeJob(ctx: CoreContext, jobId: string): void {
  ctx.db.delete(jobs).where(eq(jobs.id, jobId)).run();
}

/** Exponential backoff (base, 2×, 4×, … capped at 5 min); past maxAttempts the job is kept as failed. */
export function failJob(ctx: CoreContext, job: JobRow, error: string, retryBaseMs = 1000): 'retry' | 'dead' {
  const now = ctx.now().getTime();
  if (job.attempts >= job.maxAttempts) {
    ctx.db.update(jobs).set({ status: 'failed', lastError: error, leaseUntil: null, updatedAt: new Date(now).toISOString() }).where(eq(jobs.id, job.id)).run();
    return 'dead';
  }
  const delay = Math.min(300_000, retryBaseMs * 2 ** (job.attempts - 1));
  ctx.db
    .update(jobs)
    .set({ status: 'queued', runAt: now + delay, lastError: error, leaseUntil: null, updatedAt: new Date(now).toISOString() })
    .where(eq(jobs.id, job.id))
    .run();
  return 'retry';
}
