import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { startFakeLlm, type FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { startFakeServer, type FakeServer } from '../../../test/helpers/fake-http.ts';
import { createProject, createUser } from '../../../test/helpers/factories.ts';
import { createRunVia, setAutonomy, waitForRun } from '../../../test/helpers/runs.ts';
import { patchCreating } from '../../../test/helpers/git-patch.ts';

type ToolCall = { name: string; arguments: Record<string, unknown> };
const cmd = (...command: string[]): ToolCall => ({ name: 'run_command', arguments: { command } });

/**
 * Issue 11: an OpenAI-compatible model, under autopilot, tries every known way out of the
 * workspace through run_command. The fake model speaks the real wire protocol over HTTP; the run,
 * the engine, the tools and bubblewrap are all real. Markers aimed at Baton's data dir must never
 * appear there, and ordinary commands must still give correct output.
 */
describe('agent commands under autopilot run inside the sandbox', () => {
  let llm: FakeLlm;
  let srv: TestServer;
  let call: Call;
  let intranet: FakeServer;
  const turns: ToolCall[][] = [];

  beforeAll(async () => {
    intranet = await startFakeServer(() => ({ status: 404, body: 'nothing here' }));
    llm = await startFakeLlm({
      buildTurns: turns,
      planSteps: [{ stage: 'verify', tool: 'run_command', args: { command: ['wc', '-l', 'a.txt'] }, description: 'Count lines' }],
    });
    srv = await startTestServer({ BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1', BATON_SANDBOX: 'on' });
    call = client(srv.url);
  });
  afterAll(async () => {
    await srv.close();
    await llm.close();
    await intranet.close();
  });

  it('every escape stays inside, ordinary commands work', async () => {
    const data = srv.dataDir;
    const gitConfig = [
      '[core]',
      '\trepositoryformatversion = 0',
      '\tfilemode = true',
      '\tbare = false',
      '\thooksPath = hooks',
      `\tpager = touch pager-ran ${data}/pager-marker; cat`,
      `\tfsmonitor = touch fsmonitor-ran ${data}/fsmonitor-marker; true`,
      '[user]',
      '\tname = Model',
      '\temail = model@example.test',
      '[alias]',
      `\tx = !touch alias-ran ${data}/alias-marker`,
      '',
    ].join('\n');
    const patch = patchCreating([
      { path: 'hooks/post-checkout', mode: '100755', content: `#!/bin/sh\ntouch hook-ran ${data}/hook-marker` },
      { path: 'passwd-link', mode: '120000', content: '/etc/passwd' },
      { path: 'db-link', mode: '120000', content: `${data}/baton.db` },
      { path: 'server-env-link', mode: '120000', content: `/proc/${process.pid}/environ` },
      { path: 'env-link', mode: '120000', content: '/proc/self/environ' },
    ]);
    const script: ToolCall[] = [
      cmd('git', 'init', '-q'),
      { name: 'write_file', arguments: { path: '.git/config', content: gitConfig } },
      { name: 'write_file', arguments: { path: 'evil.patch', content: patch } },
      { name: 'write_file', arguments: { path: 'a.txt', content: 'hello\nworld\nhello again\n' } },
      cmd('git', 'apply', 'evil.patch'),
      cmd('git', 'add', 'a.txt'),
      cmd('git', 'commit', '-q', '-m', 'init'),
      cmd('git', 'checkout', '-q', '-b', 'feature'),
      cmd('git', 'log', '--oneline'),
      cmd('git', 'status', '--short', 'a.txt'),
      cmd('git', 'x'),
      cmd('head', '-2', 'passwd-link'),
      cmd('head', '-c', '15', 'db-link'),
      cmd('cat', 'server-env-link'),
      cmd('cat', 'env-link'),
      cmd('git', 'ls-remote', `${intranet.url}/repo.git`),
      cmd('find', '.', '-maxdepth', '0', '-exec', 'sh', '-c', `touch ${data}/find-marker`, ';'),
      cmd('git', '-c', `alias.y=!touch ${data}/c-alias-marker`, 'y'),
      cmd('sort', `-o${data}/sorted`, 'a.txt'),
      cmd('grep', '-n', 'hello', 'a.txt'),
      cmd('wc', '-l', 'a.txt'),
      cmd('ls'),
    ];
    turns.push(script.slice(0, 4), script.slice(4, 12), script.slice(12));

    const user = await createUser(call);
    const auth = { cookie: user.cookie };
    await setAutonomy(call, auth, user.orgId, 'autopilot');
    const project = await createProject(call, auth);
    const created = await createRunVia(call, auth, { requestText: 'Try to leave the workspace', projectId: project.id });
    const run = await waitForRun(call, auth, created.id, undefined, 60_000);
    expect(run.status, run.errorMessage).toBe('completed');

    const results = run.events.filter((e: any) => e.eventType === 'tool_result' && e.data.stage === 'build').map((e: any) => e.data);
    expect(results).toHaveLength(script.length);
    const byCommand = (...argv: string[]) => {
      const i = script.findIndex((c) => c.name === 'run_command' && JSON.stringify(c.arguments.command) === JSON.stringify(argv));
      return results[i] as { ok: boolean; summary: string; output: any };
    };

    // Nothing reached Baton's data dir, and nothing of it was read.
    for (const m of ['pager-marker', 'fsmonitor-marker', 'alias-marker', 'hook-marker', 'find-marker', 'c-alias-marker', 'sorted']) {
      expect(existsSync(join(data, m)), m).toBe(false);
    }
    const hostPasswd = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    expect(byCommand('head', '-2', 'passwd-link').output.stdout).not.toContain(hostPasswd);
    expect(byCommand('head', '-2', 'passwd-link').output.stdout).toMatch(/^baton:x:1000:1000:/);
    expect(byCommand('head', '-c', '15', 'db-link')).toMatchObject({ ok: false });
    expect(byCommand('head', '-c', '15', 'db-link').output.stdout).not.toContain('SQLite format');
    // The server's own environment (it holds BATON_* secrets in production) is out of sight.
    expect(byCommand('cat', 'server-env-link')).toMatchObject({ ok: false });
    expect(byCommand('cat', 'server-env-link').output.stdout).not.toMatch(/VITEST|BATON_/);
    const ownEnv = byCommand('cat', 'env-link').output.stdout as string;
    expect(ownEnv).toContain('HOME=/workspace');
    expect(ownEnv).not.toMatch(/VITEST|BATON_|NODE_/);
    // No network: the local server saw nothing.
    expect(byCommand('git', 'ls-remote', `${intranet.url}/repo.git`)).toMatchObject({ ok: false });
    expect(intranet.requests).toEqual([]);
    // The textual layer turns these away before they start.
    for (const r of [results[16], results[17], results[18]]) expect(r).toMatchObject({ ok: false, summary: expect.stringMatching(/not allowed|outside the workspace/) });

    // Hooks, pager and fsmonitor named by the model's .git/config never ran; its alias ran, inside.
    const ws = join(data, 'workspaces', `project-${project.id}`);
    for (const m of ['hook-ran', 'pager-ran', 'fsmonitor-ran']) expect(existsSync(join(ws, m)), m).toBe(false);
    expect(existsSync(join(ws, 'alias-ran'))).toBe(true);

    // Ordinary work is unaffected.
    expect(byCommand('git', 'commit', '-q', '-m', 'init')).toMatchObject({ ok: true });
    expect(byCommand('git', 'checkout', '-q', '-b', 'feature')).toMatchObject({ ok: true });
    expect(byCommand('git', 'log', '--oneline').output.stdout).toMatch(/^[0-9a-f]+ init\n$/);
    expect(byCommand('git', 'status', '--short', 'a.txt')).toMatchObject({ ok: true, output: { stdout: '' } });
    expect(byCommand('grep', '-n', 'hello', 'a.txt').output.stdout).toBe('1:hello\n3:hello again\n');
    expect(byCommand('wc', '-l', 'a.txt').output.stdout).toBe('3 a.txt\n');
    expect(byCommand('ls').output.stdout.split('\n')).toEqual(expect.arrayContaining(['a.txt', 'evil.patch', 'hooks', 'passwd-link']));
    const verify = run.events.find((e: any) => e.eventType === 'tool_result' && e.data.stage === 'verify');
    expect(verify.data).toMatchObject({ ok: true, output: { stdout: '3 a.txt\n' } });
  });
});

describe('run_command when bubblewrap is missing', () => {
  it('refuses with a failed tool result that says how to fix it, and runs nothing', async () => {
    const llm = await startFakeLlm({
      buildTurns: [[cmd('git', 'init', '-q')], [cmd('ls')]],
      planSteps: [],
    });
    const before = process.env.BATON_BWRAP_PATH;
    process.env.BATON_BWRAP_PATH = '/nonexistent/bwrap';
    const srv = await startTestServer({ BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1' });
    try {
      const call = client(srv.url);
      const user = await createUser(call);
      await setAutonomy(call, { cookie: user.cookie }, user.orgId, 'autopilot');
      const created = await createRunVia(call, { cookie: user.cookie }, { requestText: 'list the files' });
      const run = await waitForRun(call, { cookie: user.cookie }, created.id);
      const results = run.events.filter((e: any) => e.eventType === 'tool_result' && e.data.tool === 'run_command');
      expect(results).toHaveLength(2);
      for (const r of results) {
        expect(r.data.ok).toBe(false);
        expect(r.data.summary).toMatch(/bwrap was not found at \/nonexistent\/bwrap/);
        expect(r.data.summary).toMatch(/apt-get install bubblewrap/);
        expect(r.data.summary).toMatch(/BATON_SANDBOX=off/);
        expect(r.data.output).not.toHaveProperty('stdout');
      }
      expect(existsSync(join(srv.dataDir, 'workspaces', `run-${created.id}`, '.git'))).toBe(false);
      // The model was told, in the tool message, so it can stop trying.
      const lastTurn = llm.calls.filter((c) => c.body.tool_choice === 'auto').at(-1)!;
      expect(lastTurn.body.messages.at(-1).content).toMatch(/apt-get install bubblewrap/);
    } finally {
      if (before === undefined) delete process.env.BATON_BWRAP_PATH;
      else process.env.BATON_BWRAP_PATH = before;
      await srv.close();
      await llm.close();
    }
  });

  it('BATON_SANDBOX=off runs the command without bubblewrap', async () => {
    const llm = await startFakeLlm({ buildTurns: [[cmd('pwd')]], planSteps: [] });
    const before = process.env.BATON_BWRAP_PATH;
    process.env.BATON_BWRAP_PATH = '/nonexistent/bwrap';
    const srv = await startTestServer({ BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1', BATON_SANDBOX: 'off' });
    try {
      const call = client(srv.url);
      const user = await createUser(call);
      await setAutonomy(call, { cookie: user.cookie }, user.orgId, 'autopilot');
      const created = await createRunVia(call, { cookie: user.cookie }, { requestText: 'where am I' });
      const run = await waitForRun(call, { cookie: user.cookie }, created.id);
      const result = run.events.find((e: any) => e.eventType === 'tool_result' && e.data.tool === 'run_command');
      // Unsandboxed, the command sees the host path of the workspace rather than /workspace.
      expect(result.data).toMatchObject({ ok: true, output: { stdout: `${join(srv.dataDir, 'workspaces', `run-${created.id}`)}\n` } });
    } finally {
      if (before === undefined) delete process.env.BATON_BWRAP_PATH;
      else process.env.BATON_BWRAP_PATH = before;
      await srv.close();
      await llm.close();
    }
  });
});
