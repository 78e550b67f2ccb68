import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { startFakeServer, type FakeServer } from '../../../test/helpers/fake-http.ts';
import { startFakeLlm, type FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { createApiKey, createProject, createUser } from '../../../test/helpers/factories.ts';
import { configureEnvironment, createRunVia, pendingApproval, setAutonomy, waitForApproval, waitForRun } from '../../../test/helpers/runs.ts';

/*
 * A run says what it did: each stage's result (done or skipped, and why) in stageHistory, and a
 * one-line outcome for the finished run. Nothing is "done" that did not happen.
 */

const REQUEST = 'Add /healthz and deploy to staging';

const stage = (run: any, name: string) => run.stageHistory.find((h: any) => h.stage === name);

describe('stage results and outcome, local driver', () => {
  let srv: TestServer;
  let call: Call;
  let hook: FakeServer;

  beforeAll(async () => {
    hook = await startFakeServer(() => ({ status: 200, body: { ok: true } }));
    // The fake deploy hook and health URL are on 127.0.0.1.
    srv = await startTestServer({ BATON_ALLOW_PRIVATE_URLS: 'true' });
    call = client(srv.url);
  });
  afterAll(async () => {
    await srv.close();
    await hook.close();
  });

  async function newTenant(level: 'autopilot' | 'act') {
    const user = await createUser(call);
    const auth = { token: (await createApiKey(call, user, 'mk_live')).key };
    await setAutonomy(call, auth, user.orgId, level);
    const project = await createProject(call, auth);
    return { user, auth, project };
  }

  it('without a deploy hook: completed, no code changes, deploy and monitor skipped with the reason', async () => {
    const { auth, project } = await newTenant('autopilot');
    const created = await createRunVia(call, auth, { requestText: REQUEST, projectId: project.id });
    const res = await call('GET', `/api/v1/runs/${created.id}`, auth);
    expect(res.status).toBe(200);
    const run = await waitForRun(call, auth, created.id);
    expect(run.status, run.errorMessage).toBe('completed');
    expectMkContract('GET', '/runs/{id}', 200, { data: run });

    expect(run.stageHistory.map((h: any) => [h.stage, h.result])).toEqual([
      ['intake', 'done'],
      ['clarify', 'done'],
      ['scope', 'done'],
      ['plan', 'done'],
      ['build', 'done'],
      ['verify', 'done'],
      ['deploy', 'skipped'],
      ['monitor', 'skipped'],
    ]);
    expect(stage(run, 'build').summary).toMatch(/^no code changes: the local driver only records the request \(in \.baton\/runs\/.+\.md\)$/);
    expect(stage(run, 'build').changedFiles).toEqual([]);
    expect(stage(run, 'verify').summary).toBe('2 of 2 checks passed');
    expect(stage(run, 'deploy').summary).toBe('no deploy hook configured for staging');
    expect(stage(run, 'monitor').summary).toBe('no URL configured for staging');
    expect(run.outcome).toBe('Completed — no code changes; deploy skipped (no deploy hook configured for staging)');
    expect(run.pendingApprovalId).toBeNull();
    // The plan says why up front, too.
    expect(run.planArtifact.skippedStages).toEqual({ deploy: 'no deploy hook configured for staging', monitor: 'no URL configured for staging' });
    // The final transition carries the outcome (and so does the project's context stream).
    const last = run.events.at(-1);
    expect(last).toMatchObject({ eventType: 'stage_transition', data: { from: 'monitor', to: 'completed', result: 'skipped', outcome: run.outcome } });
    const skip = run.events.find((e: any) => e.eventType === 'stage_transition' && e.data.from === 'deploy');
    expect(skip.data).toMatchObject({ to: 'monitor', result: 'skipped', summary: 'no deploy hook configured for staging' });

    // The list and the replay say the same.
    const list = await call('GET', `/api/v1/runs?projectId=${project.id}`, auth);
    expectMkContract('GET', '/runs', 200, list.body);
    expect(list.body.data.runs[0]).toMatchObject({ id: run.id, outcome: run.outcome, pendingApprovalId: null });
    expect(list.body.data.runs[0].stageHistory).toEqual(run.stageHistory);
    const replay = await call('GET', `/api/v1/runs/${run.id}/replay`, auth);
    expectMkContract('GET', '/runs/{id}/replay', 200, replay.body);
    expect(replay.body.data.run.stageHistory).toEqual(run.stageHistory);
  });

  it('with a deploy hook and a URL: deploy done (the hook was called) and monitor done', async () => {
    const { auth, project } = await newTenant('autopilot');
    await configureEnvironment(call, auth, project.id, 'staging', { deployHookUrl: `${hook.url}/hooks/staging`, url: `${hook.url}/healthz` });
    const created = await createRunVia(call, auth, { requestText: REQUEST, projectId: project.id });
    const run = await waitForRun(call, auth, created.id);
    expect(run.status, run.errorMessage).toBe('completed');
    expectMkContract('GET', '/runs/{id}', 200, { data: run });

    expect(hook.requests.filter((r) => r.method === 'POST' && r.path === '/hooks/staging')).toHaveLength(1);
    expect(stage(run, 'deploy')).toMatchObject({ result: 'done', summary: 'deployed to staging' });
    expect(stage(run, 'monitor')).toMatchObject({ result: 'done', summary: 'staging is healthy (HTTP 200)' });
    expect(run.outcome).toBe('Completed — no code changes; deployed to staging; staging is healthy (HTTP 200)');
  });

  it('a failed run names the stage it stopped in and why', async () => {
    const { auth, project } = await newTenant('autopilot');
    const down = await startFakeServer(() => ({ status: 503, body: { error: 'down' } }));
    try {
      await configureEnvironment(call, auth, project.id, 'staging', { deployHookUrl: `${down.url}/hooks/staging` });
      const created = await createRunVia(call, auth, { requestText: REQUEST, projectId: project.id });
      const run = await waitForRun(call, auth, created.id);
      expect(run.status).toBe('failed');
      expectMkContract('GET', '/runs/{id}', 200, { data: run });
      expect(stage(run, 'deploy')).toMatchObject({ result: 'failed', summary: run.errorMessage });
      expect(run.outcome).toBe(`Failed at deploy: ${run.errorMessage}`);
    } finally {
      await down.close();
    }
  });

  it('a run waiting for approval carries pendingApprovalId in the list and the detail, until it is decided', async () => {
    const { auth, project } = await newTenant('act');
    await configureEnvironment(call, auth, project.id, 'staging', { deployHookUrl: `${hook.url}/hooks/staging` });
    const created = await createRunVia(call, auth, { requestText: REQUEST, projectId: project.id });
    const waiting = await waitForApproval(call, auth, created.id);
    const approval = pendingApproval(waiting);
    expect(approval.actionSummary).toBe('Deploy to staging');
    expect(waiting).toMatchObject({ status: 'deploy', pendingApprovalId: approval.id, outcome: null });
    const list = await call('GET', `/api/v1/runs?projectId=${project.id}`, auth);
    expectMkContract('GET', '/runs', 200, list.body);
    expect(list.body.data.runs[0]).toMatchObject({ id: created.id, status: 'deploy', pendingApprovalId: approval.id });

    // Without approvalId the error says where to find it.
    const missing = await call('POST', `/api/v1/runs/${created.id}/approve`, { ...auth, body: {} });
    expect(missing.status).toBe(400);
    expectErrorBody(missing.body);
    expect(missing.body.error).toMatch(/^approvalId: required: .*pendingApprovalId.*"pending".*`approvals`.*approval_requested/);
    const denyMissing = await call('POST', `/api/v1/runs/${created.id}/deny`, { ...auth, body: { reason: 'no' } });
    expect(denyMissing.status).toBe(400);
    expect(denyMissing.body.error).toMatch(/^approvalId: required: .*pendingApprovalId/);
    const malformed = await call('POST', `/api/v1/runs/${created.id}/approve`, { ...auth, body: { approvalId: 'deploy' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^approvalId: must be a UUID: .*pendingApprovalId/);

    const approved = await call('POST', `/api/v1/runs/${created.id}/approve`, { ...auth, body: { approvalId: list.body.data.runs[0].pendingApprovalId } });
    expect(approved.status).toBe(200);
    expectMkContract('POST', '/runs/{id}/approve', 200, approved.body);
    const run = await waitForRun(call, auth, created.id);
    expect(run.status).toBe('completed');
    expect(run.pendingApprovalId).toBeNull();
    expect(stage(run, 'deploy')).toMatchObject({ result: 'done', summary: 'deployed to staging' });
    const after = await call('GET', `/api/v1/runs?projectId=${project.id}`, auth);
    expect(after.body.data.runs[0].pendingApprovalId).toBeNull();
  });

  it('the served OpenAPI says where approvalId comes from, and documents the extensions', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).body;
    for (const op of ['approve', 'deny']) {
      const body = doc.paths[`/runs/{id}/${op}`].post.requestBody.content['application/json'].schema;
      const resolved = body.$ref ? doc.components.schemas[body.$ref.split('/').pop()] : body;
      expect(resolved.required).toContain('approvalId');
      expect(resolved.properties.approvalId.description).toMatch(/pendingApprovalId.*GET \/runs\/\{id\} → `approvals`.*approval_requested/);
      expect(doc.paths[`/runs/{id}/${op}`].post.description).toMatch(/approvalId/);
    }
    const run = doc.components.schemas.Run;
    expect(run.properties.outcome.description).toMatch(/extension/i);
    expect(run.properties.pendingApprovalId.description).toMatch(/extension/i);
    expect(doc.components.schemas.StageHistoryEntry.properties.result.enum).toEqual(['done', 'skipped', 'failed', 'cancelled']);
  });
});

describe('stage results, openai driver: a stage with no actions says so', () => {
  let llm: FakeLlm;
  let srv: TestServer;
  let call: Call;

  beforeAll(async () => {
    // The model makes no tool calls in build and plans nothing after it.
    llm = await startFakeLlm({ buildTurns: [], planSteps: [] });
    srv = await startTestServer({ BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1' });
    call = client(srv.url);
  });
  afterAll(async () => {
    await srv.close();
    await llm.close();
  });

  it('build, verify, deploy and monitor are skipped with the reason, and the outcome says no code changed', async () => {
    const user = await createUser(call);
    const auth = { token: (await createApiKey(call, user, 'mk_live')).key };
    await setAutonomy(call, auth, user.orgId, 'autopilot');
    const project = await createProject(call, auth);
    const created = await createRunVia(call, auth, { requestText: REQUEST, projectId: project.id });
    const run = await waitForRun(call, auth, created.id);
    expect(run.status, run.errorMessage).toBe('completed');
    expectMkContract('GET', '/runs/{id}', 200, { data: run });
    expect(stage(run, 'build')).toMatchObject({ result: 'skipped', summary: 'the model made no tool calls in 1 turn(s), so nothing was changed', changedFiles: [] });
    for (const s of ['verify', 'deploy', 'monitor']) expect(stage(run, s)).toMatchObject({ result: 'skipped', summary: `the model's plan has no ${s} steps` });
    expect(run.outcome).toBe("Completed — no code changes; deploy skipped (the model's plan has no deploy steps)");
  });
});
