import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSideStore, sqlOn, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { writeAsOtherProcess } from '../../../test/helpers/engine-b.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { expectMkContract } from '../../../test/helpers/contract.ts';
import { createRun, withTransaction } from '@baton/core';
import type { Store } from '@baton/db';

/**
 * GET /runs with a deep offset starts from a remembered checkpoint (core/src/runs/list-checkpoints.ts)
 * instead of walking every skipped run, and a page already read is remembered
 * (core/src/runs/list-page-cache.ts). Each page must still be exactly what a plain
 * `ORDER BY created_at DESC, id DESC LIMIT/OFFSET` over the database says at that moment — asked
 * here of a separate connection — including after runs are added, deleted, or move between
 * statuses and projects, from the server's own connection or from another process.
 *
 * Both engines: on SQLite the checkpoints and pages are kept and follow the change triggers and
 * PRAGMA data_version; on Postgres (no list versions: runListVersion is null) every page is read
 * afresh. The pages must be right either way.
 */
const RUNS = 1_234; // more than two checkpoints (every 500 runs), ending mid-way between two
const OFFSETS = [0, 1, 499, 500, 501, 999, 1000, 1001, 1200, 1209, 1210, 1233, 1234, 1500];
const BURST = 50;

let srv: TestServer;
let call: Call;
let alice: TestUser;
let projectId: string;
/** Another connection to the server's database (the same SQLite file, or the same Postgres database). */
let oracle: Store;

beforeAll(async () => {
  // Engine paused: runs stay in intake unless a test moves them.
  srv = await startTestServer({ BATON_ENGINE_PAUSED: 'true' });
  call = client(srv.url);
  alice = await createUser(call);
  projectId = (await createProject(call, { cookie: alice.cookie })).id;
  const actor = { userId: alice.id, via: 'session' as const };
  // Through core, in bursts of concurrent units (on SQLite committed together, on Postgres each on its
  // own, side by side): many share a millisecond, so ties on created_at are ordered by id.
  for (let start = 0; start < RUNS; start += BURST) {
    const burst = [];
    for (let i = start; i < Math.min(start + BURST, RUNS); i++) {
      burst.push(createRun(srv.baton.core, actor, alice.orgId, { requestText: `Deep page run ${i}`, ...(i % 3 === 0 ? { projectId } : {}) }));
    }
    await Promise.all(burst);
  }
  oracle = await openSideStore(srv);
}, 120_000);
afterAll(async () => {
  await oracle?.close();
  await srv.close();
});

