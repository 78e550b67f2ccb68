import { BatchLane, insertTogether, rawInsert, type PendingInserts, type runs, type Settled } from '@baton/db';
import { inUnit, withTransaction, type Actor, type CoreContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { enqueueJobs } from '../jobs/queue.ts';
import { requireRole, resolveActiveOrg, type OrgAccess } from '../orgs/access.ts';
import { loadProject } from '../projects/get-project.ts';
import { newTimeOrderedId } from '../util/ids.ts';
import { appendFirstRunEvents } from './append-events.ts';
import { runJobKey } from './finish-run.ts';
import { renderRun } from './render-run.ts';
import type { TCreateRunInput, TRun } from './run.types.ts';

interface Creation {
  actor: Actor;
  access: OrgAccess;
  input: TCreateRunInput;
}

/**
 * POST /runs from many callers at once is one unit with one statement per table, not a unit each.
 * On Postgres each unit cost about 2 ms of CPU in the node and 2 in the database, mostly per
 * statement and per round trip rather than per row (measured with 10 clients: 419 req/s, both
 * processes busy). There a batch of runs without a project only inserts, so its unit is one
 * statement, sent and committed in one round trip (packages/db/src/postgres.ts runPgUnit). One
 * batch at a time per core context (a server has one): two in flight made smaller batches and
 * measured no faster.
 */
const lanes = new WeakMap<CoreContext, BatchLane<Creation, TRun>>();
const laneOf = (ctx: CoreContext) => {
  let lane = lanes.get(ctx);
  if (!lane) lanes.set(ctx, (lane = new BatchLane((batch) => createRuns(ctx, batch))));
  return lane;
};

const insertRuns = rawInsert('runs', ['id', 'org_id', 'project_id', 'user_id', 'status', 'stage_started_at', 'request_text', 'driver', 'last_seq', 'created_at']);

/** Creates a run in `intake` and hands it to the engine, in one commit. */
export async function createRun(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TCreateRunInput): Promise<TRun> {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  requireRole(access, 'member');
  const creation: Creation = { actor, access, input };
  if (!inUnit(ctx)) return laneOf(ctx).submit(creation);
  // Inside a caller's unit the run is written in that unit, with everything else it does.
  const [settled] = await createRuns(ctx, [creation]);
  if (!settled || 'error' in settled) throw settled?.error;
  return settled.value;
}

/** Creates the runs of a batch: each caller's run, or the error only its creation met. */
async function createRuns(ctx: CoreContext, creations: Creation[]): Promise<Array<Settled<TRun>>> {
  const settled: Array<Settled<TRun>> = [];
  // Projects are checked before the unit, so that the unit does no read before its writes.
  const accepted: Array<{ at: number; c: Creation }> = [];
  for (const [at, refused] of (await checkProjects(ctx, creations)).entries()) {
    if (refused) settled[at] = { error: refused };
    else accepted.push({ at, c: creations[at]! });
  }
  if (!accepted.length) return settled;
  try {
    await writeRuns(ctx, accepted, settled);
  } catch (error) {
    // A project deleted since its check fails the unit on its foreign key. Checked again, what is
    // gone now is a 404 for the callers that named it, and the others are written without them
    // (at least one fewer each time, so this ends). Inside a caller's unit nothing can be retried.
    if (inUnit(ctx) || !accepted.some(({ c }) => c.input.projectId)) throw error;
    const again = await checkProjects(
      ctx,
      accepted.map(({ c }) => c),
    );
    if (!again.some(Boolean)) throw error;
    const rest = await createRuns(
      ctx,
      accepted.filter((_, i) => !again[i]).map(({ c }) => c),
    );
    let next = 0;
    for (const [i, { at }] of accepted.entries()) settled[at] = again[i] ? { error: again[i] } : rest[next++]!;
  }
  return settled;
}

/** For each creation, the 404 its project answers (another org's, or none), or undefined; one read per project. */
async function checkProjects(ctx: CoreContext, creations: readonly Creation[]): Promise<Array<AppError | undefined>> {
  const checks = new Map<string, Promise<AppError | undefined>>();
  return Promise.all(
    creations.map((c) => {
      if (!c.input.projectId) return undefined;
      const key = `${c.access.org.id}/${c.input.projectId}`;
      let check = checks.get(key);
      if (!check) {
        check = loadProject(ctx, c.access, c.input.projectId).then(
          () => undefined,
          (e: unknown) => {
            if (e instanceof AppError) return e;
            throw e;
          },
        );
        checks.set(key, check);
      }
      return check;
    }),
  );
}

/** The runs of `accepted`, each with its first event, its context line and its engine job, in one unit; their results into `settled`. */
async function writeRuns(ctx: CoreContext, accepted: ReadonlyArray<{ at: number; c: Creation }>, settled: Array<Settled<TRun>>): Promise<void> {
  await withTransaction(ctx, async (ctx) => {
    const created: Array<{ at: number; run: typeof runs.$inferSelect }> = [];
    for (const { at, c } of accepted) {
      const now = ctx.now().toISOString();
      created.push({
        at,
        run: {
          id: newTimeOrderedId(),
          orgId: c.access.org.id,
          projectId: c.input.projectId ?? null,
          userId: c.actor.userId,
          status: 'intake',
          stageStartedAt: now,
          stageHistory: [],
          requestText: c.input.requestText,
          scopeArtifact: null,
          planArtifact: null,
          totalCreditsUsed: 0,
          totalTokensInput: 0,
          totalTokensOutput: 0,
          parentRunId: null,
          modelUsed: null,
          errorMessage: null,
          driver: ctx.config.engine.driver,
          // Its first event (appendFirstRunEvents below) is written in this unit.
          lastSeq: 1,
          engineState: {},
          createdAt: now,
          completedAt: null,
        },
      });
    }
    // The other columns take their defaults, which the rows above repeat.
    const writes: PendingInserts = [
      [insertRuns, created.map(({ run: r }) => [r.id, r.orgId, r.projectId, r.userId, r.status, r.stageStartedAt, r.requestText, r.driver, r.lastSeq, r.createdAt])],
    ];
    await appendFirstRunEvents(
      ctx,
      created.map(({ run }) => ({
        runId: run.id,
        event: { eventType: 'stage_transition', data: { from: null, to: 'intake' } },
        run: { org_id: run.orgId, project_id: run.projectId, user_id: run.userId, request_text: run.requestText },
      })),
      writes,
    );
    await enqueueJobs(
      ctx,
      created.map(({ run }) => ({ name: 'run.advance', key: runJobKey(run.id), payload: { runId: run.id } })),
      writes,
    );
    // Runs, first events, context lines and jobs: one statement on Postgres.
    await insertTogether(ctx.db, writes);
    for (const { at, run } of created) settled[at] = { value: renderRun(run) };
  });
}
