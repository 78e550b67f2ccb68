import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/embedded-postgres.ts';
import { startRestartablePostgres, type RestartablePostgres } from './restartable-postgres.ts';
import { expectErrorBody, expectMkContract } from '../helpers/contract.ts';
import { createApiKey, createUser, type TestUser } from '../helpers/factories.ts';
import { createRunVia, getRun, setAutonomy, waitForRun } from '../helpers/runs.ts';
import { openSse, type SseStream } from '../helpers/sse.ts';
import type { Reply } from '../helpers/client.ts';
import {
  dumpLogs,
  expectOneStory,
  expectServing,
  expectStreamMatches,
  problemOf,
  sleep,
  startClusterLlm,
  startNodes,
  stopNodes,
  until,
  type BatonNode,
  type ClusterLlm,
  type Hold,
} from './helpers.ts';

/**
 * PostgreSQL stopped and started again under load, twice (a clean fast shutdown, then a crash):
 * while it is down every request that needs it gets 503 {"error"} (never a 500) and /readyz says
 * 503; nothing a client saw acknowledged (2xx) is lost; once it is back, work resumes: runs in
 * flight complete and SSE streams opened before the outage carry on where they were.
 */

let pgServer: RestartablePostgres;
let llm: ClusterLlm;
let nodes: BatonNode[] = [];
let n1: BatonNode, n2: BatonNode;
const streams: SseStream[] = [];
const holds: Hold[] = [];

