import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../helpers/embedded-postgres.ts';
import { expectErrorBody, expectMkContract, expectRelayContract } from '../helpers/contract.ts';
import { createApiKey, createUser, sessionCookie, type TestUser } from '../helpers/factories.ts';
import { PAYMENTS_FEED } from '../helpers/relay-feed.ts';
import { createRunVia, getRun, pendingApproval, setAutonomy, waitForApproval, waitForRun } from '../helpers/runs.ts';
import { openSse, type SseStream } from '../helpers/sse.ts';
import {
  dumpLogs,
  expectOneStory,
  expectStreamMatches,
  isEnded,
  loggedErrors,
  peekDatabase,
  sleep,
  startClusterLlm,
  startNodes,
  stopNodes,
  streamEnded,
  until,
  type BatonNode,
  type ClusterLlm,
  type DbPeek,
} from './helpers.ts';

/**
 * Three Baton processes on one fresh PostgreSQL: whatever a client does on one node holds on the
 * others at once (sessions, key revocation, rate limits, jobs, run events), and a node killed
 * mid-run loses nothing: the others take its work over once its leases lapse.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
let llm: ClusterLlm;
let databaseUrl: string;
let nodes: BatonNode[];
let n1: BatonNode, n2: BatonNode, n3: BatonNode;
let peek: DbPeek;
const streams: SseStream[] = [];

const WRITE_THEN_LIST = {
  buildTurns: [[{ name: 'write_file', arguments: { path: 'a.txt', content: 'alpha\n' } }]],
  planSteps: [{ stage: 'verify', tool: 'list_files', args: { path: '.' }, description: 'List the workspace' }],
};

beforeAll(async () => {
  llm = await startClusterLlm({
    // Writes a.txt in build (asks under "assist"), lists the workspace in verify.
    default: { ...WRITE_THEN_LIST, delayMs: 20 },
    // The same, slowly: runs hold their jobs long enough for a node to die holding some.
    slow: { ...WRITE_THEN_LIST, delayMs: 250 },
    // Writes a.txt in build, then b.txt in verify (both ask under "assist"), then reads a.txt back.
    workspace: {
      buildTurns: [[{ name: 'write_file', arguments: { path: 'a.txt', content: 'alpha\n' } }]],
      planSteps: [
        { stage: 'verify', tool: 'write_file', args: { path: 'b.txt', content: 'beta\n' }, description: 'Write b.txt' },
        { stage: 'verify', tool: 'read_file', args: { path: 'a.txt' }, description: 'Read a.txt back' },
      ],
    },
  });
  databaseUrl = await createTestDatabase(inject('pgAdminUrl'), 'baton_cluster');
  peek = peekDatabase(databaseUrl);
  // All three at the same moment, on a database nobody has migrated yet.
  nodes = await startNodes(['node-1', 'node-2', 'node-3'], databaseUrl, { BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1' });
  [n1, n2, n3] = nodes as [BatonNode, BatonNode, BatonNode];
});

afterAll(async () => {
  for (const s of streams) s.close();
  dumpLogs(nodes ?? []);
  await stopNodes(nodes ?? []);
  await peek?.close();
  await llm?.close();
});

describe('a cluster of three nodes on one PostgreSQL', () => {
  it('starts together on a fresh database, migrating it once; every node is ready', async () => {
    for (const n of nodes) {
      expect(loggedErrors(n), n.id).toEqual([]);
      const ready = await fetch(`${n.url}/readyz`);
      expect(ready.status, n.id).toBe(200);
      // Each node answers for itself: a load balancer can tell them apart.
      expect(await ready.json()).toMatchObject({ ok: true, node: n.id });
    }
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      const applied = await c.query('SELECT hash, count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY hash');
      const journal = JSON.parse(readFileSync(join(root, 'drizzle/postgres/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
      expect(applied.rows).toHaveLength(journal.entries.length);
      for (const row of applied.rows) expect(row.n, `migration ${row.hash} applied more than once`).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('registers on node 1, logs in on node 2, and the session works on node 3 until logged out anywhere', async () => {
    const email = `ada-${Date.now().toString(36)}@example.test`;
    const password = 'correct horse battery staple';
    const reg = await n1.call('POST', '/api/v1/auth/register', { body: { email, password, name: 'Ada' } });
    expect(reg.status).toBe(201);
    expectMkContract('POST', '/auth/register', 201, reg.body);

    const login = await n2.call('POST', '/api/v1/auth/login', { body: { email, password } });
    expect(login.status).toBe(200);
    expectMkContract('POST', '/auth/login', 200, login.body);
    const cookie = sessionCookie(login.headers);

    const orgs = await n3.call('GET', '/api/v1/orgs', { cookie });
    expect(orgs.status).toBe(200);
    expectMkContract('GET', '/orgs', 200, orgs.body);
    expect(orgs.body.data.organizations.map((o: any) => o.id)).toContain(reg.body.data.organization.id);

    // A change made on one node is what the others read next.
    const patched = await n3.call('PATCH', `/api/v1/orgs/${reg.body.data.organization.id}`, { cookie, body: { autonomyLevel: 'act' } });
    expect(patched.status).toBe(200);
    for (const n of [n1, n2]) {
      const org = await n.call('GET', `/api/v1/orgs/${reg.body.data.organization.id}`, { cookie });
      expect(org.status, n.id).toBe(200);
      expect(org.body.data.autonomyLevel, n.id).toBe('act');
    }

    const logout = await n3.call('POST', '/api/v1/auth/logout', { cookie });
    expect(logout.status).toBe(200);
    for (const n of [n1, n2, n3]) {
      const after = await n.call('GET', '/api/v1/orgs', { cookie });
      expect(after.status, `${n.id} still honours a session logged out on node-3`).toBe(401);
      expectErrorBody(after.body);
    }
  });

  it('counts failed logins across nodes: the sixth, on any node, is throttled with Retry-After', async () => {
    const user = await createUser(n1.call);
    for (let i = 0; i < 5; i++) {
      const n = nodes[i % 3]!;
      const bad = await n.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'wrong password' } });
      expect(bad.status, `attempt ${i + 1} on ${n.id}`).toBe(401);
    }
    for (const n of nodes) {
      const throttled = await n.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
      expect(throttled.status, n.id).toBe(429);
      expectErrorBody(throttled.body);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('an API key revoked on one node is refused on every node at once', async () => {
    const user = await createUser(n1.call);
    const key = await createApiKey(n1.call, user, 'mk_live');
    for (const n of nodes) {
      const ok = await n.call('GET', '/api/v1/runs?limit=1', { token: key.key });
      expect(ok.status, n.id).toBe(200);
      expectMkContract('GET', '/runs', 200, ok.body);
      // Writes too: POST /runs, whose calls are written in batches, is refused below as reads are.
      const created = await n.call('POST', '/api/v1/runs', { token: key.key, body: { requestText: `before revocation, on ${n.id}` } });
      expect(created.status, n.id).toBe(201);
      expectMkContract('POST', '/runs', 201, created.body);
    }
    const revoked = await n2.call('DELETE', `/api/v1/api-keys/${key.id}`, { cookie: user.cookie });
    expect(revoked.status).toBe(200);
    // No waiting: the very next request on each node is refused.
    for (const n of [n1, n3, n2]) {
      const create = await n.call('POST', '/api/v1/runs', { token: key.key, body: { requestText: `after revocation, on ${n.id}` } });
      expect(create.status, `${n.id} created a run with a key revoked on node-2`).toBe(401);
      expectMkContract('POST', '/runs', 401, create.body);
      expect(create.body.error).toBe('Invalid API key');
      const refused = await n.call('GET', '/api/v1/runs?limit=1', { token: key.key });
      expect(refused.status, `${n.id} accepted a key revoked on node-2`).toBe(401);
      expectMkContract('GET', '/runs', 401, refused.body);
      expect(refused.body.error).toBe('Invalid API key');
    }
  });

  it('counts the Flow Relay rate limit across nodes: 60 requests spread over three nodes, then 429 with Retry-After on each', async () => {
    const user = await createUser(n2.call);
    const key = (await createApiKey(n2.call, user, 'fr')).key;
    const other = (await createApiKey(n2.call, user, 'fr')).key;
    // The limit counts per fixed minute: start with most of a minute left, so all requests share one.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 50_000) await sleep(60_000 - intoWindow + 200);
    const limit = 60;
    for (let i = 0; i < limit; i += 6) {
      const batch = await Promise.all([0, 1, 2, 3, 4, 5].map((j) => nodes[(i + j) % 3]!.call('GET', '/relay/api/v1/projects', { token: key })));
      for (const r of batch) expect(r.status, `request ${i} of ${limit}: ${JSON.stringify(r.body)}`).toBe(200);
    }
    expectRelayContract('GET', '/projects', 200, (await n1.call('GET', '/relay/api/v1/projects', { token: other })).body);
    for (const n of nodes) {
      const limited = await n.call('GET', '/relay/api/v1/projects', { token: key });
      expect(limited.status, `${n.id} let request ${limit + 1} through`).toBe(429);
      expectErrorBody(limited.body);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // Another key of the same user has its own count.
    expect((await n3.call('GET', '/relay/api/v1/projects', { token: other })).status).toBe(200);
  }, 60_000);

  it('a handoff generation queued on node 1 is polled to completion on nodes 2 and 3; every node lists the change at once', async () => {
    const user = await createUser(n1.call, { orgName: 'Acme' });
    const key = (await createApiKey(n1.call, user, 'fr')).key;
    const project = await n1.call('POST', '/api/v1/projects', { cookie: user.cookie, body: { name: 'Payments' } });
    expect(project.status).toBe(201);
    const projectId = project.body.data.id;
    const ingested = await n1.call('POST', '/relay/api/v1/events', { token: key, body: { project_id: projectId, events: PAYMENTS_FEED } });
    expect(ingested.status, JSON.stringify(ingested.body)).toBe(201);

    // Nodes 2 and 3 cache the (empty) page now: whichever node's worker writes the handoff, they must not serve it again.
    const listed = async (n: BatonNode, status = 'active') => {
      const res = await n.call('GET', `/relay/api/v1/handoffs?project_id=${projectId}&status=${status}`, { token: key });
      expect(res.status, `${n.id}: ${JSON.stringify(res.body)}`).toBe(200);
      expectRelayContract('GET', '/handoffs', 200, res.body);
      return res.body.handoffs as Array<{ id: string; status: string; project_name: string }>;
    };
    for (const n of [n2, n3]) expect(await listed(n)).toEqual([]);

    const accepted = await n1.call('POST', '/relay/api/v1/handoffs', { token: key, body: { project_id: projectId } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expectRelayContract('POST', '/handoffs', 202, accepted.body);
    const jobId = accepted.body.jobId;

    let polls = 0;
    const done = await until(
      async () => {
        const n = [n2, n3][polls++ % 2]!;
        const res = await n.call('GET', `/relay/api/v1/jobs/${jobId}`, { token: key });
        expect(res.status, `${n.id}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.job.id).toBe(jobId);
        return ['completed', 'failed'].includes(res.body.job.status) ? res : null;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `handoff job ${jobId} to finish` },
    );
    expectRelayContract('GET', '/jobs/{jobId}', 200, done.body);
    expect(done.body.job).toMatchObject({ id: jobId, project_id: projectId, kind: 'project_handoff', status: 'completed', result_kind: 'handoff', error: null });
    const handoff = await n3.call('GET', `/relay/api/v1/handoffs/${done.body.job.result_id}`, { token: key });
    expect(handoff.status).toBe(200);
    expect(handoff.body).toMatchObject({ id: done.body.job.result_id, project_id: projectId, title: 'Payments handoff: PAY-12' });
    for (const n of [n2, n3]) expect((await listed(n)).map((h) => h.id)).toEqual([done.body.job.result_id]);

    // Archived on node 1 and the project renamed on node 3: the pages the others hold are stale at once.
    expect((await n1.call('PATCH', `/relay/api/v1/handoffs/${done.body.job.result_id}`, { token: key, body: { status: 'archived' } })).status).toBe(200);
    for (const n of [n2, n3]) expect(await listed(n)).toEqual([]);
    expect((await listed(n2, 'all')).map((h) => [h.status, h.project_name])).toEqual([['archived', 'Payments']]);
    expect((await n3.call('PATCH', `/api/v1/projects/${projectId}`, { cookie: user.cookie, body: { name: 'Billing' } })).status).toBe(200);
    for (const n of [n1, n2]) expect((await listed(n, 'all')).map((h) => h.project_name)).toEqual(['Billing']);
  }, 60_000);

  it('a run created on node 1, streamed from node 2 and approved on node 3 streams every event 1..n once, in order', async () => {
    const user = await createUser(n1.call);
    const auth = { cookie: user.cookie };
    // Organizations start at "assist": the model's write asks a person first.
    const created = await n1.call('POST', '/api/v1/runs', { ...auth, body: { requestText: 'Add a.txt [cross-node stream]' } });
    expect(created.status).toBe(201);
    expectMkContract('POST', '/runs', 201, created.body);
    const runId = created.body.data.id;

    const stream = await openSse(`${n2.url}/api/v1/runs/${runId}/stream`, { cookie: user.cookie });
    streams.push(stream);
    expect(stream.status).toBe(200);

    const waiting = await waitForApproval(n3.call, auth, runId, 30_000);
    const pending = pendingApproval(waiting);
    expect(pending, `run ended without asking: ${waiting.status} ${waiting.errorMessage}`).toBeTruthy();
    // The stream on node 2 has caught up with the request made on another node.
    await stream.waitFor((ev) => ev.some((e) => e.event === 'approval_requested' && e.data.data.approvalId === pending.id), 20_000);

    const approved = await n3.call('POST', `/api/v1/runs/${runId}/approve`, { ...auth, body: { approvalId: pending.id } });
    expect(approved.status).toBe(200);
    expectMkContract('POST', '/runs/{id}/approve', 200, approved.body);

    await until(() => stream.closed, { timeoutMs: 60_000, what: () => `the stream to end; got ${stream.events.map((e) => `${e.id}:${e.event}`).join(', ')}` });
    const run = await getRun(n1.call, auth, runId);
    expectMkContract('GET', '/runs/{id}', 200, { data: run });
    expect(run.status, run.errorMessage).toBe('completed');
    expectOneStory(run);
    expectStreamMatches(stream.events, run);
    expect(streamEnded(stream.events)).toBe(true);
  }, 120_000);

  it("a run's steps may run on different nodes: a file written in build is read back in verify on another node", async () => {
    const user = await createUser(n1.call);
    const auth = { cookie: user.cookie };
    const run = await createRunVia(n1.call, auth, { requestText: 'Write a.txt then read it back [script:workspace]' });
    const first = pendingApproval(await waitForApproval(n1.call, auth, run.id, 30_000));
    expect(first?.actionSummary).toMatch(/a\.txt/);
    // Node 1 alone runs the build step (the others are frozen meanwhile): it writes a.txt.
    n2.pause();
    n3.pause();
    let second;
    try {
      expect((await n1.call('POST', `/api/v1/runs/${run.id}/approve`, { ...auth, body: { approvalId: first.id } })).status).toBe(200);
      second = await until(
        async () => {
          const r = await getRun(n1.call, auth, run.id);
          const p = pendingApproval(r);
          return (p && p.id !== first.id) || isEnded(r.status) ? r : null;
        },
        { timeoutMs: 30_000, what: 'the second approval (write b.txt)' },
      );
    } finally {
      n2.resume();
      n3.resume();
    }
    expect(second.status, second.errorMessage).toBe('verify');
    // The cluster's shared data dir holds it.
    expect(existsSync(join(n1.dataDir, 'workspaces', `run-${run.id}`, 'a.txt'))).toBe(true);
    const writer = n1;
    // The writer steps aside (it holds no job: the run waits for a person); another node does the rest.
    writer.pause();
    try {
      const other = nodes.find((n) => n !== writer)!;
      const approved = await other.call('POST', `/api/v1/runs/${run.id}/approve`, { ...auth, body: { approvalId: pendingApproval(second).id } });
      expect(approved.status).toBe(200);
      const done = await waitForRun(other.call, auth, run.id, undefined, 30_000);
      expect(done.status, `${done.errorMessage} (a.txt was written by ${writer.id}, read back on another node)`).toBe('completed');
    } finally {
      writer.resume();
    }
  }, 120_000);

  it('twenty runs in flight, one node SIGKILLed mid-way: the other two finish every run, each event once, one unbroken stage chain', async () => {
    const user: TestUser = await createUser(n1.call);
    const auth = { cookie: user.cookie };
    await setAutonomy(n1.call, auth, user.orgId, 'autopilot');
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createRunVia(nodes[i % 3]!.call, auth, { requestText: `Concurrent run ${i} [script:slow]` })),
    );
    // Each run streamed from the node after the one that created it.
    const streamNode = (i: number) => nodes[(i + 1) % 3]!;
    const first = await Promise.all(runs.map((r, i) => openSse(`${streamNode(i).url}/api/v1/runs/${r.id}/stream`, { cookie: user.cookie })));
    streams.push(...first);
    for (const s of first) expect(s.status).toBe(200);
    // Kill a node while it provably holds run steps (its leases are in the database).
    const [victimId, held] = await until(
      async () => {
        const leases = await peek.leasesByNode();
        return [...leases.entries()].filter(([id]) => id.startsWith('node-')).sort((a, b) => b[1] - a[1])[0] ?? null;
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'a node to hold run steps' },
    );
    expect(held).toBeGreaterThan(0);
    const victim = nodes.find((n) => n.id === victimId)!;
    await victim.kill();
    // Its leases stay in the database until they lapse: the steps it was running when it died.
    const heldRuns = await peek.leasedRuns(victimId);
    expect(heldRuns.length, `${victimId} held no run step when it was killed`).toBeGreaterThan(0);
    const before = await Promise.all(runs.map((r) => getRun(n1 === victim ? n2.call : n1.call, auth, r.id)));
    expect(before.filter((r) => !isEnded(r.status)).length, 'every run had finished before the kill').toBeGreaterThan(0);

    const survivors = nodes.filter((n) => n !== victim);
    // The victim's streams broke with it: their clients come back on a survivor with Last-Event-ID.
    const resumed = await Promise.all(
      runs.map(async (r, i) => {
        if (streamNode(i) !== victim) return null;
        const broken = first[i]!;
        await until(() => broken.closed, { timeoutMs: 10_000, what: `the stream on ${victimId} to break` });
        const last = broken.events.at(-1)?.id;
        const s = await openSse(`${survivors[i % 2]!.url}/api/v1/runs/${r.id}/stream`, { cookie: user.cookie, ...(last ? { 'last-event-id': String(last) } : {}) });
        streams.push(s);
        return s;
      }),
    );
    expect(resumed.filter(Boolean).length).toBeGreaterThan(0);

    // The victim's leases lapse (30 s by default) before another node may take its steps.
    const after = await Promise.all(runs.map((r, i) => waitForRun(survivors[i % 2]!.call, auth, r.id, undefined, 120_000)));
    for (const [i, run] of after.entries()) {
      expect(run.status, `${run.id}: ${run.errorMessage}`).toBe('completed');
      expectOneStory(run);
      // What was committed before the kill is still there, unchanged.
      expect(run.events.slice(0, before[i]!.events.length).map((e: any) => e.id)).toEqual(before[i]!.events.map((e: any) => e.id));
    }
    // Every client saw every event once, in order, whether its stream lived on or had to resume.
    for (const [i, run] of after.entries()) {
      const parts = [first[i]!, resumed[i]].filter((s): s is SseStream => Boolean(s));
      for (const s of parts) await until(() => s.closed, { timeoutMs: 20_000, what: `stream ${i} (${run.id}) to end` });
      // 204: the run had ended and nothing was left after Last-Event-ID.
      expectStreamMatches(parts.flatMap((s) => (s.status === 200 ? s.events : [])), run);
    }
    // The steps the victim held were finished by the survivors.
    for (const id of heldRuns) expect(after.find((r) => r.id === id)!.status).toBe('completed');
    for (const n of survivors) expect(loggedErrors(n), n.id).toEqual([]);
  }, 180_000);
});
