import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ToolArgumentError } from './tool.ts';

/**
 * The OS sandbox for agent commands (bubblewrap). Argument checks cannot contain a program that the
 * model chooses: `find -exec`, git aliases, hooks and pagers from a `.git/config` the model wrote,
 * symlinks created by `git apply`… So every command runs in fresh namespaces that see only the
 * workspace (read-write), a read-only /usr, a few generated /etc files, a private /tmp and /proc,
 * no network and no inherited environment. Whatever runs in there can only hurt the workspace.
 */

/** Where the workspace appears inside the sandbox (also the command's cwd and HOME). */
export const SANDBOX_WORKDIR = '/workspace';
const SANDBOX_UID = 1000;

export interface SandboxLimits {
  /** Address space per process (RLIMIT_AS). */
  memoryBytes: number;
  /** Processes of the sandbox user (RLIMIT_NPROC). The kernel does not count it for a host root mapped inside, see sandboxNotes. */
  processes: number;
  /** Largest file a command may write (RLIMIT_FSIZE). */
  fileSizeBytes: number;
  openFiles: number;
  /** Size of the private /tmp. */
  tmpBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  memoryBytes: 2 * 1024 ** 3,
  processes: 256,
  fileSizeBytes: 256 * 1024 ** 2,
  openFiles: 1024,
  tmpBytes: 64 * 1024 ** 2,
};

export interface SandboxOptions {
  /** Path of the bwrap binary; default BATON_BWRAP_PATH or the usual install locations. */
  bwrapPath?: string;
  /** Share the host's network (off unless granted: a sandbox with no network cannot exfiltrate or reach internal services). */
  network?: boolean;
  limits?: Partial<SandboxLimits>;
}

export const SANDBOX_INSTALL_HINT =
  'Install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) and restart Baton, or set BATON_SANDBOX=off to run agent commands without the sandbox, at your own risk.';

/** run_command refuses rather than run a model's command on the host unsandboxed. */
export class SandboxUnavailableError extends ToolArgumentError {}

export interface SandboxStatus {
  ok: boolean;
  bwrapPath: string;
  /** e.g. "bubblewrap 0.8.0"; null when bwrap could not be started. */
  version: string | null;
  /** Why the sandbox cannot be used, with the fix. */
  error: string | null;
}

const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];
const PRLIMIT_CANDIDATES = ['/usr/bin/prlimit', '/bin/prlimit'];

/** BATON_BWRAP_PATH (meant for tests and unusual installs), else the first usual location that exists. */
export function defaultBwrapPath(): string {
  const fromEnv = process.env.BATON_BWRAP_PATH;
  if (fromEnv) return fromEnv;
  return BWRAP_CANDIDATES.find((p) => existsSync(p)) ?? BWRAP_CANDIDATES[0]!;
}

/**
 * The environment of every agent command, sandboxed or not: nothing inherited from Baton (no
 * secrets), and git told to ignore the hooks, pager, fsmonitor, ssh command and credential helpers
 * that a workspace's own `.git/config` may name. Config from GIT_CONFIG_* outranks the repository's.
 */
export function commandEnv(home: string): Record<string, string> {
  const gitConfig: Array<[string, string]> = [
    ['core.hooksPath', '/dev/null'],
    ['core.fsmonitor', 'false'],
    ['core.pager', 'cat'],
    ['core.sshCommand', 'false'],
    ['credential.helper', ''],
    ['protocol.ext.allow', 'never'],
    ['safe.directory', home],
  ];
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    // git must not wander from a workspace that is not a repository into one around it.
    GIT_CEILING_DIRECTORIES: dirname(home),
    GIT_CONFIG_COUNT: String(gitConfig.length),
  };
  gitConfig.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  return env;
}

/** Generated in place of the host's files: names for the sandbox user, and nothing else from /etc. */
const SANDBOX_FILES: Array<[string, string]> = [
  ['/etc/passwd', `baton:x:${SANDBOX_UID}:${SANDBOX_UID}:Baton agent:${SANDBOX_WORKDIR}:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`],
  ['/etc/group', `baton:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`],
  ['/etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n'],
];