beforeAll(async () => {
  pgServer = await startRestartablePostgres();
  const databaseUrl = await createTestDatabase(pgServer.adminUrl, 'baton_cluster');
  llm = await startClusterLlm({
    default: {
      // Each model call takes a while, so steps are in flight when the database goes away.
      delayMs: 150,
      buildTurns: [[{ name: 'write_file', arguments: { path: 'a.txt', content: 'alpha\n' } }]],
      planSteps: [{ stage: 'verify', tool: 'list_files', args: { path: '.' }, description: 'List the workspace' }],
    },
  });
  nodes = await startNodes(['node-1', 'node-2'], databaseUrl, { BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1', BATON_DB_POOL_SIZE: '4' });
  [n1, n2] = nodes as [BatonNode, BatonNode];
});

afterAll(async () => {
  for (const h of holds) h.release();
  for (const s of streams) s.close();
  dumpLogs(nodes);
  await stopNodes(nodes);
  await llm?.close();
  await pgServer?.stop();
});

interface Outcome {
  what: string;
  node: string;
  status: number;
  body: unknown;
  retryAfter: string | null;
}

describe('PostgreSQL stopped and restarted under load', () => {
  it('answers 503 while it is down, loses nothing acknowledged, and resumes runs and streams once it is back', async () => {
    const user: TestUser = await createUser(n1.call);
    const auth = { cookie: user.cookie };
    await setAutonomy(n1.call, auth, user.orgId, 'autopilot');
    const fr = (await createApiKey(n1.call, user, 'fr')).key;

    // Runs under way, each streamed from the node that did not create it. The first one's plan
    // step waits for the model until both outages are over: its stream spans them for sure.
    const spanning = llm.hold('[spanning]', 'submit_plan');
    holds.push(spanning);
    const early = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => createRunVia(nodes[i % 2]!.call, auth, { requestText: `Early run ${i}${i === 0 ? ' [spanning]' : ''}` })),
    );
    for (const [i, run] of early.entries()) {
      const s = await openSse(`${nodes[(i + 1) % 2]!.url}/api/v1/runs/${run.id}/stream`, { cookie: user.cookie });
      expect(s.status).toBe(200);
      streams.push(s);
    }

    // Load: clients keep creating projects and runs on both nodes throughout.
    const outcomes: Outcome[] = [];
    const acknowledgedProjects: string[] = [];
    const acknowledgedRuns: string[] = [];
    let loading = true;
    const record = (what: string, node: BatonNode, r: Reply) => {
      outcomes.push({ what, node: node.id, status: r.status, body: r.body, retryAfter: r.headers.get('retry-after') });
      return r;
    };
    const load = (async () => {
      for (let i = 0; loading; i++) {
        const node = nodes[i % 2]!;
        try {
          const p = record('POST /projects', node, await node.call('POST', '/api/v1/projects', { ...auth, body: { name: `Load ${i}` } }));
          if (p.status === 201) acknowledgedProjects.push(p.body.data.id);
          if (i % 8 === 0) {
            const r = record('POST /runs', node, await node.call('POST', '/api/v1/runs', { ...auth, body: { requestText: `Load run ${i}` } }));
            if (r.status === 201) acknowledgedRuns.push(r.body.data.id);
          }
          record('GET /runs', node, await node.call('GET', '/api/v1/runs?limit=5', auth));
        } catch (e) {
          outcomes.push({ what: `request ${i}`, node: node.id, status: -1, body: String(e), retryAfter: null });
        }
        await sleep(40);
      }
    })();

    /** While the database is down: liveness up, readiness 503, every request 503 {"error"} with Retry-After. */
    const checkDown = async (n: BatonNode, mode: string) => {
      await expectServing(n, `once PostgreSQL was stopped (${mode})`);
      const ready = await fetch(`${n.url}/readyz`);
      expect(ready.status, `${n.id} /readyz with the database ${mode}-stopped`).toBe(503);
      expect(await ready.json()).toEqual({ error: expect.any(String), node: n.id });
      const down: Array<[string, Promise<Reply>]> = [
        ['GET /runs', n.call('GET', '/api/v1/runs?limit=5', auth)],
        ['GET /runs/{id}', n.call('GET', `/api/v1/runs/${early[0]!.id}`, auth)],
        ['POST /projects', n.call('POST', '/api/v1/projects', { ...auth, body: { name: 'During the outage' } })],
        ['POST /runs', n.call('POST', '/api/v1/runs', { ...auth, body: { requestText: 'During the outage' } })],
        ['POST /auth/login', n.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } })],
        ['GET /relay/projects', n.call('GET', '/relay/api/v1/projects', { token: fr })],
      ];
      for (const [what, pending] of down) {
        const r = await pending;
        expect(r.status, `${n.id} ${what} with the database down: ${JSON.stringify(r.body)}`).toBe(503);
        expectErrorBody(r.body);
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const stream = await openSse(`${n.url}/api/v1/runs/${early[0]!.id}/stream`, { cookie: user.cookie });
      await stream.ended;
      expect(stream.status, `${n.id} stream opened with the database down`).toBe(503);
      expectErrorBody(JSON.parse(stream.body));
    };

    const outage = async (mode: 'fast' | 'immediate') => {
      // Steps are in flight: the model is answering some of them right now.
      await until(() => llm.inFlight() > 0, { timeoutMs: 30_000, intervalMs: 5, what: 'a model call in flight' });
      await pgServer.halt(mode);
      for (const n of nodes) {
        try {
          await checkDown(n, mode);
        } catch (e) {
          // A node that died says so, with its last output, rather than as a refused connection.
          await expectServing(n, `once PostgreSQL was stopped (${mode})`);
          throw e;
        }
      }
      // The load keeps going against the outage for a moment.
      const seen = outcomes.length;
      await until(() => outcomes.slice(seen).filter((o) => o.status === 503).length >= 4, { timeoutMs: 20_000, what: 'the load to meet the outage' });
      await pgServer.resume();
      for (const n of nodes) {
        await until(async () => (await fetch(`${n.url}/readyz`)).status === 200, { timeoutMs: 30_000, what: `${n.id} to be ready again` });
      }
      // Served again: the load gets through.
      const after = outcomes.length;
      await until(() => outcomes.slice(after).filter((o) => o.status >= 200 && o.status < 300).length >= 6, { timeoutMs: 30_000, what: 'the load to get through again' });
    };

    await spanning.arrived;
    await outage('fast');
    await outage('immediate');
    expect((await getRun(n1.call, auth, early[0]!.id)).status).toBe('plan');
    spanning.release();
    loading = false;
    await load;

    // Nothing but success or 503 {"error"} (with Retry-After) was ever answered.
    const bad = outcomes.filter((o) => !(o.status >= 200 && o.status < 300) && o.status !== 503);
    expect(bad, 'answers other than 2xx or 503').toEqual([]);
    for (const o of outcomes.filter((o) => o.status === 503)) {
      expectErrorBody(o.body);
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
    }
    expect(outcomes.filter((o) => o.status === 503).length).toBeGreaterThan(0);

    // Everything acknowledged is there.
    expect(acknowledgedProjects.length).toBeGreaterThan(0);
    for (const [i, id] of acknowledgedProjects.entries()) {
      const r = await nodes[i % 2]!.call('GET', `/api/v1/projects/${id}`, auth);
      expect(r.status, `acknowledged project ${id} is gone`).toBe(200);
    }
    const list = await n2.call('GET', '/api/v1/runs?limit=100', auth);
    expectMkContract('GET', '/runs', 200, list.body);

    // Work resumes: every run acknowledged, before or during the load, completes (steps interrupted
    // by the outage run again once their leases lapse), each event once.
    const all = [...early.map((r) => r.id), ...acknowledgedRuns];
    const problems: string[] = [];
    const finished = await Promise.all(all.map((id, i) => waitForRun(nodes[i % 2]!.call, auth, id, undefined, 120_000)));
    for (const run of finished) {
      if (run.status !== 'completed') problems.push(`run ${run.id} ended ${run.status}: ${run.errorMessage}`);
      problems.push(...problemOf(() => expectOneStory(run)));
    }
    // Streams opened before the outages carried on through both: every event once, in order.
    for (const [i, s] of streams.entries()) {
      await until(() => s.closed, { timeoutMs: 20_000, what: `stream ${i} to end` }).catch(() => {});
      if (!s.closed) {
        problems.push(`the stream of run ${early[i]!.id} (on ${nodes[(i + 1) % 2]!.id}) did not end; it got ${s.events.map((e) => e.id).join(',')} of ${finished[i]!.events.length}`);
        continue;
      }
      problems.push(...problemOf(() => expectStreamMatches(s.events, finished[i]!)));
    }
    // No request was answered with a 500 (a 500 is logged as an error with its stack).
    for (const n of nodes) {
      const fiveHundreds = n.logs().filter((l) => l.level === 'error' && /unhandled|trpc error/.test(l.msg));
      if (fiveHundreds.length) problems.push(`${n.id} logged unhandled errors: ${JSON.stringify(fiveHundreds.slice(0, 3))}`);
    }
    const latest = await getRun(n1.call, auth, early[0]!.id);
    expect(latest.status).toBe('completed');
    expect(problems).toEqual([]);
  }, 240_000);
});
