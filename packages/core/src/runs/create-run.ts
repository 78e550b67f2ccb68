import { sql } from 'drizzle-orm';
import { preparedQuery, runs } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { requireRole, resolveActiveOrg } from '../orgs/access.ts';
import { loadProject } from '../projects/get-project.ts';
import { newId } from '../util/ids.ts';
import { appendFirstRunEvent } from './append-events.ts';
import { runJobKey } from './finish-run.ts';
import { renderRun } from './render-run.ts';
import type { TCreateRunInput } from './run.types.ts';

// Prepared once per handle: building and preparing the insert on every POST /runs cost more than
// running it (a quarter of the request, profiled).
const insertRun = (ctx: CoreContext) =>
  preparedQuery(ctx.db, 'insertRun', (db) =>
    db
      .insert(runs)
      .values({
        id: sql.placeholder('id'),
        orgId: sql.placeholder('orgId'),
        projectId: sql.placeholder('projectId'),
        userId: sql.placeholder('userId'),
        status: 'intake',
        stageStartedAt: sql.placeholder('now'),
        requestText: sql.placeholder('requestText'),
        driver: sql.placeholder('driver'),
        createdAt: sql.placeholder('now'),
        // Its first event (appendFirstRunEvent below) is written in this unit.
        lastSeq: 1,
      })
      .returning(),
  );

/** Creates a run in `intake` and hands it to the engine, in one commit. */
export async function createRun(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TCreateRunInput) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  requireRole(access, 'member');
  return withTransaction(ctx, async (ctx) => {
    // In the unit: the project is still there when the run that names it is inserted.
    if (input.projectId) await loadProject(ctx, access, input.projectId);
    const now = ctx.now().toISOString();
    const run = (await insertRun(ctx).get({
      id: newId(),
      orgId: access.org.id,
      projectId: input.projectId ?? null,
      userId: actor.userId,
      requestText: input.requestText,
      driver: ctx.config.engine.driver,
      now,
    }))!;
    const facts = { org_id: run.orgId, project_id: run.projectId, user_id: run.userId, request_text: run.requestText };
    await appendFirstRunEvent(ctx, run.id, { eventType: 'stage_transition', data: { from: null, to: 'intake' } }, facts);
    await enqueueJob(ctx, { name: 'run.advance', key: runJobKey(run.id), payload: { runId: run.id } });
    return renderRun(run);
  });
}
