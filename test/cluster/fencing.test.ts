import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../helpers/embedded-postgres.ts';
import { expectMkContract } from '../helpers/contract.ts';
import { startFakeServer, type FakeServer } from '../helpers/fake-http.ts';
import { createProject, createUser, type TestUser } from '../helpers/factories.ts';
import { configureEnvironment, createRunVia, getRun, pendingApproval, waitForApproval, waitForRun } from '../helpers/runs.ts';
import { openSse, type SseStream } from '../helpers/sse.ts';
import {
  dumpLogs,
  expectOneStory,
  expectStreamMatches,
  loggedErrors,
  peekDatabase,
  problemOf,
  startClusterLlm,
  startNodes,
  stopNodes,
  until,
  type BatonNode,
  type ClusterLlm,
  type DbPeek,
  type Hold,
} from './helpers.ts';

/**
 * Fencing: a worker frozen (SIGSTOP) past its lease while it holds run steps. Another node takes
 * the steps over once the leases lapse and carries the runs on; then the frozen worker wakes up
 * (SIGCONT) still in the middle of those steps. Whatever it does then must change nothing: each
 * step's effects happen once, by the node that holds the lease.
 *
 * Three steps are frozen with it:
 * - a model call whose answer is already waiting when the worker wakes,
 * - a model call still unanswered when it wakes (its heartbeat finds the lease gone and aborts it),
 * - a deploy whose hook has not answered when it wakes (the aborted call is a failed deploy, which
 *   the worker then tries to commit: the fence at completion must refuse it).
 */

let llm: ClusterLlm;
let hook: FakeServer;
let releaseHook: () => void = () => {};
let hookArrived: () => void = () => {};
const firstHookCall = new Promise<void>((r) => (hookArrived = r));
let nodes: BatonNode[] = [];
let a: BatonNode, b: BatonNode;
let peek: DbPeek;
const holds: Hold[] = [];
const streams: SseStream[] = [];

