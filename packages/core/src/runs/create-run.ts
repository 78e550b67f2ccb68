import { runs } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from '../projects/get-project.ts';
import { newId } from '../util/ids.ts';
import { appendRunEvent } from './append-events.ts';
import { runJobKey } from './finish-run.ts';
import { renderRun } from './render-run.ts';
import type { TCreateRunInput } from './run.types.ts';

/** Creates a run in `intake` and hands it to the engine, in one commit. */
export function createRun(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TCreateRunInput) {
  const access = resolveActiveOrg(ctx, actor, activeOrgId);
  requireRole(access, 'member');
  if (input.projectId) loadProject(ctx, access, input.projectId);
  return withTransaction(ctx, () => {
    const now = ctx.now().toISOString();
    const run = ctx.db
      .insert(runs)
      .values({
        id: newId(),
        orgId: access.org.id,
        projectId: input.projectId ?? null,
        userId: actor.userId,
        status: 'intake',
        stageStartedAt: now,
        requestText: input.requestText,
        driver: ctx.config.engine.driver,
        createdAt: now,
      })
      .returning()
      .get();
    appendRunEvent(ctx, run.id, { eventType: 'stage_transition', data: { from: null, to: 'intake' } });
    enqueueJob(ctx, { name: 'run.advance', key: runJobKey(run.id), payload: { runId: run.id } });
    return renderRun(run);
  });
}
