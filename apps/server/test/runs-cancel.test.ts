import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { startFakeLlm, type FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { createRunVia, setAutonomy, waitForRun } from '../../../test/helpers/runs.ts';

// A distinctive duration, so the test can find exactly this process among all others.
const SLEEP = '41.375';

function sleepers(): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('sleep') && argv[1] === SLEEP) pids.push(Number(pid));
    } catch {
      /* gone */
    }
  }
  return pids;
}

let llm: FakeLlm;
let srv: TestServer;
let call: Call;

beforeAll(async () => {
  llm = await startFakeLlm({ buildTurns: [[{ name: 'run_command', arguments: { command: ['sleep', SLEEP] } }]] });
  srv = await startTestServer({ BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1' });
  call = client(srv.url);
});
afterAll(async () => {
  await srv.close();
  await llm.close();
});

describe('cancelling mid-command', () => {
  it('kills the running command promptly and keeps nothing of the interrupted step', async () => {
    const user = await createUser(call);
    const auth = { cookie: user.cookie };
    await setAutonomy(call, auth, user.orgId, 'autopilot');
    const created = await createRunVia(call, auth, { requestText: 'take your time' });
    await expect.poll(sleepers, { timeout: 15_000, interval: 50 }).toHaveLength(1);
    const running = await waitForRun(call, auth, created.id, () => true);
    expect(running.status).toBe('build');

    const res = await call('POST', `/api/v1/runs/${created.id}/cancel`, { ...auth, body: { reason: 'too slow' } });
    expect(res.status).toBe(200);
    await expect.poll(sleepers, { timeout: 5_000, interval: 50 }).toEqual([]);

    const run = await waitForRun(call, auth, created.id);
    expect(run.status).toBe('cancelled');
    expect(run.errorMessage).toMatch(/too slow/);
    // The interrupted step committed nothing after the cancel.
    expect(run.events.at(-1)).toMatchObject({ eventType: 'stage_transition', data: { to: 'cancelled' } });
    expect(run.events.some((e: any) => e.eventType === 'tool_call' && e.data.tool === 'run_command')).toBe(false);
    // And the run stays cancelled: no worker resurrects it.
    await new Promise((r) => setTimeout(r, 300));
    expect((await waitForRun(call, auth, created.id)).events.length).toBe(run.events.length);
  });
});

describe('the command tool stays inside the workspace', () => {
  const escapes: Array<[string, string[]]> = [
    ['an absolute path', ['cat', '/etc/passwd']],
    ['a parent directory', ['ls', '../..']],
    ['an option with a path', ['grep', '-r', '--include=/etc/*', 'x', '.']],
    ['a command off the allowlist', ['rm', '-rf', '.']],
    ['a shell', ['sh', '-c', 'cat /etc/passwd']],
  ];
  for (const [what, command] of escapes) {
    it(`refuses ${what}`, async () => {
      const picky = await startFakeLlm({ buildTurns: [[{ name: 'run_command', arguments: { command } }]] });
      const s = await startTestServer({ BATON_LLM_URL: picky.baseUrl, BATON_LLM_MODEL: 'fake-model-1' });
      try {
        const c = client(s.url);
        const u = await createUser(c);
        await setAutonomy(c, { cookie: u.cookie }, u.orgId, 'autopilot');
        const created = await createRunVia(c, { cookie: u.cookie }, { requestText: 'escape' });
        const run = await waitForRun(c, { cookie: u.cookie }, created.id);
        const result = run.events.find((e: any) => e.eventType === 'tool_result' && e.data.tool === 'run_command');
        expect(result.data.ok).toBe(false);
        expect(result.data.summary).toMatch(/outside the workspace|not an allowed command/);
        expect(JSON.stringify(result.data.output)).not.toMatch(/root:x:0:0/);
      } finally {
        await s.close();
        await picky.close();
      }
    });
  }
});