beforeAll(async () => {
  llm = await startClusterLlm({
    default: {
      delayMs: 20,
      buildTurns: [[{ name: 'write_file', arguments: { path: 'a.txt', content: 'alpha\n' } }]],
      planSteps: [{ stage: 'verify', tool: 'list_files', args: { path: '.' }, description: 'List the workspace' }],
    },
    // Changes nothing in build; deploys to staging (asks under "assist").
    deploy: { delayMs: 20, buildTurns: [], planSteps: [{ stage: 'deploy', tool: 'deploy', args: { environment: 'staging' }, description: 'Deploy to staging' }] },
  });
  // The deploy hook: the first call hangs until released, later ones answer at once.
  const gate = new Promise<void>((r) => (releaseHook = r));
  let hookCalls = 0;
  hook = await startFakeServer(async () => {
    if (++hookCalls === 1) {
      hookArrived();
      await gate;
    }
    return { status: 200, body: { deployed: true } };
  });
  const databaseUrl = await createTestDatabase(inject('pgAdminUrl'), 'baton_cluster');
  peek = peekDatabase(databaseUrl);
  nodes = await startNodes(['node-a', 'node-b'], databaseUrl, { BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1', BATON_ALLOW_PRIVATE_URLS: 'true' });
  [a, b] = nodes as [BatonNode, BatonNode];
});

afterAll(async () => {
  for (const h of holds) h.release();
  releaseHook();
  for (const s of streams) s.close();
  dumpLogs(nodes);
  await stopNodes(nodes);
  await peek?.close();
  await llm?.close();
  await hook?.close();
});

describe('a worker stopped past its lease', () => {
  it('loses its steps to another node, and on waking changes nothing: every effect happens once', async () => {
    const user: TestUser = await createUser(a.call);
    const auth = { cookie: user.cookie };
    // The org stays at "assist": once carried on, two of the runs wait for a person at the write,
    // so the frozen worker wakes up while they are still under way.
    const project = await createProject(a.call, auth, { name: 'Fenced' });
    await configureEnvironment(a.call, auth, project.id, 'staging', { deployHookUrl: `${hook.url}/hooks/staging` });
    const staging = async () => {
      const res = await b.call('GET', `/api/v1/projects/${project.id}/environments`, auth);
      expect(res.status).toBe(200);
      expectMkContract('GET', '/projects/{id}/environments', 200, res.body);
      return res.body.data.environments.find((e: any) => e.name === 'staging');
    };

    // Node A alone takes the three steps (B is frozen meanwhile, holding nothing).
    const answered = llm.hold('[fence-answered]', 'submit_scope');
    const unanswered = llm.hold('[fence-unanswered]', 'submit_scope');
    holds.push(answered, unanswered);
    b.pause();
    let x, y, d;
    try {
      x = await createRunVia(a.call, auth, { requestText: 'Add a.txt [fence-answered]' });
      y = await createRunVia(a.call, auth, { requestText: 'Add a.txt [fence-unanswered]' });
      d = await createRunVia(a.call, auth, { requestText: 'Ship it [script:deploy] [fence-deploy]', projectId: project.id });
      const deployAsk = pendingApproval(await waitForApproval(a.call, auth, d.id, 30_000));
      expect(deployAsk?.actionSummary).toMatch(/Deploy to staging/);
      expect((await a.call('POST', `/api/v1/runs/${d.id}/approve`, { ...auth, body: { approvalId: deployAsk.id } })).status).toBe(200);
      // A is in the middle of all three: the model and the hook have the requests, unanswered.
      await Promise.all([answered.arrived, unanswered.arrived, firstHookCall]);
    } finally {
      b.resume();
    }
    const runs = [x, y, d];
    for (const run of runs) expect(await peek.runJob(run.id), run.requestText).toMatchObject({ status: 'leased', lockedBy: 'node-a' });

    // Streams on B: what they show must be exactly the runs' events.
    for (const run of runs) {
      const s = await openSse(`${b.url}/api/v1/runs/${run.id}/stream`, { cookie: user.cookie });
      expect(s.status).toBe(200);
      streams.push(s);
    }

    // Freeze A holding the three steps. Its leases lapse (30 s by default); B takes the steps over.
    a.pause();
    const waiting = await Promise.all([x, y].map((run) => waitForApproval(b.call, auth, run.id, 90_000)));
    for (const run of waiting) {
      expect(pendingApproval(run), `${run.id} is ${run.status}: ${run.errorMessage}`).toBeTruthy();
      expect(run.status).toBe('build');
    }
    const deployed = await waitForRun(b.call, auth, d.id, undefined, 90_000);
    expect(deployed.status, deployed.errorMessage).toBe('completed');
    expect(llm.callCount('[fence-answered]', 'submit_scope')).toBe(2);
    expect(llm.callCount('[fence-unanswered]', 'submit_scope')).toBe(2);
    expect(hook.requests).toHaveLength(2);
    const envBefore = await staging();
    expect(envBefore.status).toBe('active');
    const beforeWake = await Promise.all(runs.map((run) => getRun(b.call, auth, run.id)));

    // The answer to A's first scope call is waiting for it when it wakes; the other two are not.
    answered.release();
    a.resume();
    // A notices, for each step, that the lease is gone and gives the step up.
    await until(() => a.logs().filter((l) => l.msg === 'job abandoned: its lease was taken over').length >= 3, {
      timeoutMs: 30_000,
      what: () => `node-a to abandon its three steps; its log:\n${a.output().slice(-5000)}`,
    });
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);

    // Nothing A did after waking reached the database: everything is as B left it. (Every problem
    // is collected, and the runs are still taken to their end, before the test fails.)
    const problems: string[] = [];
    const afterWake = await Promise.all(runs.map((run) => getRun(a.call, auth, run.id)));
    for (const [i, run] of afterWake.entries()) {
      expectMkContract('GET', '/runs/{id}', 200, { data: run });
      problems.push(...problemOf(() => expectOneStory(run)));
      const stale = run.events.slice(beforeWake[i]!.events.length).map((e: any) => `${e.sequenceNumber}:${e.eventType} ${JSON.stringify(e.data)}`);
      if (stale.length) problems.push(`node-a's stale step added events to run "${run.requestText}" after waking: ${stale.join('; ')}`);
      expect(run.approvals.map((p: any) => p.id)).toEqual(beforeWake[i]!.approvals.map((p: any) => p.id));
      expect(run.events.filter((e: any) => e.eventType === 'artifact_created' && e.data.kind === 'scope')).toHaveLength(1);
    }
    const envAfter = await staging();
    if (envAfter.status !== envBefore.status || envAfter.lastDeployedAt !== envBefore.lastDeployedAt) {
      problems.push(
        `node-a's stale deploy step changed the staging environment after waking: status ${envBefore.status} → ${envAfter.status}, lastDeployedAt ${envBefore.lastDeployedAt} → ${envAfter.lastDeployedAt} (the deploy that B committed succeeded)`,
      );
    }

    // The two waiting runs finish normally, approved on either node, the woken one included.
    for (const [i, run] of afterWake.slice(0, 2).entries()) {
      const via = i === 0 ? a : b;
      const res = await via.call('POST', `/api/v1/runs/${run.id}/approve`, { ...auth, body: { approvalId: pendingApproval(run).id } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const done = await Promise.all(runs.map((run) => waitForRun(a.call, auth, run.id, undefined, 60_000)));
    for (const [i, run] of done.entries()) {
      expect(run.status, run.errorMessage).toBe('completed');
      problems.push(...problemOf(() => expectOneStory(run)));
      const transitions = run.events.filter((e: any) => e.eventType === 'stage_transition').map((e: any) => e.data.to);
      expect(transitions).toEqual(['intake', 'clarify', 'scope', 'plan', 'build', 'verify', 'deploy', 'monitor', 'completed']);
      const s = streams[i]!;
      await until(() => s.closed, { timeoutMs: 20_000, what: `the stream of ${run.id} to end` });
      expectStreamMatches(s.events, run);
    }
    for (const n of nodes) expect(loggedErrors(n), n.id).toEqual([]);
    expect(problems).toEqual([]);
  }, 180_000);
});
