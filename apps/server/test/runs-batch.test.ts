import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { serverSql, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { createApiKey, createProject, createUser } from '../../../test/helpers/factories.ts';
import { waitForRun } from '../../../test/helpers/runs.ts';

/*
 * POST /runs from many clients at once: the calls that arrive while a creation commits are written
 * together, one unit and one statement per table (create-run.ts). Whatever shares a batch, each
 * caller gets its own answer, and every run is whole: its row, its first event, its context line
 * and its engine job, with a refused project failing only the request that named it.
 */
let srv: TestServer;
let call: Call;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
});
afterAll(async () => {
  await srv?.close();
});

describe('POST /runs in bursts', () => {
  it('gives every caller its own run, or its own 404, and writes each run whole', async () => {
    const alice = await createUser(call);
    const mallory = await createUser(call);
    const auth = { token: (await createApiKey(call, alice, 'mk_live')).key };
    const malloryAuth = { token: (await createApiKey(call, mallory, 'mk_live')).key };
    const project = await createProject(call, auth);
    const foreign = await createProject(call, malloryAuth);

    // 48 at once: most valid (with and without a project), some naming another org's project or none at all.
    const bodies = Array.from({ length: 48 }, (_, i) => {
      const requestText = `burst ${i}`;
      if (i % 8 === 3) return { requestText, projectId: foreign.id, refused: true };
      if (i % 8 === 5) return { requestText, projectId: randomUUID(), refused: true };
      return i % 2 ? { requestText, projectId: project.id, refused: false } : { requestText, refused: false };
    });
    const replies = await Promise.all(bodies.map(({ refused: _, ...body }) => call('POST', '/api/v1/runs', { ...auth, body })));

    const created: Array<{ id: string; requestText: string; projectId: string | null }> = [];
    for (const [i, res] of replies.entries()) {
      const want = bodies[i]!;
      if (want.refused) {
        expect(res.status).toBe(404);
        expectErrorBody(res.body);
        expect(res.body.error).toBe('Project not found');
        continue;
      }
      expect(res.status).toBe(201);
      expectMkContract('POST', '/runs', 201, res.body);
      expect(res.body.data.requestText).toBe(want.requestText);
      expect(res.body.data.projectId).toBe(want.projectId ?? null);
      created.push(res.body.data);
    }
    expect(created).toHaveLength(36);
    expect(new Set(created.map((r) => r.id)).size).toBe(36);

    const ids = created.map((r) => r.id);
    const inList = ids.map(() => '?').join(', ');
    const sql = serverSql(srv);
    // No run was written for a refused request.
    const texts = (await sql.all<{ request_text: string }>(`SELECT request_text FROM runs WHERE user_id = ?`, alice.id)).map((r) => r.request_text);
    expect(texts.sort()).toEqual(created.map((r) => r.requestText).sort());
    // Each run's first event is number 1, its move into intake.
    const first = await sql.all<{ run_id: string; event_type: string }>(`SELECT run_id, event_type FROM run_events WHERE sequence_number = 1 AND run_id IN (${inList})`, ...ids);
    expect(first.map((e) => e.run_id).sort()).toEqual([...ids].sort());
    expect(first.every((e) => e.event_type === 'stage_transition')).toBe(true);
    // One "run started" line per run in the context stream: the project's, or alice's own.
    const lines = await sql.all<{ run_id: string; project_id: string | null; event_type: string }>(
      `SELECT run_id, project_id, event_type FROM context_events WHERE event_type = 'run_created' AND run_id IN (${inList})`,
      ...ids,
    );
    expect(lines).toHaveLength(36);
    for (const r of created) expect(lines.find((l) => l.run_id === r.id)?.project_id ?? null).toBe(r.projectId ?? null);
    // Every run is handed to the engine, which takes each one on: none is left in intake.
    for (const r of created) {
      const run = await waitForRun(call, auth, r.id, (x) => x.status !== 'intake');
      expect(run.events[0].sequenceNumber).toBe(1);
    }
    // Mallory's project has no run of alice's, and alice cannot see into it.
    const foreignRuns = await sql.get<{ n: number }>(`SELECT count(*) AS n FROM runs WHERE project_id = ?`, foreign.id);
    expect(Number(foreignRuns!.n)).toBe(0);
    const peek = await call('GET', `/api/v1/runs/${ids[0]}`, malloryAuth);
    expect(peek.status).toBe(404);
    expectErrorBody(peek.body);
  });

  it('run ids are UUIDv7, so new runs and their events land at the right edge of their indexes', async () => {
    // Random ids put every new run, and its first event (indexed by run id), on a random index page:
    // a page each to write, and on PostgreSQL a full-page image after every checkpoint (ids.ts).
    const auth = { token: (await createApiKey(call, await createUser(call), 'mk_live')).key };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/api/v1/runs', { ...auth, body: { requestText: `in order ${i}` } });
      expect(res.status).toBe(201);
      expectMkContract('POST', '/runs', 201, res.body);
      ids.push(res.body.data.id);
    }
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Made one after another, they sort in the order they were made.
    expect([...ids].sort()).toEqual(ids);
  });

  it('a project deleted while runs naming it are created: each caller gets a run or a 404, never an error', async () => {
    const alice = await createUser(call);
    const auth = { token: (await createApiKey(call, alice, 'mk_live')).key };
    // Several rounds, the delete landing at a different moment of the burst each time.
    for (let round = 0; round < 4; round++) {
      const project = await createProject(call, auth);
      const burst = Array.from({ length: 24 }, (_, i) => call('POST', '/api/v1/runs', { ...auth, body: { requestText: `race ${round}.${i}`, projectId: project.id } }));
      await new Promise((r) => setTimeout(r, round * 3));
      const deleted = await call('DELETE', `/api/v1/projects/${project.id}`, auth);
      expect(deleted.status).toBe(200);
      for (const res of await Promise.all(burst)) {
        if (res.status === 201) {
          expectMkContract('POST', '/runs', 201, res.body);
          continue;
        }
        expect(res.status).toBe(404);
        expectErrorBody(res.body);
        expect(res.body.error).toBe('Project not found');
      }
      // Once the delete answered, the project takes no more runs.
      const late = await call('POST', '/api/v1/runs', { ...auth, body: { requestText: 'too late', projectId: project.id } });
      expect(late.status).toBe(404);
    }
  });
});
