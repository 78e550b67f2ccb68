import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqlOn, startTestServer, testDatabaseEnv, type TestServer } from '../../../test/helpers/server.ts';
import { writeAsOtherProcess } from '../../../test/helpers/engine-b.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectRelayContract } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { PAYMENTS_FEED as FEED } from '../../../test/helpers/relay-feed.ts';
import { waitForApproval } from '../../../test/helpers/runs.ts';

let srv: TestServer;
let call: Call;
let alice: TestUser;
let aliceKey: string;
let bob: TestUser;
let bobKey: string;

beforeAll(async () => {
  // The per-key rate limit has its own test (relay-projects.test.ts); polling jobs here would trip it.
  srv = await startTestServer({ BATON_RELAY_RATE_LIMIT: '0', BATON_RELAY_USER_RATE_LIMIT: '0' });
  call = client(srv.url);
  alice = await createUser(call, { orgName: 'Acme' });
  aliceKey = (await createApiKey(call, alice, 'fr')).key;
  bob = await createUser(call, { orgName: 'Bobco' });
  bobKey = (await createApiKey(call, bob, 'fr')).key;
});
afterAll(() => srv.close());
afterEach(() => {
  expect(srv.loggedErrors).toEqual([]);
});

async function ingest(token: string, projectId: string, events: unknown[]) {
  const res = await call('POST', '/relay/api/v1/events', { token, body: { project_id: projectId, events } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { events: Array<{ id: string; source: string }> };
}

async function waitForJob(jobId: string, token: string) {
  for (let i = 0; i < 400; i++) {
    const res = await call('GET', `/relay/api/v1/jobs/${jobId}`, { token });
    expect(res.status).toBe(200);
    if (res.body.job.status === 'completed' || res.body.job.status === 'failed') return res;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${jobId} did not finish`);
}

async function generate(token: string, body: Record<string, unknown>) {
  const acc = await call('POST', '/relay/api/v1/handoffs', { token, body });
  expect(acc.status, JSON.stringify(acc.body)).toBe(202);
  const done = await waitForJob(acc.body.jobId, token);
  expect(done.body.job.status).toBe('completed');
  const handoff = await call('GET', `/relay/api/v1/handoffs/${done.body.job.result_id}`, { token });
  expect(handoff.status).toBe(200);
  return handoff.body;
}

describe('POST /relay/api/v1/handoffs and GET /jobs/{jobId}', () => {
  it('accepts a generation (202), the job completes, and the handoff is listed (happy)', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Payments' });
    const { events } = await ingest(aliceKey, p.id, FEED);
    const acc = await call('POST', '/relay/api/v1/handoffs', { token: aliceKey, body: { project_id: p.id } });
    expect(acc.status).toBe(202);
    expectRelayContract('POST', '/handoffs', 202, acc.body);
    expect(acc.body).toEqual({ jobId: expect.stringMatching(/^job_/), status: 'pending' });

    const done = await waitForJob(acc.body.jobId, aliceKey);
    expectRelayContract('GET', '/jobs/{jobId}', 200, done.body);
    expect(done.body.job).toMatchObject({ id: acc.body.jobId, project_id: p.id, kind: 'project_handoff', status: 'completed', result_kind: 'handoff', error: null, error_code: null });
    expect(done.body.result).toEqual({ id: done.body.job.result_id, title: 'Payments handoff: PAY-12' });

    const list = await call('GET', `/relay/api/v1/handoffs?project_id=${p.id}`, { token: aliceKey });
    expect(list.status).toBe(200);
    expectRelayContract('GET', '/handoffs', 200, list.body);
    expect(list.body.handoffs).toHaveLength(1);
    const h = list.body.handoffs[0];
    expect(h).toMatchObject({
      id: done.body.job.result_id,
      project_id: p.id,
      project_name: 'Payments',
      title: 'Payments handoff: PAY-12',
      status: 'active',
      scope_type: 'project',
      sources: ['github', 'linear', 'slack'],
      decisions: ['We decided to use flat per-artifact pricing.'],
      open_questions: ['Backfill historical invoices?'],
      next_steps: ['Next step: wire the new webhook.'],
    });
    expect(h.key_changes).toContain('PAY-12: Push to acme/payments (github)');
    expect(h.summary).toContain('4 events from github (2), linear (1), slack (1)');
    const ids = new Set(events.map((e) => e.id));
    expect(h.related_event_ids.length).toBeGreaterThan(0);
    for (const id of h.related_event_ids) expect(ids.has(id)).toBe(true);
  });

  it('restricts generation to the given sources and per-source filters', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Filters' });
    const { events } = await ingest(aliceKey, p.id, FEED);
    const h = await generate(aliceKey, { project_id: p.id, sources: ['github'], filters: { github: { branches: ['main'] } } });
    expect(h.sources).toEqual(['github']);
    const mainPush = events.find((e) => e.source === 'github')!.id;
    expect(h.summary).toMatch(/^1 event from github \(1\)/);
    expect(h.related_event_ids.every((id: string) => id === mainPush)).toBe(true);
    expect(h.decisions).toEqual([]);

    const linearOnly = await generate(aliceKey, { project_id: p.id, filters: { linear: { priorities: ['low'] } } });
    // The linear event is high priority, so the filter leaves the other sources only.
    expect(linearOnly.sources).toEqual(['github', 'slack']);
  });

  it('covers the activity since the previous handoff, or the latest when there is none since', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Windows' });
    await ingest(aliceKey, p.id, FEED);
    const first = await generate(aliceKey, { project_id: p.id });
    expect(first.summary).toMatch(/^4 events/);
    const again = await generate(aliceKey, { project_id: p.id });
    expect(again.summary).toMatch(/^4 events/);
    await ingest(aliceKey, p.id, [{ source: 'linear', event_type: 'issue_closed', title: 'PAY-13 Refund retries', content: 'Closed after the fix shipped.' }]);
    const third = await generate(aliceKey, { project_id: p.id });
    expect(third.summary).toMatch(/^1 event from linear \(1\)/);
    expect(third.key_changes).toEqual(['PAY-13 Refund retries (linear)']);
  });

  it('hands off a project with no activity as such, rather than failing', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Quiet' });
    const h = await generate(aliceKey, { project_id: p.id });
    expect(h).toMatchObject({ title: 'Quiet handoff: no recorded activity', sources: [], key_changes: [], related_event_ids: [] });
  });

  it('sees what Baton runs did in the project', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Agents' });
    const run = await call('POST', '/api/v1/runs', { cookie: alice.cookie, body: { requestText: 'Add a health check endpoint', projectId: p.id } });
    expect(run.status).toBe(201);
    // The run goes as far as it can alone (at the org's default autonomy, to its first approval). Its
    // milestones reach the project's stream in the same commit as the run's own events.
    await waitForApproval(call, { cookie: alice.cookie }, run.body.data.id);
    const ev = await call('GET', `/relay/api/v1/events?project_id=${p.id}&source=baton`, { token: aliceKey });
    const types: string[] = ev.body.events.map((e: { event_type: string }) => e.event_type);
    expect(types).toContain('run_created');
    expect(types.some((t) => t !== 'run_created'), types.join(', ')).toBe(true);
    const h = await generate(aliceKey, { project_id: p.id });
    expect(h.sources).toEqual(['baton']);
    expect(h.summary).toContain('from baton');
  });

  it('answers 400 with a clear error for a missing project_id, bad filters and malformed JSON', async () => {
    const missing = await call('POST', '/relay/api/v1/handoffs', { token: aliceKey, body: { sources: ['github'] } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'project_id is missing' });
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Bad input' });
    for (const body of [{ project_id: p.id, sources: 'github' }, { project_id: p.id, filters: { github: { branches: 'main' } } }, { project_id: 42 }]) {
      const res = await call('POST', '/relay/api/v1/handoffs', { token: aliceKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectErrorBody(res.body);
    }
    const malformed = await call('POST', '/relay/api/v1/handoffs', { token: aliceKey, raw: '{"project_id": ' });
    expect(malformed.status).toBe(400);
    expectErrorBody(malformed.body);
  });

  it("never reaches another tenant's project or job: 404", async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Private' });
    const acc = await call('POST', '/relay/api/v1/handoffs', { token: aliceKey, body: { project_id: p.id } });
    const done = await waitForJob(acc.body.jobId, aliceKey);
    const asBob = await call('POST', '/relay/api/v1/handoffs', { token: bobKey, body: { project_id: p.id } });
    expect(asBob.status).toBe(404);
    expect(asBob.body).toEqual({ error: 'Project not found' });
    const job = await call('GET', `/relay/api/v1/jobs/${acc.body.jobId}`, { token: bobKey });
    expect(job.status).toBe(404);
    expect(job.body).toEqual({ error: 'Job not found' });
    expect((await call('GET', '/relay/api/v1/jobs/job_nope', { token: bobKey })).body).toEqual({ error: 'Job not found' });
    const handoff = await call('GET', `/relay/api/v1/handoffs/${done.body.job.result_id}`, { token: bobKey });
    expect(handoff.status).toBe(404);
    const patch = await call('PATCH', `/relay/api/v1/handoffs/${done.body.job.result_id}`, { token: bobKey, body: { status: 'archived' } });
    expect(patch.status).toBe(404);
    expectErrorBody(patch.body);
  });

  it('answers 401 without a Flow Relay key', async () => {
    const mk = await createApiKey(call, alice, 'mk_live');
    for (const auth of [{}, { cookie: alice.cookie }, { token: mk.key }]) {
      const post = await call('POST', '/relay/api/v1/handoffs', { ...auth, body: { project_id: 'x' } });
      expect(post.status).toBe(401);
      expectErrorBody(post.body);
      expect((await call('GET', '/relay/api/v1/jobs/job_x', auth)).status).toBe(401);
    }
  });
});

describe('GET /relay/api/v1/handoffs', () => {
  it('spans every org of the key owner, newest first, and honours limit', async () => {
    const carol = await createUser(call, { orgName: 'Carol Co' });
    await addMember(srv.baton.store, alice.orgId, carol.id, 'viewer');
    const carolKey = (await createApiKey(call, carol, 'fr')).key;
    const own = await createProject(call, { cookie: carol.cookie }, { name: 'Carol project' });
    const acme = await createProject(call, { cookie: alice.cookie }, { name: 'Shared with Carol' });
    const made: string[] = [];
    for (const project of [own, acme, own]) made.push((await generate(carolKey, { project_id: project.id })).id);
    const res = await call('GET', '/relay/api/v1/handoffs?limit=100', { token: carolKey });
    expect(res.status).toBe(200);
    expectRelayContract('GET', '/handoffs', 200, res.body);
    const listed: Array<{ id: string; created_at: string }> = res.body.handoffs;
    for (const id of made) expect(listed.map((h) => h.id)).toContain(id);
    const order = listed.map((h) => h.created_at);
    expect(order).toEqual([...order].sort().reverse());
    expect(listed.some((h) => h.id === made[1])).toBe(true);
    const two = await call('GET', '/relay/api/v1/handoffs?limit=2', { token: carolKey });
    expect(two.body.handoffs.map((h: { id: string }) => h.id)).toEqual(listed.slice(0, 2).map((h) => h.id));
    // Bob shares no org with them and sees none of it.
    const bobs = await call('GET', '/relay/api/v1/handoffs?status=all&limit=100', { token: bobKey });
    for (const id of made) expect(bobs.body.handoffs.map((h: { id: string }) => h.id)).not.toContain(id);
  });

  it('filters by status: active by default, archived, all; archiving needs the member role', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Statuses' });
    const h = await generate(aliceKey, { project_id: p.id });
    const ids = async (q: string) => (await call('GET', `/relay/api/v1/handoffs?project_id=${p.id}${q}`, { token: aliceKey })).body.handoffs.map((x: { id: string }) => x.id);
    expect(await ids('')).toEqual([h.id]);
    const viewer = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, viewer.id, 'viewer');
    const viewerKey = (await createApiKey(call, viewer, 'fr')).key;
    const denied = await call('PATCH', `/relay/api/v1/handoffs/${h.id}`, { token: viewerKey, body: { status: 'archived' } });
    expect(denied.status).toBe(403);
    expectErrorBody(denied.body);
    const archived = await call('PATCH', `/relay/api/v1/handoffs/${h.id}`, { token: aliceKey, body: { status: 'archived' } });
    expect(archived.status).toBe(200);
    expect(archived.body.status).toBe('archived');
    expect(archived.body.updated_at >= archived.body.created_at).toBe(true);
    expect(await ids('')).toEqual([]);
    expect(await ids('&status=active')).toEqual([]);
    expect(await ids('&status=archived')).toEqual([h.id]);
    expect(await ids('&status=all')).toEqual([h.id]);
    const bad = await call('PATCH', `/relay/api/v1/handoffs/${h.id}`, { token: aliceKey, body: { status: 'deleted' } });
    expect(bad.status).toBe(400);
  });

  it('answers 400 for a bad limit or status, 404 for an unknown or foreign project, 401 without a key', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'status=gone']) {
      const res = await call('GET', `/relay/api/v1/handoffs?${q}`, { token: aliceKey });
      expect(res.status, q).toBe(400);
      expectErrorBody(res.body);
    }
    const bobs = await createProject(call, { cookie: bob.cookie }, { name: 'Bob only' });
    for (const id of [bobs.id, 'nope']) {
      const res = await call('GET', `/relay/api/v1/handoffs?project_id=${id}`, { token: aliceKey });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Project not found' });
    }
    expect((await call('GET', '/relay/api/v1/handoffs')).status).toBe(401);
    expect((await call('GET', '/relay/api/v1/handoffs', { cookie: alice.cookie })).status).toBe(401);
  });

  it('shows a rename, an archive and a deletion at once, including writes by another process', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Before' });
    const h = await generate(aliceKey, { project_id: p.id });
    const list = async () => (await call('GET', `/relay/api/v1/handoffs?project_id=${p.id}&status=all`, { token: aliceKey })).body.handoffs;
    expect((await list())[0].project_name).toBe('Before');
    expect((await call('PATCH', `/api/v1/projects/${p.id}`, { cookie: alice.cookie, body: { name: 'After' } })).status).toBe(200);
    expect((await list())[0].project_name).toBe('After');

    // Another process's writes (another connection to the same database), each committed on its own.
    await writeAsOtherProcess(srv, (tx) => sqlOn(tx).run("UPDATE handoffs SET title = 'Edited elsewhere' WHERE id = ?", h.id));
    expect((await list())[0].title).toBe('Edited elsewhere');
    await writeAsOtherProcess(srv, (tx) => sqlOn(tx).run('DELETE FROM handoffs WHERE id = ?', h.id));
    expect(await list()).toEqual([]);
    const again = await generate(aliceKey, { project_id: p.id });
    expect((await list()).map((x: { id: string }) => x.id)).toEqual([again.id]);
    expect((await call('DELETE', `/api/v1/projects/${p.id}`, { cookie: alice.cookie })).status).toBe(200);
    const gone = await call('GET', '/relay/api/v1/handoffs?status=all&limit=100', { token: aliceKey });
    expect(gone.body.handoffs.map((x: { id: string }) => x.id)).not.toContain(again.id);
    expect((await call('GET', `/relay/api/v1/handoffs/${again.id}`, { token: aliceKey })).status).toBe(404);
  });
});

describe('cached pages', () => {
  it('are byte for byte what the same server answers with its read caches off', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Sealed' });
    await ingest(aliceKey, p.id, FEED);
    await generate(aliceKey, { project_id: p.id });
    await generate(aliceKey, { project_id: p.id, sources: ['slack'] });
    // A second server on the same database (srv.env: the same data dir, or the same Postgres database).
    const uncached = await startTestServer({ ...srv.env, BATON_READ_CACHES: 'false', BATON_ENGINE_PAUSED: 'true' });
    try {
      for (const q of ['limit=50', `project_id=${p.id}`, 'status=all&limit=3']) {
        const raw = async (base: string) => (await fetch(`${base}/relay/api/v1/handoffs?${q}`, { headers: { authorization: `Bearer ${aliceKey}` } })).text();
        const first = await raw(srv.url);
        const second = await raw(srv.url); // from the cache
        expect(second).toBe(first);
        expect(await raw(uncached.url)).toBe(first);
        expectRelayContract('GET', '/handoffs', 200, JSON.parse(second));
      }
    } finally {
      await uncached.close();
    }
  });
});

describe('GET /relay/api/v1/handoffs/filters', () => {
  it('lists the values the stream really holds, per source (happy)', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Facets' });
    await ingest(aliceKey, p.id, FEED);
    const res = await call('GET', `/relay/api/v1/handoffs/filters?project_id=${p.id}`, { token: aliceKey });
    expect(res.status).toBe(200);
    expectRelayContract('GET', '/handoffs/filters', 200, res.body);
    expect(res.body.filters.github).toEqual({
      projects: [{ id: 'acme/payments', label: 'acme/payments' }],
      eventTypes: [
        { value: 'pull_request', label: 'Pull request' },
        { value: 'push', label: 'Push' },
      ],
      priorities: [],
      branches: [
        { value: 'feature/pay-12', label: 'feature/pay-12' },
        { value: 'main', label: 'main' },
      ],
    });
    expect(res.body.filters.linear.priorities).toEqual([{ value: 'high', label: 'High' }]);
    expect(Object.keys(res.body.filters).sort()).toEqual(['github', 'linear', 'slack']);
  });

  it('answers 400 without project_id, 404 for a foreign project, 401 without a key', async () => {
    const missing = await call('GET', '/relay/api/v1/handoffs/filters', { token: aliceKey });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'project_id is missing' });
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Facets private' });
    const foreign = await call('GET', `/relay/api/v1/handoffs/filters?project_id=${p.id}`, { token: bobKey });
    expect(foreign.status).toBe(404);
    expectErrorBody(foreign.body);
    expect((await call('GET', `/relay/api/v1/handoffs/filters?project_id=${p.id}`)).status).toBe(401);
  });
});

describe('durability', () => {
  it('a generation that cannot be done ends failed, with a plain message for the client and the details in the log', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Broken job' });
    await srv.baton.worker.stop();
    const acc = await call('POST', '/relay/api/v1/handoffs', { token: aliceKey, body: { project_id: p.id } });
    // Stands in for a row damaged on disk: the job's stored input is no longer what the handler reads.
    try {
      await writeAsOtherProcess(srv, (tx) => sqlOn(tx).run(`UPDATE relay_jobs SET input = '{"sources":"github"}' WHERE id = ?`, acc.body.jobId));
    } finally {
      srv.baton.worker.start();
    }
    const done = await waitForJob(acc.body.jobId, aliceKey);
    expect(srv.loggedErrors.map((e) => e.msg)).toEqual(['handoff generation failed']);
    srv.loggedErrors.length = 0;
    // The contract's example is a completed job; a failed one has no result to name.
    expect(Object.keys(done.body.job).sort()).toEqual(['created_at', 'error', 'error_code', 'id', 'kind', 'project_id', 'result_id', 'result_kind', 'status', 'updated_at']);
    expect(done.body.job).toMatchObject({ status: 'failed', error_code: 'generation_failed', result_kind: 'handoff', result_id: null });
    expect(done.body.job.error).toBe(`Handoff generation failed after 1 attempt(s); the server log has the details (job ${acc.body.jobId}).`);
    expect(done.body.job.error).not.toMatch(/sources|Invalid|expected/);
    expect(done.body.result).toBeNull();
  });

  it('a generation accepted before a stop is done after the restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-handoff-restart-'));
    // The restarted server finds the same database: the same data dir, or the same Postgres database.
    const database = await testDatabaseEnv();
    try {
      const paused = await startTestServer({ ...database, BATON_DATA_DIR: dataDir, BATON_ENGINE_PAUSED: 'true', BATON_RELAY_RATE_LIMIT: '0', BATON_RELAY_USER_RATE_LIMIT: '0' });
      const c1 = client(paused.url);
      const u = await createUser(c1);
      const key = (await createApiKey(c1, u, 'fr')).key;
      const p = await createProject(c1, { cookie: u.cookie }, { name: 'Restart' });
      const acc = await c1('POST', '/relay/api/v1/handoffs', { token: key, body: { project_id: p.id } });
      expect(acc.status).toBe(202);
      expect((await c1('GET', `/relay/api/v1/jobs/${acc.body.jobId}`, { token: key })).body.job.status).toBe('pending');
      await paused.close();

      const resumed = await startTestServer({ ...database, BATON_DATA_DIR: dataDir, BATON_RELAY_RATE_LIMIT: '0', BATON_RELAY_USER_RATE_LIMIT: '0' });
      try {
        call = client(resumed.url);
        const done = await waitForJob(acc.body.jobId, key);
        expect(done.body.job.status).toBe('completed');
        expect(done.body.result.title).toBe('Restart handoff: no recorded activity');
      } finally {
        call = client(srv.url);
        await resumed.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
