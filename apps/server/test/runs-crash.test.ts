import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { client, type Call } from '../../../test/helpers/client.ts';
import { startFakeLlm, type FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { freePort, waitForHealthy } from '../../../test/helpers/process.ts';
import { openSideStore, sqlOn, testDatabaseEnv } from '../../../test/helpers/server.ts';
import { assertContiguous, createRunVia, getRun, pendingApproval, setAutonomy, waitForApproval, waitForRun } from '../../../test/helpers/runs.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The built server, as `npm start` runs it, in its own process so it can really be SIGKILLed. */
async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['apps/server/dist/main.js'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealthy(url, child, () => output, { timeoutMs: 30_000 });
  return { child, url, output: () => output };
}

/** Jobs under a lease that has not lapsed yet, as another process reads the server's database. */
async function liveLeases(env: Record<string, string>): Promise<number> {
  const side = await openSideStore({ databaseUrl: env.BATON_DATABASE_URL ?? null, dataDir: env.BATON_DATA_DIR! });
  try {
    const row = await sqlOn(side.reader).get<{ n: number }>('SELECT count(*) AS n FROM jobs WHERE status = ? AND lease_until > ?', 'leased', Date.now());
    return Number(row!.n);
  } finally {
    await side.close();
  }
}

describe('crash recovery', () => {
  let llm: FakeLlm;
  let dataDir: string;
  let env: Record<string, string>;
  let current: ChildProcess | null = null;

  beforeAll(async () => {
    // Each model call takes 150 ms, so runs are mid-step when the process dies.
    llm = await startFakeLlm({
      delayMs: 150,
      buildTurns: [[{ name: 'write_file', arguments: { path: 'one.txt', content: '1' } }], [{ name: 'run_command', arguments: { command: ['sleep', '0.3'] } }]],
      planSteps: [{ stage: 'verify', tool: 'read_file', args: { path: 'one.txt' }, description: 'Read one.txt back' }],
    });
    dataDir = mkdtempSync(join(tmpdir(), 'baton-crash-'));
    // The database on the test project's engine (a fresh Postgres database on Postgres), the same
    // one for the restart as for the first start.
    env = { ...(await testDatabaseEnv()), BATON_NODE_ID: 'crash-test-node', BATON_DATA_DIR: dataDir, BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1', BATON_LOG_LEVEL: 'info', BATON_WORKER_CONCURRENCY: '4' };
  });
  afterAll(async () => {
    if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL');
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGKILL mid-run, then restart: every run resumes, no event lost or duplicated, waiting runs keep waiting', async () => {
    let server = await startServer(env);
    current = server.child;
    let call: Call = client(server.url);
    const busy: TestUser = await createUser(call);
    const careful: TestUser = await createUser(call);
    await setAutonomy(call, { cookie: busy.cookie }, busy.orgId, 'autopilot');
    // careful's org stays on "assist": its run will wait for a person.
    const runs = await Promise.all([1, 2, 3].map((i) => createRunVia(call, { cookie: busy.cookie }, { requestText: `concurrent run ${i}` })));
    const waitingRun = await createRunVia(call, { cookie: careful.cookie }, { requestText: 'ask me first' });
    const pendingBefore = pendingApproval(await waitForApproval(call, { cookie: careful.cookie }, waitingRun.id));

    // Let the busy runs get going, then kill the process without warning.
    await waitForRun(call, { cookie: busy.cookie }, runs[0]!.id, (r) => ['plan', 'build', 'verify'].includes(r.status));
    // Kill while a step is provably in flight: the model has a request it has not answered yet.
    await expect.poll(() => llm.inFlight(), { timeout: 10_000, interval: 5 }).toBeGreaterThan(0);
    const before = await Promise.all(runs.map((r) => getRun(call, { cookie: busy.cookie }, r.id)));
    expect(before.some((r) => !['completed', 'failed', 'cancelled'].includes(r.status))).toBe(true);
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    // The dead process left its jobs leased, and they have not lapsed: the restart takes them back
    // at once (SQLite: the process owns the file; Postgres: the leases carry this node's id).
    expect(await liveLeases(env)).toBeGreaterThan(0);

    server = await startServer(env);
    current = server.child;
    call = client(server.url);
    // Sessions live in the database: the same cookies work after the restart.
    const after = await Promise.all(runs.map((r) => waitForRun(call, { cookie: busy.cookie }, r.id, undefined, 30_000)));
    for (const run of after) {
      expect(run.status, run.errorMessage).toBe('completed');
      assertContiguous(run.events.map((e: any) => e.sequenceNumber));
      const keys = run.events.filter((e: any) => e.eventType === 'tool_call').map((e: any) => e.data.key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(run.events.filter((e: any) => e.eventType === 'tool_result')).toHaveLength(keys.length);
      const transitions = run.events.filter((e: any) => e.eventType === 'stage_transition').map((e: any) => e.data.to);
      expect(transitions).toEqual(['intake', 'clarify', 'scope', 'plan', 'build', 'verify', 'deploy', 'monitor', 'completed']);
    }
    // Events recorded before the crash are still there, unchanged.
    for (const [i, run] of before.entries()) {
      expect(after[i]!.events.slice(0, run.events.length).map((e: any) => e.id)).toEqual(run.events.map((e: any) => e.id));
    }
    // Runs progressed side by side: each had started before any of them finished.
    const firstEnd = Math.min(...after.map((r) => Date.parse(r.completedAt)));
    for (const run of after) expect(Date.parse(run.stageHistory[1].startedAt)).toBeLessThan(firstEnd);

    const stillWaiting = await getRun(call, { cookie: careful.cookie }, waitingRun.id);
    expect(stillWaiting.status).toBe('build');
    expect(pendingApproval(stillWaiting).id).toBe(pendingBefore.id);
    const approved = await call('POST', `/api/v1/runs/${waitingRun.id}/approve`, { cookie: careful.cookie, body: { approvalId: pendingBefore.id } });
    expect(approved.status).toBe(200);
    const resumed = await waitForRun(call, { cookie: careful.cookie }, waitingRun.id, (r) => r.approvals.length > 1 || r.status !== 'build');
    expect(resumed.approvals.length).toBeGreaterThan(1);
    expect(server.output()).toMatch(/resuming jobs interrupted by a previous stop/);
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
  }, 60_000);
});