/** bwrap options that need a feature check (older releases lack them). */
interface BwrapFeatures {
  disableUserns: boolean;
  tmpfsSize: boolean;
}

export interface SandboxSpawn {
  file: string;
  args: string[];
  /** For bwrap itself: it needs nothing, and its own environ is readable from inside as /proc/1/environ. */
  env: Record<string, string>;
  /** Written to fds 3, 4, … of the child (generated /etc files, read by bwrap with --ro-bind-data). */
  dataFds: string[];
}

function systemRoots(): string[] {
  const out: string[] = ['--ro-bind', '/usr', '/usr'];
  for (const d of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st;
    try {
      st = lstatSync(d);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) out.push('--symlink', readlinkSync(d), d);
    else if (st.isDirectory()) out.push('--ro-bind', d, d);
  }
  return out;
}

function findPrlimit(): string | null {
  return PRLIMIT_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** The bwrap command line that runs argv in `workspace`. Exported for tests and `doctor`. */
export function sandboxSpawn(argv: string[], workspace: string, opts: SandboxOptions & { features?: Partial<BwrapFeatures> } = {}): SandboxSpawn {
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...opts.limits };
  const features = { disableUserns: true, tmpfsSize: true, ...opts.features };
  const prlimit = findPrlimit();
  if (!prlimit) throw new SandboxUnavailableError(`The sandbox needs prlimit (util-linux) to limit memory and processes; it was not found. ${SANDBOX_INSTALL_HINT}`);
  const args: string[] = [
    '--unshare-all',
    // A user namespace of our own: the command runs as an unprivileged uid with no capabilities.
    '--unshare-user',
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_UID),
    ...(features.disableUserns ? ['--disable-userns'] : []),
    '--cap-drop', 'ALL',
    ...(opts.network ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--hostname', 'baton-sandbox',
    ...systemRoots(),
  ];
  // Only what the dynamic loader and a few tools need; never the host's /etc as a whole.
  for (const f of ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/localtime']) args.push('--ro-bind-try', f, f);
  if (opts.network) for (const f of ['/etc/resolv.conf', '/etc/hosts', '/etc/gai.conf', '/etc/ssl/certs', '/etc/ca-certificates']) args.push('--ro-bind-try', f, f);
  const dataFds: string[] = [];
  for (const [path, content] of SANDBOX_FILES) {
    args.push('--ro-bind-data', String(3 + dataFds.length), path);
    dataFds.push(content);
  }
  args.push('--proc', '/proc', '--dev', '/dev');
  if (features.tmpfsSize) args.push('--size', String(limits.tmpBytes));
  args.push('--tmpfs', '/tmp', '--bind', workspace, SANDBOX_WORKDIR, '--chdir', SANDBOX_WORKDIR, '--clearenv');
  for (const [k, v] of Object.entries(commandEnv(SANDBOX_WORKDIR))) args.push('--setenv', k, v);
  args.push(
    '--',
    prlimit,
    `--as=${limits.memoryBytes}`,
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileSizeBytes}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
    '--',
    ...argv,
  );
  return { file: opts.bwrapPath ?? defaultBwrapPath(), args, env: { PATH: '/usr/bin:/bin' }, dataFds };
}

interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
  error: string | null;
}

function capture(file: string, args: string[], env: Record<string, string>, dataFds: string[] = [], timeoutMs = 10_000): Promise<Captured> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const done = (r: Captured) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawnSandbox({ file, args, env, dataFds });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (e) => done({ code: null, stdout, stderr, error: e.message }));
    child.on('close', (code) => done({ code, stdout, stderr, error: null }));
  });
}

/**
 * Starts bwrap with the generated /etc files on fds 3, 4, …, and nothing else of ours. A descriptor
 * this process inherited without close-on-exec (from a launcher, a supervisor, a terminal) would
 * otherwise pass through bwrap into the sandbox: a directory one is a way out of the mount
 * namespace. Node cannot close or flag them, so each open descriptor number is covered in the
 * child with /dev/null.
 */
