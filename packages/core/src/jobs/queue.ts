import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { jobs, notify, rawInsert, skipLocked, type PendingInserts } from '@baton/db';
import { afterCommit, withTransaction, type CoreContext } from '../context.ts';
import { newTimeOrderedId } from '../util/ids.ts';

export type JobRow = typeof jobs.$inferSelect;

/** Where nodes announce jobs that are due now, so idle workers anywhere wake at the commit. */
export const JOBS_CHANNEL = 'baton_jobs';

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
  await enqueueJobs(ctx, [input]);
}

const insertJobs = rawInsert('jobs', ['id', 'name', 'key', 'payload', 'run_at', 'max_attempts', 'created_at', 'updated_at'], 'ON CONFLICT DO NOTHING');

/**
 * enqueueJob for many jobs at once, in one statement (a batch of new runs, create-run.ts), added to
 * `into` when given, for the caller to write with its own.
 */
export async function enqueueJobs(ctx: CoreContext, inputs: readonly EnqueueInput[], into?: PendingInserts): Promise<void> {
  if (!inputs.length) return;
  const now = ctx.now();
  const at = now.toISOString();
  let due: string | undefined;
  const rows = inputs.map((input) => {
    const runAt = input.runAt ?? now;
    if (runAt.getTime() <= now.getTime()) due ??= input.name;
    return [newTimeOrderedId(), input.name, input.key ?? null, JSON.stringify(input.payload), runAt.getTime(), input.maxAttempts ?? 5, at, at];
  });
  await withTransaction(ctx, async (c) => {
    if (into) into.push([insertJobs, rows]);
    else await insertJobs.run(c.db, rows);
    // One wake-up for the batch: a woken worker leases every due job it can take.
    if (due) await notify(c.db, JOBS_CHANNEL, due);
  });
  if (due && ctx.wakeWorker) afterCommit(ctx, ctx.wakeWorker);
}

/** Removes a queued (not running) job by key, e.g. when its run is cancelled. */
export async function dropQueuedJob(ctx: CoreContext, key: string): Promise<void> {
  await withTransaction(ctx, (c) => c.db.delete(jobs).where(and(eq(jobs.key, key), eq(jobs.status, 'queued'))));
}

