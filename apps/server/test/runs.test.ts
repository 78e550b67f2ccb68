import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSql, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { assertContiguous, createRunVia, pendingApproval, setAutonomy, waitForApproval, waitForRun } from '../../../test/helpers/runs.ts';

let srv: TestServer;
let call: Call;
let alice: TestUser;
let bob: TestUser;
let aliceKey: string;
let bobKey: string;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
  alice = await createUser(call);
  bob = await createUser(call);
  aliceKey = (await createApiKey(call, alice, 'mk_live')).key;
  bobKey = (await createApiKey(call, bob, 'mk_live')).key;
  await setAutonomy(call, { cookie: alice.cookie }, alice.orgId, 'autopilot');
});
afterAll(() => srv.close());

describe('POST /runs', () => {
  it('creates a run in intake and the engine takes it to completed (happy)', async () => {
    const project = await createProject(call, { token: aliceKey });
    const res = await call('POST', '/api/v1/runs', { token: aliceKey, body: { requestText: 'Document the deploy steps in docs/deploy.md', projectId: project.id } });
    expect(res.status).toBe(201);
    expectMkContract('POST', '/runs', 201, res.body);
    expect(res.body.data).toMatchObject({ status: 'intake', projectId: project.id, userId: alice.id, orgId: alice.orgId, totalCreditsUsed: '0.00', completedAt: null });
    const run = await waitForRun(call, { token: aliceKey }, res.body.data.id);
    expect(run.status).toBe('completed');
    expect(run.errorMessage).toBeNull();
    expect(run.completedAt).not.toBeNull();
    expect(run.stageHistory.map((s: { stage: string }) => s.stage)).toEqual(['intake', 'clarify', 'scope', 'plan', 'build', 'verify', 'deploy', 'monitor']);
    for (const s of run.stageHistory) expect(s.endedAt >= s.startedAt).toBe(true);
    expect(run.scopeArtifact).toMatchObject({ mentionedPaths: ['docs/deploy.md'], driver: { name: 'local', isAI: false } });
    expect(run.planArtifact.steps.length).toBeGreaterThanOrEqual(4);
    assertContiguous(run.events.map((e: { sequenceNumber: number }) => e.sequenceNumber));
    const transitions = run.events.filter((e: any) => e.eventType === 'stage_transition').map((e: any) => e.data.to);
    expect(transitions).toEqual(['intake', 'clarify', 'scope', 'plan', 'build', 'verify', 'deploy', 'monitor', 'completed']);
    // Every tool call is a tool_call plus a tool_result.
    const calls = run.events.filter((e: any) => e.eventType === 'tool_call').length;
    expect(calls).toBeGreaterThan(0);
    expect(run.events.filter((e: any) => e.eventType === 'tool_result').length).toBe(calls);
    // The local driver says what it is.
    expect(run.events.find((e: any) => e.eventType === 'message').data.text).toMatch(/not an AI/);
  });

  it('works without a project, in a scratch workspace', async () => {
    const created = await createRunVia(call, { cookie: alice.cookie }, { requestText: 'Just write it down' });
    expect(created.projectId).toBeNull();
    expect((await waitForRun(call, { cookie: alice.cookie }, created.id)).status).toBe('completed');
  });

  it('answers 400 to bad input', async () => {
    for (const body of [{}, { requestText: '' }, { requestText: 'x'.repeat(10_001) }, { requestText: 'ok', projectId: 'not-a-uuid' }]) {
      const res = await call('POST', '/api/v1/runs', { token: aliceKey, body });
      expect(res.status, JSON.stringify(body).slice(0, 50)).toBe(400);
      expectMkContract('POST', '/runs', 400, res.body);
    }
  });

  it("answers 404 to another tenant's project, 403 to a viewer, 401 without credentials", async () => {
    const bobProject = await createProject(call, { token: bobKey });
    const res = await call('POST', '/api/v1/runs', { token: aliceKey, body: { requestText: 'x', projectId: bobProject.id } });
    expect(res.status).toBe(404);
    expectErrorBody(res.body);
    const viewer = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, viewer.id, 'viewer');
    const asViewer = await call('POST', '/api/v1/runs', { cookie: viewer.cookie, headers: { 'x-org-id': alice.orgId }, body: { requestText: 'x' } });
    expect(asViewer.status).toBe(403);
    const anon = await call('POST', '/api/v1/runs', { body: { requestText: 'x' } });
    expect(anon.status).toBe(401);
    expectMkContract('POST', '/runs', 401, anon.body);
  });
});