export function spawnSandbox(spec: SandboxSpawn, opts: { cwd?: string; detached?: boolean } = {}): ChildProcess {
  const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe', ...spec.dataFds.map(() => 'pipe' as const)];
  let open: number[] = [];
  try {
    open = readdirSync('/proc/self/fd').map(Number).filter((fd) => Number.isInteger(fd) && fd >= stdio.length);
  } catch {
    /* no /proc: nothing to cover */
  }
  const devNull = open.length ? openSync('/dev/null', 'r') : -1;
  for (const fd of open) {
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = devNull;
  }
  try {
    const child = spawn(spec.file, spec.args, { env: spec.env, stdio, cwd: opts.cwd, detached: opts.detached });
    spec.dataFds.forEach((content, i) => {
      const s = child.stdio[3 + i] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void };
      // A pipe bwrap closed early (it failed) is not our error; its exit status says why.
      s.on('error', () => {});
      s.end(content);
    });
    return child;
  } finally {
    if (devNull >= 0) closeSync(devNull);
  }
}

const probes = new Map<string, Promise<SandboxStatus & { features: BwrapFeatures }>>();

/**
 * Checks once per bwrap path (cached for the life of the process) that bwrap exists and can build
 * the real sandbox here: some hosts forbid the user namespaces it needs.
 */
export function probeSandbox(bwrapPath: string = defaultBwrapPath()): Promise<SandboxStatus & { features: BwrapFeatures }> {
  let p = probes.get(bwrapPath);
  if (!p) {
    p = runProbe(bwrapPath);
    probes.set(bwrapPath, p);
  }
  return p;
}

async function runProbe(bwrapPath: string): Promise<SandboxStatus & { features: BwrapFeatures }> {
  const features: BwrapFeatures = { disableUserns: false, tmpfsSize: false };
  const fail = (version: string | null, why: string) => ({ ok: false, bwrapPath, version, error: `${why} ${SANDBOX_INSTALL_HINT}`, features });
  if (!existsSync(bwrapPath)) return fail(null, `Agent commands run in a bubblewrap sandbox, but bwrap was not found at ${bwrapPath}.`);
  const v = await capture(bwrapPath, ['--version'], { PATH: '/usr/bin:/bin' });
  if (v.error || v.code !== 0) return fail(null, `bwrap at ${bwrapPath} could not be started (${(v.error ?? v.stderr.trim()) || `exit ${v.code}`}).`);
  const version = v.stdout.trim() || 'bubblewrap';
  const help = await capture(bwrapPath, ['--help'], { PATH: '/usr/bin:/bin' });
  features.disableUserns = help.stdout.includes('--disable-userns');
  features.tmpfsSize = help.stdout.includes('--size');
  const dir = mkdtempSync(join(tmpdir(), 'baton-sandbox-probe-'));
  try {
    let s: SandboxSpawn;
    try {
      s = sandboxSpawn(['true'], dir, { bwrapPath, features });
    } catch (e) {
      return { ok: false, bwrapPath, version, error: (e as Error).message, features };
    }
    const r = await capture(s.file, s.args, s.env, s.dataFds);
    if (r.code !== 0) {
      const why = (r.error ?? r.stderr.trim()) || `exit ${r.code}`;
      return fail(version, `bwrap (${version}) is installed but cannot create a sandbox here: ${why}. It needs user namespaces (e.g. sysctl kernel.unprivileged_userns_clone=1, or run Baton where they are allowed).`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ok: true, bwrapPath, version, error: null, features };
}

/**
 * Caveats worth printing beside a working sandbox. The process limit is counted per host user, and
 * the kernel does not enforce it for root: when Baton runs as root, a runaway fork is stopped by
 * the timeout and the pid namespace rather than by RLIMIT_NPROC.
 */
export function sandboxNotes(): string[] {
  return process.getuid?.() === 0 ? ['Baton runs as root: the per-command process limit is not enforced by the kernel for root (timeouts and the pid namespace still apply); run Baton as an unprivileged user for it.'] : [];
}
