import { spawn } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { ToolArgumentError } from './tool.ts';

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

/**
 * Checks argv against the allowlist and keeps every argument inside the workspace: no absolute
 * paths, no `..` segments, no home-directory expansion. There is no shell, so no globbing,
 * pipes or substitutions either.
 */
export function checkCommand(argv: unknown, allowlist: string[]): string[] {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) {
    throw new ToolArgumentError('command must be a non-empty array of strings, e.g. ["ls", "-la"]');
  }
  const [exe, ...args] = argv as string[];
  if (!allowlist.includes(exe!)) throw new ToolArgumentError(`"${exe}" is not an allowed command (allowed: ${allowlist.join(', ')})`);
  for (const a of args) {
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : a;
    for (const v of [a, value]) {
      if (isAbsolute(v) || v.startsWith('~') || v.split(/[\\/]/).includes('..')) {
        throw new ToolArgumentError(`argument "${a}" would reach outside the workspace`);
      }
    }
  }
  return argv as string[];
}

/** Runs argv in the workspace with a minimal environment, a timeout and capped output; abort kills it. */
export function runCommand(
  argv: string[],
  opts: { cwd: string; timeoutMs: number; maxOutputBytes: number; signal: AbortSignal },
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: opts.cwd, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
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