async function expected(filter: { status?: string; projectId?: string }, offset: number, limit = 25): Promise<string[]> {
  const where = ['org_id = ?'];
  const args: unknown[] = [alice.orgId];
  if (filter.projectId) where.push('project_id = ?'), args.push(filter.projectId);
  if (filter.status) where.push('status = ?'), args.push(filter.status);
  const rows = await sqlOn(oracle.reader).all<{ id: string }>(`SELECT id FROM runs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, ...args, limit, offset);
  return rows.map((r) => r.id);
}

async function page(filter: { status?: string; projectId?: string }, offset: number, limit = 25) {
  const qs = new URLSearchParams({ limit: String(limit), offset: String(offset), ...filter });
  const res = await call('GET', `/api/v1/runs?${qs}`, { cookie: alice.cookie });
  expect(res.status).toBe(200);
  return res;
}

async function expectAllPagesRight(filter: { status?: string; projectId?: string }) {
  for (const offset of OFFSETS) {
    // Twice: the first may find the checkpoints, the second uses them.
    for (let i = 0; i < 2; i++) {
      const res = await page(filter, offset);
      expect(res.body.data.runs.map((r: { id: string }) => r.id), `offset ${offset} ${JSON.stringify(filter)}`).toEqual(await expected(filter, offset));
    }
  }
}

describe('GET /runs deep pages', () => {
  it('match a plain OFFSET walk at, around and past every checkpoint, for every filter (happy)', async () => {
    const res = await page({}, 1001);
    expectMkContract('GET', '/runs', 200, res.body);
    expect(res.body.data.count).toBe(RUNS);
    await expectAllPagesRight({});
    await expectAllPagesRight({ status: 'intake' });
    await expectAllPagesRight({ projectId });
    await expectAllPagesRight({ projectId, status: 'intake' });
  });

  it('stay right after new runs are created (every position shifts)', async () => {
    await expectAllPagesRight({});
    const actor = { userId: alice.id, via: 'session' as const };
    for (let i = 0; i < 7; i++) await createRun(srv.baton.core, actor, alice.orgId, { requestText: `Late run ${i}` });
    await expectAllPagesRight({});
    await expectAllPagesRight({ status: 'intake' });
  });

  it('stay right when runs move between statuses and projects in the server’s own connection', async () => {
    await expectAllPagesRight({ status: 'intake' });
    await expectAllPagesRight({ projectId });
    const ids = await expected({}, 600, 40);
    await withTransaction(srv.baton.core, async (ctx) => {
      const db = sqlOn(ctx.db);
      await db.run(`UPDATE runs SET status = 'cancelled' WHERE id IN (${ids.slice(0, 20).map(() => '?').join(',')})`, ...ids.slice(0, 20));
      await db.run(`UPDATE runs SET project_id = ? WHERE id IN (${ids.slice(20).map(() => '?').join(',')})`, projectId, ...ids.slice(20));
    });
    await expectAllPagesRight({ status: 'intake' });
    await expectAllPagesRight({ status: 'cancelled' });
    await expectAllPagesRight({ projectId });
    await expectAllPagesRight({ projectId, status: 'intake' });
  });

  it('stay right when another process deletes runs in the middle', async () => {
    await expectAllPagesRight({});
    const ids = await expected({}, 250, 300);
    await writeAsOtherProcess(srv, (tx) => sqlOn(tx).run(`DELETE FROM runs WHERE id IN (${ids.map(() => '?').join(',')})`, ...ids));
    await expectAllPagesRight({});
    const res = await page({}, 1000);
    expect(res.body.data.count).toBe(RUNS + 7 - ids.length);
  });

  it('show a run in progress as it is now, although the page itself is remembered', async () => {
    const first = await page({}, 0);
    const top = first.body.data.runs[0];
    expect(top.status).toBe('intake');
    expect((await page({}, 0)).body.data.runs[0]).toEqual(top);
    // Credits move during a stage without a status change: the list must not show the old figure.
    await withTransaction(srv.baton.core, (ctx) =>
      sqlOn(ctx.db).run('UPDATE runs SET total_credits_used = total_credits_used + 2500000, total_tokens_input = 77 WHERE id = ?', top.id),
    );
    const after = (await page({}, 0)).body.data.runs[0];
    expect(after.id).toBe(top.id);
    expect(after.totalTokensInput).toBe(77);
    expect(after.totalCreditsUsed).not.toBe(top.totalCreditsUsed);
    const detail = await call('GET', `/api/v1/runs/${top.id}`, { cookie: alice.cookie });
    expect(after.totalCreditsUsed).toBe(detail.body.data.totalCreditsUsed);
  });

  it('never reach into another org’s runs from a checkpoint (security)', async () => {
    const bob: TestUser = await createUser(call);
    await createRun(srv.baton.core, { userId: bob.id, via: 'session' }, bob.orgId, { requestText: 'Bob’s only run' });
    for (const offset of [0, 500, 1000]) {
      const res = await call('GET', `/api/v1/runs?limit=25&offset=${offset}`, { cookie: bob.cookie });
      expect(res.status).toBe(200);
      expect(res.body.data.runs.every((r: { orgId: string }) => r.orgId === bob.orgId)).toBe(true);
      expect(res.body.data.runs.length).toBe(offset === 0 ? 1 : 0);
    }
  });
});
