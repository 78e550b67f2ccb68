import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { build } from 'esbuild';
import { checkCommand, runCommand } from '../src/engine/tools/command.ts';
import { probeSandbox, SandboxUnavailableError, type SandboxOptions } from '../src/engine/tools/sandbox.ts';
import { DEFAULT_COMMAND_ALLOWLIST } from '../src/engine/engine-config.ts';
import { patchCreating } from '../../../test/helpers/git-patch.ts';

/**
 * Agent commands against the real bubblewrap on this machine. Each escape below worked on the host
 * before the sandbox (issue 11): every one must now stay inside, and ordinary commands must still work.
 * "Outside" is a directory next to the workspace holding a secret; no command may read or write it.
 */
let ws: string;
let outside: string;
let secret: string;
const run = (argv: string[], sandbox: SandboxOptions | false = {}, timeoutMs = 15_000) =>
  runCommand(argv, { cwd: ws, timeoutMs, maxOutputBytes: 256 * 1024, signal: new AbortController().signal, sandbox });


beforeAll(async () => {
  const status = await probeSandbox();
  if (!status.ok) throw new Error(`these tests need a working bubblewrap: ${status.error}`);
});

beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'baton-ws-'));
  outside = mkdtempSync(join(tmpdir(), 'baton-outside-'));
  secret = `TOP-SECRET-${randomUUID()}`;
  writeFileSync(join(outside, 'secret.txt'), secret + '\n');
  writeFileSync(join(ws, 'a.txt'), 'hello\nworld\nhello again\n');
  return () => {
    rmSync(ws, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  };
});

describe('ordinary commands in the sandbox', () => {
  it('git, grep, ls and wc work on the workspace and give the right output', async () => {
    expect((await run(['git', 'init', '-q'])).exitCode).toBe(0);
    const status = await run(['git', 'status', '--short']);
    expect(status).toMatchObject({ exitCode: 0, stdout: '?? a.txt\n' });
    expect(await run(['grep', '-n', 'hello', 'a.txt'])).toMatchObject({ exitCode: 0, stdout: '1:hello\n3:hello again\n' });
    expect((await run(['ls'])).stdout).toBe('a.txt\n');
    expect((await run(['wc', '-l', 'a.txt'])).stdout).toBe('3 a.txt\n');
    // Writes land in the real workspace.
    expect(existsSync(join(ws, '.git', 'HEAD'))).toBe(true);
  });

  it('runs as an unprivileged user with no capabilities, in /workspace, with limits set', async () => {
    const r = await run(['sh', '-c', 'id -u; pwd; grep CapEff /proc/self/status; ulimit -v; ulimit -n; ulimit -f']);
    expect(r.stdout.split('\n').slice(0, 6)).toEqual(['1000', '/workspace', 'CapEff:\t0000000000000000', String(2 * 1024 * 1024), '1024', String((256 * 1024 * 1024) / 512)]);
  });

  it('enforces the file-size limit', async () => {
    const r = await run(['sh', '-c', 'head -c 2097152 /dev/zero > big'], { limits: { fileSizeBytes: 1024 * 1024 } });
    expect(r.exitCode).not.toBe(0);
    expect(statSync(join(ws, 'big')).size).toBeLessThanOrEqual(1024 * 1024);
  });

  it('a timeout kills everything the command started', async () => {
    const tag = `${30 + Math.floor(Math.random() * 1000)}.${Date.now() % 100000}`;
    const r = await run(['sh', '-c', `sleep ${tag} & sleep ${tag}`], {}, 500);
    expect(r.timedOut).toBe(true);
    expect(r.durationMs).toBeLessThan(5000);
    await new Promise((ok) => setTimeout(ok, 200));
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(ps).not.toContain(`sleep ${tag}`);
  });
});