describe('GET /runs', () => {
  it('lists newest first with filters and pagination (happy)', async () => {
    const u = await createUser(call);
    const key = (await createApiKey(call, u, 'mk_test')).key;
    await setAutonomy(call, { token: key }, u.orgId, 'assist');
    const p1 = await createProject(call, { token: key });
    const p2 = await createProject(call, { token: key });
    const r1 = await createRunVia(call, { token: key }, { requestText: 'one', projectId: p1.id });
    const r2 = await createRunVia(call, { token: key }, { requestText: 'two', projectId: p2.id });
    const r3 = await createRunVia(call, { token: key }, { requestText: 'three', projectId: p1.id });
    // assist stops each run at its first write, so their statuses stay put while we list.
    for (const r of [r1, r2, r3]) await waitForApproval(call, { token: key }, r.id);
    await call('POST', `/api/v1/runs/${r2.id}/cancel`, { token: key });

    const all = await call('GET', '/api/v1/runs', { token: key });
    expect(all.status).toBe(200);
    expectMkContract('GET', '/runs', 200, all.body);
    expect(all.body.data.runs.map((r: any) => r.id)).toEqual([r3.id, r2.id, r1.id]);
    expect(all.body.data.count).toBe(3);
    const byProject = await call('GET', `/api/v1/runs?projectId=${p1.id}`, { token: key });
    expect(byProject.body.data.runs.map((r: any) => r.id)).toEqual([r3.id, r1.id]);
    const cancelled = await call('GET', '/api/v1/runs?status=cancelled', { token: key });
    expect(cancelled.body.data.runs.map((r: any) => r.id)).toEqual([r2.id]);
    const build = await call('GET', '/api/v1/runs?status=build', { token: key });
    expect(build.body.data.count).toBe(2);
    const page = await call('GET', '/api/v1/runs?limit=1&offset=1', { token: key });
    expect(page.body.data.runs.map((r: any) => r.id)).toEqual([r2.id]);
    expect(page.body.data.count).toBe(3);
  });

  it('answers 400 to bad filters', async () => {
    for (const q of ['limit=0', 'limit=101', 'offset=-1', 'status=done', 'limit=x']) {
      const res = await call('GET', `/api/v1/runs?${q}`, { token: aliceKey });
      expect(res.status, q).toBe(400);
      expectErrorBody(res.body);
    }
  });

  it("never lists another tenant's runs; 401 without credentials", async () => {
    const bobs = await createRunVia(call, { token: bobKey }, { requestText: 'bob only' });
    const res = await call('GET', '/api/v1/runs?limit=100', { token: aliceKey });
    expect(res.body.data.runs.some((r: any) => r.id === bobs.id)).toBe(false);
    const anon = await call('GET', '/api/v1/runs');
    expect(anon.status).toBe(401);
    expectMkContract('GET', '/runs', 401, anon.body);
  });
});

