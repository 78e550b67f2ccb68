import { withTransaction, type CoreContext } from '../context.ts';
import { hostname } from 'node:os';
import { assertLease, completeJob, extendLease, failJob, LeaseLostError, leaseDueJobs, reclaimLeases, releaseJob, type JobRow } from './queue.ts';

export interface JobHelpers {
  /**
   * Commits the handler's effects and the job's completion in one transaction: either both happen
   * or neither does, so a crash can neither lose the effects nor run them twice. Commits of jobs
   * finishing at the same time share one transaction (the SQLite writer lane's group commit); the
   * promise resolves once the commit is durable. fn does database work only, through the unit's
   * context it is given.
   */
  commit<T>(fn: (ctx: CoreContext) => Promise<T> | T): Promise<T>;
  /**
   * A unit of work for the handler's intermediate writes (e.g. a tool's record of an environment's
   * state): it commits only while this worker still holds the job's lease, else it throws
   * LeaseLostError and writes nothing.
   */
  fenced<T>(fn: (ctx: CoreContext) => Promise<T> | T): Promise<T>;
  /** Aborted when the process is shutting down, the work was cancelled or the lease was lost. */
  signal: AbortSignal;
}

export type JobHandler = (ctx: CoreContext, job: JobRow, helpers: JobHelpers) => Promise<void>;

/** Raised by a handler when a retry cannot help (e.g. the run is gone). */
export class PermanentJobError extends Error {}

export interface WorkerOptions {
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  /** First retry delay; each further retry doubles it. */
  retryBaseMs?: number;
  /** Who holds this worker's leases (the node id); defaults to the config's node id. */
  owner?: string;
  /** Called when a job has used up its attempts, to record the failure in the domain. */
  onDead?: (job: JobRow, error: string) => Promise<void> | void;
}

/**
 * Runs jobs from the durable queue. Idle, it sleeps until woken by an enqueue (or a slow poll for
 * scheduled jobs); it never holds a slot for a run that waits for a human.
 */
export class JobWorker {
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private readonly active = new Map<string, AbortController>();
  private idleWaiters: Array<() => void> = [];
  private ticking = false;

  constructor(
    private readonly ctx: CoreContext,
    private readonly handlers: Record<string, JobHandler>,
    private readonly opts: WorkerOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 4;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 500;
    this.owner = opts.owner ?? ctx.config?.nodeId ?? `${hostname()}-${process.pid}`;
  }
  private readonly owner: string;

  /**
   * Starts working. On a database this process owns, every lease found belongs to a previous run of
   * it and is taken back at once; on a shared one, so are the leases under this node's own id
   * (BATON_NODE_ID), while other nodes' leases are left to lapse.
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    const reclaimed = await reclaimLeases(this.ctx, this.ctx.store.exclusive ? { all: true } : { owner: this.owner });
    if (reclaimed) this.ctx.logger.info('resuming jobs interrupted by a previous stop', { jobs: reclaimed });
    this.wake();
  }

  /** Stops taking jobs and aborts running ones; their leases lapse and they run again later. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.active.values()) c.abort();
    await this.whenIdle();
  }

  whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  wake = (): void => {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.tick();
    });
  };

  private async tick(): Promise<void> {
    if (this.stopped) return;
    // One tick at a time; a wake-up during a tick is served by a tick right after it.
    if (this.ticking) {
      this.scheduled = false;
      this.again = true;
      return;
    }
    this.ticking = true;
    if (this.timer) clearTimeout(this.timer);
    try {
      const lapsed = await reclaimLeases(this.ctx);
      if (lapsed) this.ctx.logger.warn('took back jobs whose lease lapsed (a node stopped or stalled)', { jobs: lapsed });
      const batch = await leaseDueJobs(this.ctx, this.concurrency - this.running, this.leaseMs, this.owner);
      for (const job of batch) void this.run(job);
    } catch (e) {
      this.ctx.logger.error('job worker tick failed', { error: String(e) });
    } finally {
      this.ticking = false;
    }
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      this.wake();
    }
    this.timer = setTimeout(() => void this.tick(), this.pollMs);
    this.timer.unref();
  }
  private again = false;

  private async run(job: JobRow): Promise<void> {
    this.running++;
    const controller = new AbortController();
    this.active.set(job.id, controller);
    let lost = false;
    const heartbeat = setInterval(() => {
      extendLease(this.ctx, job, this.leaseMs).then(
        (held) => {
          if (held || lost) return;
          // Taken over while this worker was stalled: stop, its commit would be refused anyway.
          lost = true;
          this.ctx.logger.warn('lost the lease on a job; another worker took it over', { job: job.name, id: job.id });
          controller.abort();
        },
        (e) => this.ctx.logger.warn('lease heartbeat failed', { job: job.id, error: String(e) }),
      );
    }, Math.max(200, this.leaseMs / 3));
    heartbeat.unref();
    let committed = false;
    const helpers: JobHelpers = {
      signal: controller.signal,
      fenced: (fn) =>
        withTransaction(
          this.ctx,
          async (ctx) => {
            await assertLease(ctx, job);
            return fn(ctx);
          },
          job.name,
        ),
      commit: async (fn) => {
        const out = await withTransaction(
          this.ctx,
          async (ctx) => {
            // Completed first, so the handler may queue a successor under the same key; a lost
            // lease throws here and takes the handler's effects down with the unit.
            await completeJob(ctx, job);
            return fn(ctx);
          },
          job.name,
        );
        committed = true;
        return out;
      },
    };
    try {
      const handler = this.handlers[job.name];
      if (!handler) throw new PermanentJobError(`no handler for job "${job.name}"`);
      await handler(this.ctx, job, helpers);
      if (!committed) await completeJob(this.ctx, job);
    } catch (e) {
      try {
        if (e instanceof LeaseLostError || lost) {
          // Another worker has the job now; it does the work and records the outcome.
          this.ctx.logger.warn('job abandoned: its lease was taken over', { job: job.name, id: job.id });
        } else if (this.stopped && controller.signal.aborted) {
          // Interrupted by shutdown, not failed: queue it again without spending an attempt.
          await releaseJob(this.ctx, job);
        } else {
          const message = e instanceof Error ? e.message : String(e);
          const outcome = await failJob(this.ctx, job, message, this.opts.retryBaseMs, { permanent: e instanceof PermanentJobError });
          this.ctx.logger.warn('job failed', { job: job.name, id: job.id, attempt: job.attempts, outcome, error: message });
          if (outcome === 'dead') await this.opts.onDead?.(job, message);
        }
      } catch (recordError) {
        // The database refused even the bookkeeping: the lease lapses and the job runs again later.
        this.ctx.logger.error('could not record a job failure', { job: job.name, id: job.id, error: String(recordError) });
      }
    } finally {
      clearInterval(heartbeat);
      this.active.delete(job.id);
      this.running--;
      if (this.running === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        waiters.forEach((w) => w());
      }
      this.wake();
    }
  }
}