/**
 * A job's lease was taken over (it lapsed while this worker was stopped or cut off) or the job is
 * gone: whatever this worker was about to commit for it must not happen.
 */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lost the lease on job ${jobId}; another worker has it`);
    this.name = 'LeaseLostError';
  }
}

/** The lease this worker holds: a later lease of the same job (by anyone) has more attempts. */
const heldBy = (job: Pick<JobRow, 'id' | 'lockedBy' | 'attempts'>) =>
  and(eq(jobs.id, job.id), eq(jobs.status, 'leased'), eq(jobs.lockedBy, job.lockedBy ?? ''), eq(jobs.attempts, job.attempts));

/**
 * Leases up to `limit` due jobs for `owner` (a node id). On Postgres the due rows are locked with
 * SKIP LOCKED, so nodes leasing at once each take different jobs.
 */
export async function leaseDueJobs(ctx: CoreContext, limit: number, leaseMs: number, owner: string): Promise<JobRow[]> {
  if (limit <= 0) return [];
  const now = ctx.now().getTime();
  // Nothing due is the common case: find out on the reader, without opening a unit.
  const any = await ctx.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.status, 'queued'), lte(jobs.runAt, now)))
    .limit(1);
  if (!any.length) return [];
  return withTransaction(
    ctx,
    async (c) => {
      const due = await skipLocked(
        c.db
          .select({ id: jobs.id })
          .from(jobs)
          .where(and(eq(jobs.status, 'queued'), lte(jobs.runAt, now)))
          .orderBy(jobs.runAt, jobs.id)
          .limit(limit),
      );
      if (!due.length) return [];
      return c.db
        .update(jobs)
        .set({ status: 'leased', lockedBy: owner, leaseUntil: now + leaseMs, attempts: sql`${jobs.attempts} + 1`, updatedAt: new Date(now).toISOString() })
        .where(inArray(jobs.id, due.map((d) => d.id)))
        .returning();
    },
    'lease jobs',
  );
}

/**
 * Leases that lapsed (their worker died or stalled) go back to the queue, for any node to take.
 * At a node's start, live leases can be known dead too: `all` on a database one process owns
 * (store.exclusive), where any lease belongs to a previous run of this process; `owner` on a shared
 * one, for the leases held under this node's own id (a node id is one process at a time, so they
 * belong to its previous run).
 */
export async function reclaimLeases(ctx: CoreContext, opts: { all?: boolean; owner?: string } = {}): Promise<number> {
  const now = ctx.now().getTime();
  const lapsed = opts.all
    ? eq(jobs.status, 'leased')
    : opts.owner
      ? and(eq(jobs.status, 'leased'), or(lte(jobs.leaseUntil, now), eq(jobs.lockedBy, opts.owner)))
      : and(eq(jobs.status, 'leased'), lte(jobs.leaseUntil, now));
  // Checked on the reader first: a lapsed lease is rare, and the worker asks on every tick.
  if (!(await ctx.db.select({ id: jobs.id }).from(jobs).where(lapsed).limit(1)).length) return 0;
  const reclaimed = await withTransaction(ctx, async (c) => {
    const ids = await skipLocked(c.db.select({ id: jobs.id }).from(jobs).where(lapsed).limit(1000));
    if (!ids.length) return [];
    return c.db
      .update(jobs)
      .set({ status: 'queued', leaseUntil: null, lockedBy: null, updatedAt: new Date(now).toISOString() })
      .where(and(inArray(jobs.id, ids.map((r) => r.id)), lapsed))
      .returning({ id: jobs.id });
  });
  return reclaimed.length;
}

/** Inside a unit: throws LeaseLostError unless this worker still holds the job's lease (and locks its row). */
export async function assertLease(ctx: CoreContext, job: JobRow): Promise<void> {
  const held = await ctx.db.update(jobs).set({ lockedBy: job.lockedBy }).where(heldBy(job)).returning({ id: jobs.id });
  if (held.length !== 1) throw new LeaseLostError(job.id);
}

/** Extends a lease this worker holds; false when it was lost (the worker should stop the job). */
export async function extendLease(ctx: CoreContext, job: JobRow, leaseMs: number): Promise<boolean> {
  const held = await withTransaction(ctx, (c) =>
    c.db.update(jobs).set({ leaseUntil: ctx.now().getTime() + leaseMs }).where(heldBy(job)).returning({ id: jobs.id }),
  );
  return held.length === 1;
}

/**
 * A finished job is deleted: its outcome lives in the domain tables, written in the same unit. A
 * worker that lost the lease gets LeaseLostError, which rolls back the whole unit (the fence).
 */
export async function completeJob(ctx: CoreContext, job: JobRow): Promise<void> {
  await withTransaction(ctx, async (c) => {
    const gone = await c.db.delete(jobs).where(heldBy(job)).returning({ id: jobs.id });
    if (gone.length !== 1) throw new LeaseLostError(job.id);
  });
}

/** Puts a job this worker holds back in the queue without spending an attempt (shutdown). */
export async function releaseJob(ctx: CoreContext, job: JobRow): Promise<void> {
  const now = ctx.now().toISOString();
  await withTransaction(ctx, (c) =>
    c.db.update(jobs).set({ status: 'queued', leaseUntil: null, lockedBy: null, attempts: job.attempts - 1, updatedAt: now }).where(heldBy(job)),
  );
}

/**
 * Exponential backoff (base, 2×, 4×, … capped at 5 min); past maxAttempts the job is kept as failed.
 * Fenced like completion: a worker that lost the lease records nothing ('lost').
 */
export async function failJob(ctx: CoreContext, job: JobRow, error: string, retryBaseMs = 1000, opts: { permanent?: boolean } = {}): Promise<'retry' | 'dead' | 'lost'> {
  const now = ctx.now().getTime();
  const dead = opts.permanent || job.attempts >= job.maxAttempts;
  const delay = Math.min(300_000, retryBaseMs * 2 ** (job.attempts - 1));
  const updated = await withTransaction(ctx, (c) =>
    c.db
      .update(jobs)
      .set(
        dead
          ? { status: 'failed', lastError: error, leaseUntil: null, lockedBy: null, updatedAt: new Date(now).toISOString() }
          : { status: 'queued', runAt: now + delay, lastError: error, leaseUntil: null, lockedBy: null, updatedAt: new Date(now).toISOString() },
      )
      .where(heldBy(job))
      .returning({ id: jobs.id }),
  );
  if (!updated.length) return 'lost';
  return dead ? 'dead' : 'retry';
}