describe('GET /runs/{id}', () => {
  it('returns the run with ordered events and approvals (happy)', async () => {
    const created = await createRunVia(call, { token: aliceKey }, { requestText: 'detail please' });
    const run = await waitForRun(call, { token: aliceKey }, created.id);
    const res = await call('GET', `/api/v1/runs/${created.id}`, { token: aliceKey });
    expect(res.status).toBe(200);
    expectMkContract('GET', '/runs/{id}', 200, res.body);
    assertContiguous(res.body.data.events.map((e: any) => e.sequenceNumber));
    expect(res.body.data.approvals.length).toBe(run.approvals.length);
  });

  it("answers 404 to another tenant's run and an unknown id; 401 without credentials", async () => {
    const created = await createRunVia(call, { token: aliceKey }, { requestText: 'private' });
    const res = await call('GET', `/api/v1/runs/${created.id}`, { token: bobKey });
    expect(res.status).toBe(404);
    expectMkContract('GET', '/runs/{id}', 404, res.body);
    expect((await call('GET', '/api/v1/runs/00000000-0000-4000-8000-000000000000', { token: aliceKey })).status).toBe(404);
    const anon = await call('GET', `/api/v1/runs/${created.id}`);
    expect(anon.status).toBe(401);
    expectMkContract('GET', '/runs/{id}', 401, anon.body);
  });
});

describe('GET /runs/{id}/replay', () => {
  it('returns only replay-visible events, counted (happy)', async () => {
    const created = await createRunVia(call, { token: aliceKey }, { requestText: 'replay me' });
    const run = await waitForRun(call, { token: aliceKey }, created.id);
    const res = await call('GET', `/api/v1/runs/${created.id}/replay`, { token: aliceKey });
    expect(res.status).toBe(200);
    expectMkContract('GET', '/runs/{id}/replay', 200, res.body);
    const visible = run.events.filter((e: any) => e.replayVisible);
    expect(res.body.data.eventCount).toBe(visible.length);
    expect(res.body.data.events.map((e: any) => e.id)).toEqual(visible.map((e: any) => e.id));
    expect(res.body.data.events.every((e: any) => e.replayVisible)).toBe(true);
    expect(res.body.data.run).toMatchObject({ id: run.id, status: 'completed', stageHistory: run.stageHistory });
  });

  it("answers 404 to another tenant; 401 without credentials", async () => {
    const created = await createRunVia(call, { token: aliceKey }, { requestText: 'mine' });
    const res = await call('GET', `/api/v1/runs/${created.id}/replay`, { token: bobKey });
    expect(res.status).toBe(404);
    expectMkContract('GET', '/runs/{id}/replay', 404, res.body);
    const anon = await call('GET', `/api/v1/runs/${created.id}/replay`);
    expect(anon.status).toBe(401);
    expectMkContract('GET', '/runs/{id}/replay', 401, anon.body);
  });
});

describe('POST /runs/{id}/cancel', () => {
  it('cancels an active run, and a second cancel is a 400 (happy + error)', async () => {
    const u = await createUser(call);
    const created = await createRunVia(call, { cookie: u.cookie }, { requestText: 'stop me' });
    await waitForApproval(call, { cookie: u.cookie }, created.id);
    const res = await call('POST', `/api/v1/runs/${created.id}/cancel`, { cookie: u.cookie, body: { reason: 'changed my mind' } });
    expect(res.status).toBe(200);
    expectMkContract('POST', '/runs/{id}/cancel', 200, res.body);
    expect(res.body.data).toMatchObject({ status: 'cancelled', errorMessage: expect.stringMatching(/changed my mind/) });
    const run = await waitForRun(call, { cookie: u.cookie }, created.id);
    expect(run.approvals.every((a: any) => a.status !== 'pending')).toBe(true);
    expect(run.events.at(-1)).toMatchObject({ eventType: 'stage_transition', data: { to: 'cancelled' } });
    const again = await call('POST', `/api/v1/runs/${created.id}/cancel`, { cookie: u.cookie });
    expect(again.status).toBe(400);
    expectMkContract('POST', '/runs/{id}/cancel', 400, again.body);
  });

  it("answers 404 to another tenant (the run goes on), 401 without credentials", async () => {
    const u = await createUser(call);
    const created = await createRunVia(call, { cookie: u.cookie }, { requestText: 'keep going' });
    const res = await call('POST', `/api/v1/runs/${created.id}/cancel`, { token: bobKey });
    expect(res.status).toBe(404);
    expectMkContract('POST', '/runs/{id}/cancel', 404, res.body);
    const anon = await call('POST', `/api/v1/runs/${created.id}/cancel`);
    expect(anon.status).toBe(401);
    expectMkContract('POST', '/runs/{id}/cancel', 401, anon.body);
    const run = await waitForApproval(call, { cookie: u.cookie }, created.id);
    expect(run.status).not.toBe('cancelled');
  });
});

