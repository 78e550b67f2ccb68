import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { startFakeServer, type FakeServer } from '../../../test/helpers/fake-http.ts';
import { createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { approveUntilDone, configureEnvironment, createRunVia, pendingApproval, setAutonomy, waitForApproval, waitForRun } from '../../../test/helpers/runs.ts';
import { BUILTIN_RULES } from '@baton/core';

let srv: TestServer;
let call: Call;
let deployTarget: FakeServer;

beforeAll(async () => {
  srv = await startTestServer({ BATON_APPROVAL_TTL_SECONDS: '600', BATON_ALLOW_PRIVATE_URLS: 'true' });
  call = client(srv.url);
  // Stands in for the hosting provider: the deploy hook and the deployed app's URL.
  deployTarget = await startFakeServer((req) => (req.path === '/hook' ? { status: 202, body: { deploying: true } } : { status: 200, body: { status: 'ok' } }));
});
afterAll(async () => {
  await srv.close();
  await deployTarget.close();
});

/** A user whose org runs at `level`, with a project whose staging environment can be deployed and checked. */
async function setup(level: 'observe' | 'assist' | 'act' | 'autopilot') {
  const user = await createUser(call);
  const auth = { cookie: user.cookie };
  await setAutonomy(call, auth, user.orgId, level);
  const project = await createProject(call, auth);
  await configureEnvironment(call, auth, project.id, 'staging', { url: `${deployTarget.url}/health`, deployHookUrl: `${deployTarget.url}/hook` });
  return { user, auth, project };
}

// The local plan makes six actions: list (read), write, read, command (write), deploy, health check (external).
const EXPECTED: Record<string, { human: number; auto: number; rule: string | null }> = {
  observe: { human: 4, auto: 0, rule: null },
  assist: { human: 4, auto: 0, rule: null },
  act: { human: 1, auto: 3, rule: BUILTIN_RULES.act.id },
  autopilot: { human: 0, auto: 4, rule: BUILTIN_RULES.autopilot.id },
};

describe('autonomy levels', () => {
  for (const level of ['observe', 'assist', 'act', 'autopilot'] as const) {
    it(`${level}: completes after ${EXPECTED[level]!.human} approval(s)`, async () => {
      const { auth, project } = await setup(level);
      const hooksBefore = deployTarget.requests.filter((r) => r.path === '/hook').length;
      const created = await createRunVia(call, auth, { requestText: 'Ship the greeting change to staging', projectId: project.id });
      const { run, approvals } = await approveUntilDone(call, auth, created.id);
      expect(run.status, run.errorMessage).toBe('completed');
      expect(approvals).toBe(EXPECTED[level]!.human);
      const auto = run.approvals.filter((a: any) => a.status === 'auto_approved');
      expect(auto).toHaveLength(EXPECTED[level]!.auto);
      for (const a of auto) expect(a.policyRuleId).toBe(EXPECTED[level]!.rule);
      expect(run.approvals.filter((a: any) => a.status === 'approved')).toHaveLength(EXPECTED[level]!.human);
      // The deploy really called the hook, and the health check really hit the URL.
      expect(deployTarget.requests.filter((r) => r.path === '/hook').length).toBe(hooksBefore + 1);
      const envs = await call('GET', `/api/v1/projects/${project.id}/environments`, auth);
      const staging = envs.body.data.environments.find((e: any) => e.name === 'staging');
      expect(staging).toMatchObject({ healthStatus: 'healthy', status: 'active' });
      expect(staging.lastDeployedAt).not.toBeNull();
    });
  }

  it('an approval request carries what a person needs to decide', async () => {
    const { auth, project } = await setup('assist');
    const created = await createRunVia(call, auth, { requestText: 'Write it down', projectId: project.id });
    const run = await waitForApproval(call, auth, created.id);
    const a = pendingApproval(run);
    expect(a).toMatchObject({ status: 'pending', decidedBy: null, policyRuleId: null });
    expect(a.actionSummary).toMatch(/^Write \d+ bytes to \.baton\/runs\//);
    expect(a.reason).toMatch(/assist/);
    expect(a.riskDescription).toMatch(/^write:/);
    expect(a.costEstimate).toBe('0.00');
    expect(a.undoPlan).toMatch(/Restore/);
    expect(a.evidence).toMatchObject({ tool: 'write_file', stage: 'build' });
    const ttl = Date.parse(a.expiresAt) - Date.parse(a.createdAt);
    expect(ttl).toBe(600_000);
    const event = run.events.find((e: any) => e.id === a.eventId);
    expect(event).toMatchObject({ eventType: 'approval_requested', data: { approvalId: a.id } });
    await call('POST', `/api/v1/runs/${created.id}/cancel`, auth);
  });

  it('the default expiry is 24 hours', async () => {
    const defaults = await startTestServer();
    try {
      const c = client(defaults.url);
      const u = await createUser(c);
      const created = await createRunVia(c, { cookie: u.cookie }, { requestText: 'wait for me' });
      const a = pendingApproval(await waitForApproval(c, { cookie: u.cookie }, created.id));
      expect(Date.parse(a.expiresAt) - Date.parse(a.createdAt)).toBe(24 * 3600 * 1000);
    } finally {
      await defaults.close();
    }
  });
});

describe('expiry', () => {
  it('an approval nobody decides expires and cancels the run with a clear message', async () => {
    const short = await startTestServer({ BATON_APPROVAL_TTL_SECONDS: '1' });
    try {
      await expectExpiry(client(short.url));
    } finally {
      await short.close();
    }
  });
});

async function expectExpiry(call: Call) {
  const user = await createUser(call);
  const auth = { cookie: user.cookie };
  const created = await createRunVia(call, auth, { requestText: 'Nobody is watching' });
  const waiting = await waitForApproval(call, auth, created.id);
  const pending = pendingApproval(waiting);
  const run = await waitForRun(call, auth, created.id, undefined, 10_000);
  expect(run.status).toBe('cancelled');
  expect(run.errorMessage).toMatch(/^Approval expired: "Write \d+ bytes/);
  expect(run.approvals.find((a: any) => a.id === pending.id).status).toBe('expired');
  // A late approval is refused cleanly: a conflict with the run's state, not a malformed request.
  const late = await call('POST', `/api/v1/runs/${created.id}/approve`, { ...auth, body: { approvalId: pending.id } });
  expect(late.status).toBe(409);
  expect(late.body).toEqual({ error: 'The run is already cancelled' });
}

describe('policy rules', () => {
  it('an auto_approve rule lets matching actions through, recorded with its id', async () => {
    const { auth, project } = await setup('assist');
    const rule = await call('POST', '/api/v1/policy-rules', { ...auth, body: { name: 'Writes are fine', risk: 'write', decision: 'auto_approve' } });
    expect(rule.status).toBe(201);
    const created = await createRunVia(call, auth, { requestText: 'Write and check', projectId: project.id });
    const { run, approvals } = await approveUntilDone(call, auth, created.id);
    expect(run.status).toBe('completed');
    // Only deploy and the health check still ask under assist.
    expect(approvals).toBe(2);
    const auto = run.approvals.filter((a: any) => a.status === 'auto_approved');
    expect(auto.map((a: any) => a.policyRuleId)).toEqual([rule.body.data.id, rule.body.data.id]);
  });

  it('a require_approval rule makes even autopilot ask', async () => {
    const { auth, project } = await setup('autopilot');
    await call('POST', '/api/v1/policy-rules', { ...auth, body: { name: 'Always ask before deploying', tool: 'deploy', decision: 'require_approval' } });
    const created = await createRunVia(call, auth, { requestText: 'Ship it', projectId: project.id });
    const { run, approvals } = await approveUntilDone(call, auth, created.id);
    expect(run.status).toBe('completed');
    expect(approvals).toBe(1);
    expect(run.approvals.find((a: any) => a.status === 'approved').reason).toMatch(/Always ask before deploying/);
  });

  it('rules are admin-only, validated, and scoped to the org', async () => {
    const { auth, user } = await setup('assist');
    const bad = await call('POST', '/api/v1/policy-rules', { ...auth, body: { name: 'nothing', decision: 'auto_approve' } });
    expect(bad.status).toBe(400);
    const unknownTool = await call('POST', '/api/v1/policy-rules', { ...auth, body: { name: 'x', tool: 'rm_rf', decision: 'auto_approve' } });
    expect(unknownTool.status).toBe(400);
    const made = await call('POST', '/api/v1/policy-rules', { ...auth, body: { name: 'reads', risk: 'read', decision: 'require_approval' } });
    const stranger = await createUser(call);
    expect((await call('DELETE', `/api/v1/policy-rules/${made.body.data.id}`, { cookie: stranger.cookie })).status).toBe(404);
    const list = await call('GET', '/api/v1/policy-rules', { cookie: stranger.cookie });
    expect(list.body.data.rules).toEqual([]);
    expect((await call('DELETE', `/api/v1/policy-rules/${made.body.data.id}`, auth)).status).toBe(200);
    expect(user.orgId).toBeTruthy();
  });
});