describe('the escapes from issue 11 stay inside the sandbox', () => {
  it('find -exec sh: the shell runs, but only inside', async () => {
    const r = await run(['find', '.', '-maxdepth', '0', '-exec', 'sh', '-c', `id -u > ran-inside; echo pwned > ${outside}/find-marker; cat ${outside}/secret.txt`, ';']);
    expect(existsSync(join(outside, 'find-marker'))).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(secret);
    // It did run (so the test proves containment, not a failure to start), as uid 1000, not root.
    expect(readFileSync(join(ws, 'ran-inside'), 'utf8')).toBe('1000\n');
  });

  it('git -c alias.x=!…: the alias runs, but only inside', async () => {
    await run(['git', 'init', '-q']);
    await run(['git', '-c', `alias.x=!touch ${outside}/alias-marker; touch alias-ran`, 'x']);
    expect(existsSync(join(outside, 'alias-marker'))).toBe(false);
    expect(existsSync(join(ws, 'alias-ran'))).toBe(true);
  });

  it('sort -o/abs (a path glued to an option) cannot write outside', async () => {
    const r = await run(['sort', `-o${outside}/sorted`, 'a.txt']);
    expect(r.exitCode).not.toBe(0);
    expect(existsSync(join(outside, 'sorted'))).toBe(false);
  });

  it('a symlink made by git apply reads the sandbox, not the host: /etc/passwd and a secret', async () => {
    await run(['git', 'init', '-q']);
    writeFileSync(
      join(ws, 'evil.patch'),
      patchCreating([
        { path: 'link', mode: '120000', content: '/etc/passwd' },
        { path: 'secret-link', mode: '120000', content: `${outside}/secret.txt` },
      ]),
    );
    expect((await run(['git', 'apply', 'evil.patch'])).exitCode).toBe(0);
    const passwd = await run(['head', '-2', 'link']);
    const hostFirstLine = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    expect(passwd.stdout).not.toContain(hostFirstLine);
    expect(passwd.stdout).toMatch(/^baton:x:1000:1000:/);
    const s = await run(['cat', 'secret-link']);
    expect(s.exitCode).not.toBe(0);
    expect(s.stdout).not.toContain(secret);
  });

  it('hooks, pager, fsmonitor and aliases from a .git/config the model wrote do not escape', async () => {
    await run(['git', 'init', '-q']);
    // An executable hook, through git apply (write_file makes no executables).
    writeFileSync(
      join(ws, 'evil.patch'),
      patchCreating([{ path: 'hooks/post-checkout', mode: '100755', content: `#!/bin/sh\ntouch hook-ran ${outside}/hook-marker` }]),
    );
    expect((await run(['git', 'apply', 'evil.patch'])).exitCode).toBe(0);
    const config = readFileSync(join(ws, '.git/config'), 'utf8');
    writeFileSync(
      join(ws, '.git/config'),
      config +
        [
          '[user]\n\tname = m\n\temail = m@example.test',
          `[core]\n\thooksPath = hooks\n\tpager = touch pager-ran ${outside}/pager-marker; cat\n\tfsmonitor = touch fsmonitor-ran ${outside}/fsmonitor-marker; true`,
          `[alias]\n\tx = !touch alias-ran ${outside}/alias-marker`,
        ].join('\n') +
        '\n',
    );
    expect((await run(['git', 'add', 'a.txt'])).exitCode).toBe(0);
    expect((await run(['git', 'commit', '-q', '-m', 'init'])).exitCode).toBe(0);
    expect((await run(['git', 'checkout', '-q', '-b', 'b2'])).exitCode).toBe(0);
    expect((await run(['git', 'log', '--oneline'])).stdout).toMatch(/^[0-9a-f]+ init\n$/);
    // -O runs the pager with no terminal too: this one ran on the host before.
    expect((await run(['git', 'grep', '-O', 'hello'])).exitCode).toBe(0);
    expect((await run(['git', 'status', '--short'])).exitCode).toBe(0);
    await run(['git', 'x']);

    for (const m of ['hook-marker', 'pager-marker', 'fsmonitor-marker', 'alias-marker']) expect(existsSync(join(outside, m)), m).toBe(false);
    // Baton's git config outranks the repository's: hooks, pager and fsmonitor never ran at all…
    for (const m of ['hook-ran', 'pager-ran', 'fsmonitor-ran']) expect(existsSync(join(ws, m)), m).toBe(false);
    // …an alias cannot be switched off, so it ran, inside.
    expect(existsSync(join(ws, 'alias-ran'))).toBe(true);
  });

  it('git ignores hooks and fsmonitor from .git/config even with the sandbox off', async () => {
    await run(['git', 'init', '-q'], false);
    writeFileSync(join(ws, '.git/config'), readFileSync(join(ws, '.git/config'), 'utf8') + `[core]\n\tfsmonitor = touch ${outside}/fsmonitor-marker; true\n`);
    expect((await run(['git', 'status', '--short'], false)).exitCode).toBe(0);
    expect(existsSync(join(outside, 'fsmonitor-marker'))).toBe(false);
  });

  it('git in a workspace that is not a repository does not find the repository around it', async () => {
    // The default data dir is ./data of a Baton checkout: git must not act on Baton's own repo.
    const outer = join(outside, 'checkout');
    const inner = join(outer, 'data', 'workspaces', 'project-1');
    mkdirSync(inner, { recursive: true });
    expect(spawnSync('git', ['init', '-q', outer]).status).toBe(0);
    for (const sandbox of [{}, false] as const) {
      const r = await runCommand(['git', 'status'], { cwd: inner, timeoutMs: 15_000, maxOutputBytes: 65536, signal: new AbortController().signal, sandbox });
      expect(r.exitCode, `sandbox ${sandbox ? 'on' : 'off'}`).not.toBe(0);
      expect(r.stderr).toMatch(/not a git repository/);
    }
  });

  describe('the network', () => {
    let server: Server;
    let hits: string[];
    let url: string;
    beforeAll(async () => {
      hits = [];
      server = createServer((req, res) => {
        hits.push(req.url ?? '');
        res.writeHead(404).end();
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.git`;
    });
    afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

    it('is unreachable by default: a local server sees no request', async () => {
      await run(['git', 'init', '-q']);
      const r = await run(['git', 'ls-remote', url]);
      expect(r.exitCode).not.toBe(0);
      expect(hits).toEqual([]);
    });

    it('is reachable only when the network option is granted', async () => {
      await run(['git', 'ls-remote', url], { network: true });
      expect(hits.length).toBeGreaterThan(0);
    });
  });

  it('no /proc/*/environ shows a secret from the environment of the process that runs the command', async () => {
    // The secret must be in the parent's *initial* environment (what /proc shows), so the parent is
    // a separate Node process running the real runCommand.
    const envSecret = `ENV-SECRET-${randomUUID()}`;
    const script = 'cat /proc/self/environ; echo; cat /proc/$PPID/environ; echo; for f in /proc/[0-9]*/environ; do cat "$f"; echo; done';
    const result = await inParentProcess(['sh', '-c', script], { env: { BATON_SECRET_KEY: envSecret, BATON_LLM_API_KEY: envSecret } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('HOME=/workspace');
    expect(result.stdout).not.toContain(envSecret);
    expect(result.stdout).not.toContain('BATON_');
  });

  it('a descriptor the parent inherited (here a directory outside) is not passed into the sandbox', async () => {
    // Launchers and supervisors can leave descriptors open without close-on-exec; through a
    // directory one, /proc/self/fd/N/… reaches the host file system from inside any mount namespace.
    // Node flags inherited descriptors close-on-exec only up to the first gap after 15, so take 200.
    const dirFd = openSync(outside, 'r');
    try {
      const result = await inParentProcess(['cat', `/proc/self/fd/200/secret.txt`], { fd200: dirFd });
      expect(result.stdout).not.toContain(secret);
      expect(result.exitCode).not.toBe(0);
    } finally {
      closeSync(dirFd);
    }
  });
});

/**
 * Runs argv through the real runCommand (sandboxed) in a separate Node process, bundled from
 * source, with the given environment and optionally a descriptor of ours inherited as its fd 200.
 */
async function inParentProcess(argv: string[], opts: { env?: Record<string, string>; fd200?: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-harness-'));
  try {
    const commandTs = fileURLToPath(new URL('../src/engine/tools/command.ts', import.meta.url));
    await build({
      stdin: {
        contents: `import { runCommand } from ${JSON.stringify(commandTs)};
          const [argv, cwd] = [JSON.parse(process.argv[2]), process.argv[3]];
          const r = await runCommand(argv, { cwd, timeoutMs: 15000, maxOutputBytes: 262144, signal: new AbortController().signal, sandbox: {} });
          process.stdout.write(JSON.stringify(r));`,
        loader: 'ts',
        resolveDir: dir,
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(dir, 'harness.mjs'),
      logLevel: 'error',
    });
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe'];
    if (opts.fd200 !== undefined) {
      while (stdio.length < 200) stdio.push('ignore');
      stdio.push(opts.fd200);
    }
    const child = spawn(process.execPath, [join(dir, 'harness.mjs'), JSON.stringify(argv), ws], { env: { PATH: process.env.PATH, ...opts.env }, stdio });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const code = await new Promise((ok) => child.on('close', ok));
    if (code !== 0) throw new Error(`harness exited ${code}: ${err}`);
    return JSON.parse(out) as { exitCode: number | null; stdout: string; stderr: string };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('without a usable bubblewrap', () => {
  it('refuses to run the command, saying how to fix it', async () => {
    const attempt = run(['sh', '-c', 'touch ran'], { bwrapPath: join(outside, 'no-such-bwrap') });
    await expect(attempt).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(attempt).rejects.toThrow(/bubblewrap.*apt-get install bubblewrap.*BATON_SANDBOX=off/s);
    expect(existsSync(join(ws, 'ran'))).toBe(false);
  });

  it('refuses when bwrap is there but cannot build a sandbox', async () => {
    const fake = join(outside, 'bin');
    mkdirSync(fake);
    writeFileSync(join(fake, 'bwrap'), '#!/bin/sh\n[ "$1" = --version ] && { echo bubblewrap 9.9; exit 0; }\necho "No permissions to create new namespace" >&2\nexit 1\n', { mode: 0o755 });
    const status = await probeSandbox(join(fake, 'bwrap'));
    expect(status).toMatchObject({ ok: false, version: 'bubblewrap 9.9' });
    expect(status.error).toMatch(/cannot create a sandbox here: No permissions to create new namespace.*apt-get install bubblewrap/s);
    await expect(run(['ls'], { bwrapPath: join(fake, 'bwrap') })).rejects.toBeInstanceOf(SandboxUnavailableError);
  });
});

describe('checkCommand, the second layer', () => {
  const refused = [
    ['find', '.', '-exec', 'sh', '-c', 'id', ';'],
    ['find', '.', '-execdir', 'id', ';'],
    ['find', '.', '-delete'],
    ['find', '.', '-fprint', 'out'],
    ['git', '-c', 'alias.x=!sh', 'x'],
    ['git', '-calias.x=!sh', 'x'],
    ['git', '--exec-path=bin', 'status'],
    ['git', 'ls-remote', '--upload-pack=sh', 'origin'],
    ['git', 'grep', '-Osh', 'x'],
    ['git', 'rebase', '-x', 'sh', 'HEAD~1'],
    ['git', 'config', 'alias.x', '!sh'],
    ['git', 'config', 'core.hooksPath', 'hooks'],
    ['git', 'difftool'],
    ['sort', '-o/tmp/x', 'a.txt'],
    ['sort', '-uo/tmp/x', 'a.txt'],
    ['sort', '-o', 'out.txt', 'a.txt'],
    ['sort', '--compress-program=sh', 'a.txt'],
    ['grep', '-f../secret', 'a.txt'],
    ['diff', '--to-file=/etc/passwd', 'a.txt'],
    ['cat', 'a\0b'],
  ];
  it.each(refused.map((argv) => [argv.join(' '), argv]))('refuses %s', (_, argv) => {
    expect(() => checkCommand(argv, DEFAULT_COMMAND_ALLOWLIST)).toThrow();
  });

  const allowed = [
    ['git', 'status'],
    ['git', 'switch', '-c', 'feature'],
    ['git', 'commit', '-m', 'fix: a/b'],
    ['git', '-C', 'sub', 'log', '--oneline', '-n5'],
    ['grep', '-c', 'hello', 'a.txt'],
    ['sort', '-n', '-k2', 'a.txt'],
    ['find', '.', '-name', '*.ts', '-type', 'f'],
    ['wc', '-l', 'src/a.txt'],
  ];
  it.each(allowed.map((argv) => [argv.join(' '), argv]))('allows %s', (_, argv) => {
    expect(checkCommand(argv, DEFAULT_COMMAND_ALLOWLIST)).toEqual(argv);
  });
});