describe('POST /runs/{id}/approve and /deny', () => {
  it('approve resumes the run (happy)', async () => {
    const u = await createUser(call);
    const created = await createRunVia(call, { cookie: u.cookie }, { requestText: 'needs a yes' });
    const waiting = await waitForApproval(call, { cookie: u.cookie }, created.id);
    const pending = pendingApproval(waiting);
    const res = await call('POST', `/api/v1/runs/${created.id}/approve`, { cookie: u.cookie, body: { approvalId: pending.id } });
    expect(res.status).toBe(200);
    expectMkContract('POST', '/runs/{id}/approve', 200, res.body);
    expect(res.body.data).toMatchObject({ id: pending.id, status: 'approved', decidedBy: u.id });
    const after = await waitForRun(call, { cookie: u.cookie }, created.id, (r) => r.approvals.length > 1 || ['completed', 'failed', 'cancelled'].includes(r.status));
    expect(after.events.some((e: any) => e.eventType === 'approval_granted' && e.data.approvalId === pending.id)).toBe(true);
  });

  it('deny records the reason and cancels the run (happy)', async () => {
    const u = await createUser(call);
    const created = await createRunVia(call, { cookie: u.cookie }, { requestText: 'needs a no' });
    const pending = pendingApproval(await waitForApproval(call, { cookie: u.cookie }, created.id));
    const res = await call('POST', `/api/v1/runs/${created.id}/deny`, { cookie: u.cookie, body: { approvalId: pending.id, reason: 'not this week' } });
    expect(res.status).toBe(200);
    expectMkContract('POST', '/runs/{id}/deny', 200, res.body);
    expect(res.body.data).toMatchObject({ status: 'denied', decidedBy: u.id });
    const run = await waitForRun(call, { cookie: u.cookie }, created.id);
    expect(run.status).toBe('cancelled');
    expect(run.errorMessage).toMatch(/not this week/);
    expect(run.events.some((e: any) => e.eventType === 'approval_denied' && e.data.reason === 'not this week')).toBe(true);
  });

  it('answers 409 to deciding twice and 404 to an approval of another run, never 500', async () => {
    const u = await createUser(call);
    const a = await createRunVia(call, { cookie: u.cookie }, { requestText: 'first' });
    const b = await createRunVia(call, { cookie: u.cookie }, { requestText: 'second' });
    const pa = pendingApproval(await waitForApproval(call, { cookie: u.cookie }, a.id));
    const pb = pendingApproval(await waitForApproval(call, { cookie: u.cookie }, b.id));
    const cross = await call('POST', `/api/v1/runs/${a.id}/approve`, { cookie: u.cookie, body: { approvalId: pb.id } });
    expect(cross.status).toBe(404);
    expectMkContract('POST', '/runs/{id}/approve', 404, cross.body);
    expect((await call('POST', `/api/v1/runs/${a.id}/approve`, { cookie: u.cookie, body: { approvalId: pa.id } })).status).toBe(200);
    const twice = await call('POST', `/api/v1/runs/${a.id}/approve`, { cookie: u.cookie, body: { approvalId: pa.id } });
    expect(twice.status).toBe(409);
    expectErrorBody(twice.body);
    const denyAfterApprove = await call('POST', `/api/v1/runs/${a.id}/deny`, { cookie: u.cookie, body: { approvalId: pa.id } });
    expect(denyAfterApprove.status).toBe(409);
    expect((await call('POST', `/api/v1/runs/${b.id}/deny`, { cookie: u.cookie, body: { approvalId: pb.id } })).status).toBe(200);
    expect((await call('POST', `/api/v1/runs/${b.id}/deny`, { cookie: u.cookie, body: { approvalId: pb.id } })).status).toBe(409);
    const bad = await call('POST', `/api/v1/runs/${a.id}/approve`, { cookie: u.cookie, body: { approvalId: 'nope' } });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body);
    const missing = await call('POST', `/api/v1/runs/${a.id}/deny`, { cookie: u.cookie, body: {} });
    expect(missing.status).toBe(400);
    expect(srv.loggedErrors).toEqual([]);
  });

  it("answers 404 to another tenant (nothing changes) and 401 without credentials", async () => {
    const u = await createUser(call);
    const created = await createRunVia(call, { cookie: u.cookie }, { requestText: 'mine to decide' });
    const pending = pendingApproval(await waitForApproval(call, { cookie: u.cookie }, created.id));
    for (const verb of ['approve', 'deny']) {
      const res = await call('POST', `/api/v1/runs/${created.id}/${verb}`, { token: bobKey, body: { approvalId: pending.id } });
      expect(res.status).toBe(404);
      expectMkContract('POST', `/runs/{id}/${verb}`, 404, res.body);
      const anon = await call('POST', `/api/v1/runs/${created.id}/${verb}`, { body: { approvalId: pending.id } });
      expect(anon.status).toBe(401);
      expectMkContract('POST', `/runs/{id}/${verb}`, 401, anon.body);
    }
    expect(pendingApproval(await waitForApproval(call, { cookie: u.cookie }, created.id)).id).toBe(pending.id);
  });
});

