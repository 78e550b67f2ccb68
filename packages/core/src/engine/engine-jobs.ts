import { z } from 'zod';
import type { CoreContext } from '../context.ts';
import type { JobRow } from '../jobs/queue.ts';
import { PermanentJobError, type JobHandler } from '../jobs/worker.ts';
import { expireApproval } from '../runs/decide-approval.ts';
import { finishRun } from '../runs/finish-run.ts';
import { advanceRun } from './advance-run.ts';

const ZRunJob = z.object({ runId: z.string() });
const ZApprovalJob = z.object({ approvalId: z.string() });

function payload<T>(schema: z.ZodType<T>, job: JobRow): T {
  const r = schema.safeParse(job.payload);
  if (!r.success) throw new PermanentJobError(`bad payload for ${job.name}: ${r.error.message}`);
  return r.data;
}

/** The engine's typed jobs: each has a name, a zod payload and a handler. */
export const ENGINE_JOB_HANDLERS: Record<string, JobHandler> = {
  'run.advance': (ctx, job, helpers) => advanceRun(ctx, payload(ZRunJob, job).runId, helpers),
  'approval.expire': async (ctx, job, helpers) => {
    const { approvalId } = payload(ZApprovalJob, job);
    await helpers.commit((ctx) => expireApproval(ctx, approvalId));
  },
};

/** A run step that failed every retry ends its run as failed, with the last error. */
export function onEngineJobDead(ctx: CoreContext) {
  return async (job: JobRow, error: string): Promise<void> => {
    if (job.name !== 'run.advance') return;
    const runId = (job.payload as { runId?: string }).runId;
    if (runId) await finishRun(ctx, runId, 'failed', { errorMessage: `Engine error after ${job.attempts} attempt(s): ${error}` });
  };
}
