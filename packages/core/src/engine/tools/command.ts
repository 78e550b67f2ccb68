import { spawn } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { ToolArgumentError } from './tool.ts';
import { commandEnv, defaultBwrapPath, probeSandbox, SANDBOX_INSTALL_HINT, SandboxUnavailableError, sandboxSpawn, spawnSandbox, type SandboxOptions, type SandboxSpawn } from './sandbox.ts';

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  killed: boolean;
  durationMs: number;
}

/** An argument, or a value glued to an option, that names something outside the workspace. */
function reachesOutside(v: string): boolean {
  return isAbsolute(v) || v.startsWith('~') || v.split(/[\\/]/).includes('..');
}

/**
 * Every reading of an argument as a path: the argument itself, whatever follows an `=`
 * (`--output=/x`), and for a cluster of short options whatever follows each letter, since the
 * last one may take a glued value (`-o/tmp/x`, `-uo/tmp/x`).
 */
function pathReadings(a: string): string[] {
  const out = [a];
  for (let i = a.indexOf('='); i >= 0; i = a.indexOf('=', i + 1)) out.push(a.slice(i + 1));
  if (/^-[^-]/.test(a)) for (let k = 2; k < a.length; k++) out.push(a.slice(k));
  return out;
}

/** Options that make an allowlisted program run another program or write where it is told. */
const DENIED_ANYWHERE: Record<string, RegExp> = {
  find: /^-(exec|execdir|ok|okdir|delete|fprint|fprint0|fprintf|fls)$/,
  sort: /^--(output|compress-program)(=|$)|^-[A-Za-z]*o/,
  git: /^--(exec-path|upload-pack|receive-pack|exec|config-env)(=|$)/,
};

/** git options before the subcommand that take their value as the next argument. */
const GIT_GLOBAL_WITH_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix']);
/** git subcommands whose purpose is to run a program the caller names. */
const GIT_DENIED_SUBCOMMANDS = new Set(['difftool', 'mergetool', 'filter-branch', 'daemon', 'instaweb', 'credential', 'upload-pack', 'receive-pack', 'shell']);
const GIT_DENIED_BY_SUBCOMMAND: Record<string, RegExp> = {
  clone: /^-u/,
  'ls-remote': /^-u/,
  rebase: /^-x/,
  grep: /^(-O|--open-files-in-pager)/,
  submodule: /^foreach$/,
  bisect: /^run$/,
  // Keys through which a config value becomes a command, a hook or an included file.
  config: /^(alias|core|include|includeif|filter|credential|uploadpack|receive|protocol|url|sequence|gpg|diff|merge|pager|remote)\./i,
};

function checkGit(args: string[]): void {
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const a = args[i]!;
    // `-c alias.x=!sh` and its glued form would hand git a config of the model's choosing.
    if (a.startsWith('-c') || a.startsWith('--config-env')) throw new ToolArgumentError(`git option "${a}" is not allowed: Baton sets git's configuration`);
    if (GIT_GLOBAL_WITH_VALUE.has(a)) i++;
  }
  const sub = args[i];
  if (sub === undefined) return;
  if (GIT_DENIED_SUBCOMMANDS.has(sub)) throw new ToolArgumentError(`"git ${sub}" is not allowed: it runs programs outside git`);
  const denied = GIT_DENIED_BY_SUBCOMMAND[sub];
  for (const a of args.slice(i + 1)) {
    if (denied?.test(a)) throw new ToolArgumentError(`"git ${sub} ${a}" is not allowed: it can run another program or change how git runs them`);
  }
}

/**
 * Checks argv against the allowlist and keeps every argument inside the workspace: no absolute
 * paths, no `..` segments, no home-directory expansion, also when glued to an option. There is no
 * shell, so no globbing, pipes or substitutions either. Options that start other programs are
 * refused. This is the second layer: text cannot prove what a program will do, so commands also
 * run in the OS sandbox (sandbox.ts), which is the real boundary.
 */
export function checkCommand(argv: unknown, allowlist: string[]): string[] {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) {
    throw new ToolArgumentError('command must be a non-empty array of strings, e.g. ["ls", "-la"]');
  }
  const [exe, ...args] = argv as string[];
  if (!allowlist.includes(exe!)) throw new ToolArgumentError(`"${exe}" is not an allowed command (allowed: ${allowlist.join(', ')})`);
  const denied = DENIED_ANYWHERE[exe!];
  for (const a of args) {
    if (a.includes('\0')) throw new ToolArgumentError('arguments may not contain NUL bytes');
    if (pathReadings(a).some(reachesOutside)) throw new ToolArgumentError(`argument "${a}" would reach outside the workspace`);
    if (denied?.test(a)) throw new ToolArgumentError(`"${exe} ${a}" is not allowed: it can run another program or write outside the command's output`);
  }
  if (exe === 'git') checkGit(args);
  return argv as string[];
}

/**
 * Runs argv in the workspace with a minimal environment, a timeout and capped output; abort kills
 * it. With `sandbox` (the default in Baton) the command runs inside bubblewrap and this refuses,
 * with SandboxUnavailableError, when bwrap is missing or unusable, rather than run it unconfined.
 */
export async function runCommand(
  argv: string[],
  opts: { cwd: string; timeoutMs: number; maxOutputBytes: number; signal: AbortSignal; sandbox: SandboxOptions | false },
): Promise<CommandResult> {
  let sandbox: SandboxSpawn | null = null;
  if (opts.sandbox) {
    const status = await probeSandbox(opts.sandbox.bwrapPath ?? defaultBwrapPath());
    if (!status.ok) throw new SandboxUnavailableError(status.error ?? SANDBOX_INSTALL_HINT);
    sandbox = sandboxSpawn(argv, opts.cwd, { ...opts.sandbox, bwrapPath: status.bwrapPath, features: status.features });
  }
  const started = Date.now();
  return new Promise((resolve) => {
    // Its own process group, so a timeout or an abort kills everything it started.
    const child = sandbox
      ? spawnSandbox(sandbox, { cwd: opts.cwd, detached: true })
      : spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: commandEnv(opts.cwd), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let size = 0;
    let truncated = false;
    let timedOut = false;
    let killed = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const take = (which: 'out' | 'err') => (chunk: Buffer) => {
      const room = opts.maxOutputBytes - size;
      if (room <= 0) {
        truncated = true;
        return;
      }
      const text = chunk.subarray(0, room).toString('utf8');
      if (chunk.length > room) truncated = true;
      size += Math.min(chunk.length, room);
      if (which === 'out') stdout += text;
      else stderr += text;
    };
    child.stdout!.on('data', take('out'));
    child.stderr!.on('data', take('err'));
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    const onAbort = () => {
      killed = true;
      kill();
    };
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    const finish = (exitCode: number | null, signal: string | null) => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal, stdout, stderr, truncated, timedOut, killed, durationMs: Date.now() - started });
    };
    child.on('error', (e) => {
      stderr += String(e.message);
      finish(127, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
