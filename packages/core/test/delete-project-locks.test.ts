import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { openStore, runEvents, runs, SCHEMA_DIALECT, type Store } from '@baton/db';
import { createTestDatabase } from '../../../test/helpers/embedded-postgres.ts';
import { createConsoleLogger, createCoreContext, withTransaction, type Actor, type CoreContext } from '../src/context.ts';
import { appendRunEvent } from '../src/runs/append-events.ts';
import { createRun } from '../src/runs/create-run.ts';
import { createProject } from '../src/projects/create-project.ts';
import { deleteProject } from '../src/projects/delete-project.ts';
import { createOrg } from '../src/orgs/create-org.ts';
import { deleteOrg } from '../src/orgs/delete-org.ts';
import { registerUser } from '../src/users/register-user.ts';

/**
 * A project deleted while an engine step is half-way through one of its runs. The step takes its
 * run, then writes a line in the project; the delete's cascade alone would take the project, then
 * its runs: on Postgres each would hold what the other waits for, and the database would abort one
 * after deadlock_timeout (a second) for Store.unit to run again. deleteProject takes the project's
 * runs first, so it simply waits for the step. On SQLite units run one at a time, and the same
 * outcome holds.
 */
let dir: string;
let store: Store;
let ctx: CoreContext;
let alice: Actor;
let orgId: string;
const retries: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-delete-locks-'));
  const databaseUrl = SCHEMA_DIALECT === 'postgres' ? await createTestDatabase(inject('pgAdminUrl'), 'baton_delete_locks') : null;
  store = await openStore({
    databaseUrl,
    file: join(dir, 'baton.db'),
    synchronous: 'NORMAL',
    onUnitRetry: (attempt, label, error) => retries.push(`${label ?? 'unit'} attempt ${attempt}: ${String(error)}`),
  });
  ctx = createCoreContext({
    store,
    logger: createConsoleLogger('silent'),
    now: () => new Date(),
    config: { nodeId: 'test', engine: { driver: 'local' } } as unknown as CoreContext['config'],
  });
  const registered = await registerUser(ctx, { email: 'alice@example.test', name: 'Alice', passwordHash: 'not-used' });
  alice = { userId: registered.user.id, via: 'session' };
  orgId = registered.organization.id;
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * An engine step, as the worker runs one: it updates its run, and (after its model call, here held
 * until finishAfterAWhile) appends an event, which also writes a context line in the run's project.
 * Resolves once the step holds its run.
 */
async function stepHoldingRun(runId: string) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let attempts = 0;
  let holds!: () => void;
  const holding = new Promise<void>((r) => (holds = r));
  const done = withTransaction(ctx, async (c) => {
    attempts++;
    await c.db.update(runs).set({ stageStartedAt: c.now().toISOString() }).where(eq(runs.id, runId));
    holds();
    await gate;
    await appendRunEvent(c, runId, { eventType: 'stage_transition', data: { from: 'intake', to: 'clarify' } });
  });
  await holding;
  return {
    done,
    attempts: () => attempts,
    /** Lets the step go on once the delete started meanwhile has had time to reach the rows the step holds. */
    finishAfterAWhile: async () => {
      await new Promise((r) => setTimeout(r, 300));
      release();
    },
  };
}

describe(`deleting a project during an engine step (${SCHEMA_DIALECT})`, () => {
  it('waits for the step: both commit once, no deadlock, the run keeps its events without the project', async () => {
    const project = await createProject(ctx, alice, orgId, { name: 'Doomed' });
    const run = await createRun(ctx, alice, orgId, { requestText: 'Add a health check', projectId: project.id });
    expect(run.projectId).toBe(project.id);

    const step = await stepHoldingRun(run.id);
    const deleted = deleteProject(ctx, alice, orgId, project.id);
    await step.finishAfterAWhile();

    await expect(step.done).resolves.toBeUndefined();
    await expect(deleted).resolves.toEqual({ deleted: true, id: project.id });
    expect(retries).toEqual([]);
    expect(step.attempts()).toBe(1);
    const [row] = await store.reader.select({ projectId: runs.projectId, lastSeq: runs.lastSeq }).from(runs).where(eq(runs.id, run.id));
    expect(row).toEqual({ projectId: null, lastSeq: 2 });
    const events = await store.reader
      .select({ seq: runEvents.sequenceNumber, type: runEvents.eventType })
      .from(runEvents)
      .where(eq(runEvents.runId, run.id))
      .orderBy(asc(runEvents.sequenceNumber));
    expect(events).toEqual([
      { seq: 1, type: 'stage_transition' },
      { seq: 2, type: 'stage_transition' },
    ]);
  });
});

describe(`deleting an org during an engine step (${SCHEMA_DIALECT})`, () => {
  it('waits for the step: both commit once, no deadlock, and the org goes with its runs', async () => {
    const org = await createOrg(ctx, { name: 'Short-lived', ownerUserId: alice.userId });
    const project = await createProject(ctx, alice, org.id, { name: 'Inside' });
    const run = await createRun(ctx, alice, org.id, { requestText: 'Add a health check', projectId: project.id });

    const step = await stepHoldingRun(run.id);
    const deleted = deleteOrg(ctx, alice, org.id);
    await step.finishAfterAWhile();

    await expect(step.done).resolves.toBeUndefined();
    await expect(deleted).resolves.toEqual({ deleted: true, id: org.id });
    expect(retries).toEqual([]);
    expect(step.attempts()).toBe(1);
    expect(await store.reader.select({ id: runs.id }).from(runs).where(eq(runs.orgId, org.id))).toEqual([]);
    expect(await store.reader.select({ id: runEvents.id }).from(runEvents).where(eq(runEvents.runId, run.id))).toEqual([]);
  });
});
