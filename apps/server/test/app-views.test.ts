import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { PAYMENTS_FEED } from '../../../test/helpers/relay-feed.ts';
import { approveUntilDone, createRunVia, pendingApproval, setAutonomy, waitForApproval, waitForRun } from '../../../test/helpers/runs.ts';

/*
 * The SPA-only views under /trpc/app.*: the overview's getting-started checklist, the shell's
 * pending-approvals count and a handoff's sources. Each is about the active org (X-Org-Id), so every
 * one is also checked from another tenant, whose data must never be counted or shown. The engine runs
 * (local driver, autonomy "assist"): a run stops before its first write and waits for a person.
 */

let srv: TestServer;
let call: Call;

beforeAll(async () => {
  srv = await startTestServer({ BATON_APPROVAL_TTL_SECONDS: '600' });
  call = client(srv.url);
});
afterAll(() => srv.close());
afterEach(() => {
  expect(srv.loggedErrors).toEqual([]);
});

/** A tRPC query as the SPA sends it (GET, JSON input), with the user's cookie and active org. */
async function query<T = any>(path: string, user: Pick<TestUser, 'cookie'> | null, opts: { orgId?: string; input?: unknown } = {}) {
  const qs = opts.input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(opts.input))}`;
  const headers: Record<string, string> = opts.orgId ? { 'x-org-id': opts.orgId } : {};
  const res = await call('GET', `/trpc/${path}${qs}`, { ...(user ? { cookie: user.cookie } : {}), headers });
  return { status: res.status, data: res.body?.result?.data as T, error: res.body?.error };
}

const NOTHING_DONE = { createProject: false, startRun: false, approveAction: false, connectSource: false, createApiKey: false };

async function ingest(token: string, projectId: string, events: unknown[]) {
  const res = await call('POST', '/relay/api/v1/events', { token, body: { project_id: projectId, events } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { events: Array<{ id: string; source: string; title: string }> };
}

describe('app.gettingStarted', () => {
  it('ticks each step from the org’s own data as it is done, and says when all are (happy)', async () => {
    const ada = await createUser(call, { name: 'Ada' });
    const auth = { cookie: ada.cookie };
    const steps = async () => {
      const res = await query('app.gettingStarted', ada, { orgId: ada.orgId });
      expect(res.status, JSON.stringify(res.error)).toBe(200);
      return res.data;
    };

    expect(await steps()).toEqual({ steps: NOTHING_DONE, connectedSources: [], complete: false });

    const project = await createProject(call, auth, { name: 'Checkout' });
    expect((await steps()).steps).toEqual({ ...NOTHING_DONE, createProject: true });

    const fr = await createApiKey(call, ada, 'fr');
    expect((await steps()).steps).toEqual({ ...NOTHING_DONE, createProject: true, createApiKey: true });

    // A run writes its own milestones into the project's stream (source "baton"): not a connected source.
    const run = await createRunVia(call, auth, { requestText: 'Add a changelog entry', projectId: project.id });
    const waiting = await waitForApproval(call, auth, run.id);
    expect(pendingApproval(waiting)).toBeDefined();
    const afterRun = await steps();
    expect(afterRun.steps).toEqual({ ...NOTHING_DONE, createProject: true, createApiKey: true, startRun: true });
    expect(afterRun.connectedSources).toEqual([]);

    const { run: done, approvals } = await approveUntilDone(call, auth, run.id);
    expect(done.status).toBe('completed');
    expect(approvals).toBeGreaterThan(0);
    expect((await steps()).steps.approveAction).toBe(true);

    await ingest(fr.key, project.id, PAYMENTS_FEED);
    expect(await steps()).toEqual({
      steps: { createProject: true, startRun: true, approveAction: true, connectSource: true, createApiKey: true },
      connectedSources: ['github', 'linear', 'slack'],
      complete: true,
    });

    // A revoked key still counts: the step was done, and the checklist must not come back.
    expect((await call('DELETE', `/api/v1/api-keys/${fr.id}`, auth)).status).toBe(200);
    expect((await steps()).complete).toBe(true);
  });

  it('a denied action counts as deciding one; an action approved by a policy rule does not', async () => {
    const bo = await createUser(call, { name: 'Bo' });
    const auth = { cookie: bo.cookie };
    const run = await createRunVia(call, auth, { requestText: 'Tidy the README' });
    const pending = pendingApproval(await waitForApproval(call, auth, run.id));
    expect((await query('app.gettingStarted', bo)).data.steps.approveAction).toBe(false);
    const denied = await call('POST', `/api/v1/runs/${run.id}/deny`, { ...auth, body: { approvalId: pending.id, reason: 'not now' } });
    expect(denied.status).toBe(200);
    expect((await query('app.gettingStarted', bo)).data.steps.approveAction).toBe(true);

    // Autopilot: the org's policy approves every action and nobody is asked.
    const al = await createUser(call, { name: 'Al' });
    await setAutonomy(call, { cookie: al.cookie }, al.orgId, 'autopilot');
    const auto = await waitForRun(call, { cookie: al.cookie }, (await createRunVia(call, { cookie: al.cookie }, { requestText: 'Tidy the README' })).id);
    expect(auto.status).toBe('completed');
    expect(auto.approvals.map((a: { status: string }) => a.status)).toContain('auto_approved');
    expect((await query('app.gettingStarted', al)).data.steps).toEqual({ ...NOTHING_DONE, startRun: true });
  });

  it('is 401 without a session', async () => {
    const res = await query('app.gettingStarted', null);
    expect(res.status).toBe(401);
    expect(res.error.json?.data?.code ?? res.error.data?.code).toBe('UNAUTHORIZED');
    expect((await query('app.gettingStarted', { cookie: 'mk_session=forged' })).status).toBe(401);
  });

  it('never counts another org’s data, and will not read an org the user does not belong to (tenant isolation)', async () => {
    const busy = await createUser(call, { name: 'Busy' });
    const project = await createProject(call, { cookie: busy.cookie });
    await createApiKey(call, busy, 'mk_live');
    const fr = await createApiKey(call, busy, 'fr');
    await ingest(fr.key, project.id, PAYMENTS_FEED.slice(0, 1));
    await createRunVia(call, { cookie: busy.cookie }, { requestText: 'Something', projectId: project.id });
    expect((await query('app.gettingStarted', busy, { orgId: busy.orgId })).data.steps).toMatchObject({ createProject: true, startRun: true, connectSource: true, createApiKey: true });

    const quiet = await createUser(call, { name: 'Quiet' });
    expect((await query('app.gettingStarted', quiet, { orgId: quiet.orgId })).data).toEqual({ steps: NOTHING_DONE, connectedSources: [], complete: false });
    // Asking for the busy org by id: 404, as for every org the user is not a member of.
    const foreign = await query('app.gettingStarted', quiet, { orgId: busy.orgId });
    expect(foreign.status).toBe(404);
    expect(foreign.data).toBeUndefined();

    // A second org of the busy user starts from nothing: the checklist is per org, not per user.
    const second = await call('POST', '/api/v1/orgs', { cookie: busy.cookie, body: { name: 'Second' } });
    expect(second.status).toBe(201);
    expect((await query('app.gettingStarted', busy, { orgId: second.body.data.id })).data).toEqual({ steps: NOTHING_DONE, connectedSources: [], complete: false });
  });
});

describe('app.pendingApprovals', () => {
  it('counts the org’s runs waiting for a person, exactly, and follows approvals (happy)', async () => {
    const cy = await createUser(call, { name: 'Cy' });
    const auth = { cookie: cy.cookie };
    const count = async () => {
      const res = await query('app.pendingApprovals', cy, { orgId: cy.orgId });
      expect(res.status, JSON.stringify(res.error)).toBe(200);
      return res.data;
    };
    expect(await count()).toEqual({ count: 0, inProgress: 0 });

    const a = await createRunVia(call, auth, { requestText: 'First change' });
    const b = await createRunVia(call, auth, { requestText: 'Second change' });
    await waitForApproval(call, auth, a.id);
    const bWaiting = await waitForApproval(call, auth, b.id);
    expect(await count()).toEqual({ count: 2, inProgress: 2 });

    // Denying cancels b; a is approved until it completes.
    expect((await call('POST', `/api/v1/runs/${b.id}/deny`, { ...auth, body: { approvalId: pendingApproval(bWaiting).id } })).status).toBe(200);
    expect((await count()).count).toBe(1);
    const { run } = await approveUntilDone(call, auth, a.id);
    expect(run.status).toBe('completed');
    expect(await count()).toEqual({ count: 0, inProgress: 0 });
  });

  it('counts beyond the newest 50 runs: a waiting run under 55 newer finished ones is still counted', async () => {
    const di = await createUser(call, { name: 'Di' });
    const auth = { cookie: di.cookie };
    const old = await createRunVia(call, auth, { requestText: 'The oldest run' });
    await waitForApproval(call, auth, old.id);
    // Newer runs, cancelled (a cancelled run waits for nobody) once parked at their first approval:
    // cancelling one while the engine is still advancing it can lose the cancel on Postgres (reported).
    for (let i = 0; i < 55; i += 5) {
      await Promise.all(
        [0, 1, 2, 3, 4].map(async (j) => {
          const r = await createRunVia(call, auth, { requestText: `Filler ${i + j}` });
          await waitForApproval(call, auth, r.id);
          expect((await call('POST', `/api/v1/runs/${r.id}/cancel`, auth)).status).toBe(200);
        }),
      );
    }
    const page = await call('GET', '/api/v1/runs?limit=50', auth);
    expect(page.body.data.runs.some((r: { id: string }) => r.id === old.id)).toBe(false);
    expect((await query('app.pendingApprovals', di)).data).toEqual({ count: 1, inProgress: 1 });
  });

  it('is 401 without a session', async () => {
    expect((await query('app.pendingApprovals', null)).status).toBe(401);
  });

  it('never counts another org’s waiting runs (tenant isolation)', async () => {
    const eve = await createUser(call, { name: 'Eve' });
    const run = await createRunVia(call, { cookie: eve.cookie }, { requestText: 'Eve’s change' });
    await waitForApproval(call, { cookie: eve.cookie }, run.id);
    expect((await query('app.pendingApprovals', eve)).data.count).toBe(1);

    const fay = await createUser(call, { name: 'Fay' });
    expect((await query('app.pendingApprovals', fay)).data).toEqual({ count: 0, inProgress: 0 });
    expect((await query('app.pendingApprovals', fay, { orgId: eve.orgId })).status).toBe(404);
    // An mk key bound to Fay's org cannot name Eve's either.
    const key = await createApiKey(call, fay, 'mk_live');
    const viaKey = await call('GET', '/trpc/app.pendingApprovals', { token: key.key, headers: { 'x-org-id': eve.orgId } });
    expect(viaKey.status).toBe(404);
  });
});

describe('app.handoffSources', () => {
  async function generate(token: string, projectId: string) {
    const acc = await call('POST', '/relay/api/v1/handoffs', { token, body: { project_id: projectId } });
    expect(acc.status, JSON.stringify(acc.body)).toBe(202);
    for (let i = 0; i < 400; i++) {
      const job = await call('GET', `/relay/api/v1/jobs/${acc.body.jobId}`, { token });
      if (job.body.job.status === 'completed') return (await call('GET', `/relay/api/v1/handoffs/${job.body.job.result_id}`, { token })).body;
      expect(job.body.job.status).not.toBe('failed');
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the handoff job did not finish');
  }

  it('lists the events a handoff was built from and pairs each item with its events; another tenant gets 404', async () => {
    const gil = await createUser(call, { name: 'Gil' });
    const project = await createProject(call, { cookie: gil.cookie }, { name: 'Payments' });
    const fr = await createApiKey(call, gil, 'fr');
    const { events } = await ingest(fr.key, project.id, PAYMENTS_FEED);
    const id = (title: string) => events.find((e) => e.title === title)!.id;
    const handoff = await generate(fr.key, project.id);

    const res = await query('app.handoffSources', gil, { input: { id: handoff.id } });
    expect(res.status, JSON.stringify(res.error)).toBe(200);
    expect(res.data.events.map((e: { id: string }) => e.id).sort()).toEqual([...handoff.related_event_ids].sort());
    // Newest first.
    expect(res.data.events[0].title).toBe('#payments message from chen');
    const slack = id('#payments message from chen');
    expect(handoff.decisions).toEqual(['We decided to use flat per-artifact pricing.']);
    expect(res.data.items.decisions).toEqual([[slack]]);
    expect(handoff.next_steps).toEqual(['Next step: wire the new webhook.']);
    expect(res.data.items.next_steps).toEqual([[slack]]);
    expect(res.data.items.open_questions).toEqual([[id('PAY-12 Checkout refactor')]]);
    const push = handoff.key_changes.indexOf('PAY-12: Push to acme/payments (github)');
    expect(push).toBeGreaterThanOrEqual(0);
    expect(res.data.items.key_changes[push]).toEqual([id('Push to acme/payments')]);
    // Every item found its event.
    for (const list of Object.values(res.data.items) as string[][][]) for (const ids of list) expect(ids.length).toBeGreaterThan(0);

    const stranger = await createUser(call, { name: 'Hal' });
    const foreign = await query('app.handoffSources', stranger, { input: { id: handoff.id } });
    expect(foreign.status).toBe(404);
    expect(foreign.error.message).toBe('Handoff not found');
    expect((await query('app.handoffSources', null, { input: { id: handoff.id } })).status).toBe(401);
  });
});