describe('run counts', () => {
  const exact = () =>
    serverSql(srv).all(`SELECT org_id, COALESCE(project_id, '') AS project_key, status, count(*) AS n FROM runs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  // A count is the sum over its shards (Postgres spreads changes over 16; SQLite uses one).
  const maintained = async () =>
    (await serverSql(srv).all<{ n: number }>(`SELECT org_id, project_key, status, sum(n) AS n FROM run_counts GROUP BY 1, 2, 3 HAVING sum(n) > 0 ORDER BY 1, 2, 3`)).map(
      (r) => ({ ...r, n: Number(r.n) }),
    );
  const exactCounts = async () => (await exact()).map((r) => ({ ...r, n: Number(r.n) }));

  it('the trigger-kept counts equal a real count through creates, transitions, project and org deletion', async () => {
    const u = await createUser(call);
    const auth = { cookie: u.cookie };
    const p = await createProject(call, auth);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await createRunVia(call, auth, { requestText: `count ${i}`, projectId: p.id }));
    for (const r of runs) await waitForApproval(call, auth, r.id);
    await call('POST', `/api/v1/runs/${runs[0]!.id}/cancel`, auth);
    expect(await maintained()).toEqual(await exactCounts());
    const listed = await call('GET', `/api/v1/runs?projectId=${p.id}&status=build`, auth);
    expect(listed.body.data.count).toBe(2);

    // Deleting the project detaches its runs (project_id set null): the counts follow.
    await call('DELETE', `/api/v1/projects/${p.id}`, auth);
    expect(await maintained()).toEqual(await exactCounts());
    expect((await call('GET', '/api/v1/runs?status=build', auth)).body.data.count).toBe(2);

    // Deleting the org takes its runs and counts with it.
    const other = await call('POST', '/api/v1/orgs', { cookie: u.cookie, body: { name: 'Short-lived' } });
    await createRunVia(call, { cookie: u.cookie, headers: { 'x-org-id': other.body.data.id } }, { requestText: 'gone soon' });
    await call('DELETE', `/api/v1/orgs/${other.body.data.id}`, auth);
    expect(await maintained()).toEqual(await exactCounts());
  });
});
