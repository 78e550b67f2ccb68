import { z } from 'zod';
import type { CoreContext } from '../context.ts';
import type { JobRow } from '../jobs/queue.ts';
import { PermanentJobError, type JobHandler } from '../jobs/worker.ts';
import { ZSourceFilter } from './handoff.types.ts';
import { draftProjectHandoff, HANDOFF_JOB, insertHandoff, loadProjectRow, loadRelayJob, markRelayJob } from './handoffs.ts';

const ZHandoffJob = z.object({ jobId: z.string() });
const ZHandoffJobInput = z.object({ sources: z.array(z.string()).nullable().optional(), filters: ZSourceFilter.nullable().optional() });

/** Flow Relay's background jobs: each has a name, a zod payload and a handler. */
export const RELAY_JOB_HANDLERS: Record<string, JobHandler> = {
  [HANDOFF_JOB]: async (ctx, job, helpers) => {
    const parsed = ZHandoffJob.safeParse(job.payload);
    if (!parsed.success) throw new PermanentJobError(`bad payload for ${job.name}: ${parsed.error.message}`);
    const relayJob = await loadRelayJob(ctx, parsed.data.jobId);
    // Gone with its project or org, or already done by an attempt that crashed after committing.
    if (!relayJob || relayJob.status === 'completed' || relayJob.status === 'failed') return;
    const project = await loadProjectRow(ctx, relayJob.projectId);
    if (!project) return;
    if (relayJob.status !== 'running') await markRelayJob(ctx, relayJob.id, { status: 'running' });
    const input = ZHandoffJobInput.safeParse(relayJob.input);
    if (!input.success) throw new PermanentJobError(`job ${relayJob.id} has an unreadable input: ${input.error.message}`);
    // The events are read and the handoff drafted outside the unit: it holds database work only.
    const draft = await draftProjectHandoff(ctx, project, input.data);
    // The handoff, the job's completion and the queue entry's removal are one commit.
    await helpers.commit(async (ctx) => {
      const handoff = await insertHandoff(ctx, project, draft, relayJob.userId);
      await markRelayJob(ctx, relayJob.id, { status: 'completed', resultKind: 'handoff', resultId: handoff.id, error: null, errorCode: null });
    });
  },
};

/**
 * A generation that failed every retry is recorded as failed on its job. The client gets a plain
 * message; the underlying error (which may quote SQL or paths) goes to the server log only.
 */
export function onRelayJobDead(ctx: CoreContext) {
  return async (job: JobRow, error: string): Promise<void> => {
    if (job.name !== HANDOFF_JOB) return;
    const jobId = (job.payload as { jobId?: string }).jobId;
    if (!jobId || !(await loadRelayJob(ctx, jobId))) return;
    ctx.logger.error('handoff generation failed', { jobId, attempts: job.attempts, error });
    await markRelayJob(ctx, jobId, {
      status: 'failed',
      error: `Handoff generation failed after ${job.attempts} attempt(s); the server log has the details (job ${jobId}).`,
      errorCode: 'generation_failed',
    });
  };
}
