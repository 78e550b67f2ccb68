import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { jobs } from '@baton/db';
import { afterCommit, withTransaction, type CoreContext } from '../context.ts';
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
export async function enqueueJob(ctx: CoreContext, input: EnqueueInput): Promise<void> {
  const now = ctx.now();
  const runAt = input.runAt ?? now;
  await withTransaction(ctx, (c) =>
    c.db
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
    .onConflictDoNothing(),
  );
  if (runAt.getTime() <= now.getTime() && ctx.wakeWorker) {
    const wake = ctx.wakeWorker;
    afterCommit(ctx, wake);
  }
}

/** Removes a queued (not running) job by key, e.g. when its run is cancelled. */
export async function dropQueuedJob(ctx: CoreContext, key: string): Promise<void> {
  await withTransaction(ctx, (c) => c.db.delete(jobs).where(and(eq(jobs.key, key), eq(jobs.status, 'queued'))));
}

export async function leaseDueJobs(ctx: CoreContext, limit: number, leaseMs: number): Promise<JobRow[]> {
  if (limit <= 0) return [];
  const now = ctx.now().getTime();
  // Nothing due is the common case: find out on the reader, without queueing a unit for the writer.
  const any = await ctx.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.status, 'queued'), lte(jobs.runAt, now)))
    .limit(1);
  if (!any.length) return [];
  return withTransaction(
    ctx,
    async (c) => {
      const due = await c.db
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.status, 'queued'), lte(jobs.runAt, now)))
        .orderBy(jobs.runAt, jobs.id)
        .limit(limit);
      if (!due.length) return [];
      return c.db
        .update(jobs)
        .set({ status: 'leased', leaseUntil: now + leaseMs, attempts: sql`${jobs.attempts} + 1`, updatedAt: new Date(now).toISOString() })
        .where(inArray(jobs.id, due.map((d) => d.id)))
        .returning();
    },
    'lease jobs',
  );
}

/**
 * Leases that lapsed (their worker died) go back to the queue. At start-up `all` reclaims every
 * lease: one Baton process owns its database file, so any lease found then belongs to a dead process.
 */
export async function reclaimLeases(ctx: CoreContext, opts: { all?: boolean } = {}): Promise<number> {
  const now = ctx.now().getTime();
  const lapsed = opts.all ? eq(jobs.status, 'leased') : and(eq(jobs.status, 'leased'), lte(jobs.leaseUntil, now));
  // Checked on the reader first: a lapsed lease is rare, and the worker asks on every tick.
  if (!(await ctx.db.select({ id: jobs.id }).from(jobs).where(lapsed).limit(1)).length) return 0;
  const reclaimed = await withTransaction(ctx, (c) =>
    c.db.update(jobs).set({ status: 'queued', leaseUntil: null, updatedAt: new Date(now).toISOString() }).where(lapsed).returning({ id: jobs.id }),
  );
  return reclaimed.length;
}

export async function extendLease(ctx: CoreContext, jobId: string, leaseMs: number): Promise<void> {
  await withTransaction(ctx, (c) =>
    c.db
      .update(jobs)
      .set({ leaseUntil: ctx.now().getTime() + leaseMs })
      .where(and(eq(jobs.id, jobId), eq(jobs.status, 'leased'))),
  );
}

/** A finished job is deleted: its outcome lives in the domain tables, written in the same commit. */
export async function completeJob(ctx: CoreContext, jobId: string): Promise<void> {
  await withTransaction(ctx, (c) => c.db.delete(jobs).where(eq(jobs.id, jobId)));
}

/** Exponential backoff (base, 2×, 4×, … capped at 5 min); past maxAttempts the job is kept as failed. */
export async function failJob(ctx: CoreContext, job: JobRow, error: string, retryBaseMs = 1000): Promise<'retry' | 'dead'> {
  const now = ctx.now().getTime();
  if (job.attempts >= job.maxAttempts) {
    await withTransaction(ctx, (c) =>
      c.db.update(jobs).set({ status: 'failed', lastError: error, leaseUntil: null, updatedAt: new Date(now).toISOString() }).where(eq(jobs.id, job.id)),
    );
    return 'dead';
  }
  const delay = Math.min(300_000, retryBaseMs * 2 ** (job.attempts - 1));
  await withTransaction(ctx, (c) =>
    c.db
      .update(jobs)
      .set({ status: 'queued', runAt: now + delay, lastError: error, leaseUntil: null, updatedAt: new Date(now).toISOString() })
      .where(eq(jobs.id, job.id)),
  );
  return 'retry';
}
