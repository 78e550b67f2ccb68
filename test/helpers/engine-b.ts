import type { DB } from '@baton/db';
import { openSideStore, type TestServer } from './server.ts';

/**
 * Runs fn as one unit of work on another connection to srv's database, as another process (a CLI,
 * sqlite3, another node) would: the same SQLite file or the same Postgres database, never the
 * server's own connections, so the server's in-process triggers do not see the write. The
 * connection is opened for this write and closed after its commit.
 *
 * Write with drizzle's builders or sqlOn(tx) (test/helpers/server.ts), which read the same on both
 * engines. On SQLite the connection has foreign keys on, as every Baton connection does.
 */
export async function writeAsOtherProcess<T>(srv: Pick<TestServer, 'databaseUrl' | 'dataDir'>, fn: (tx: DB) => Promise<T>): Promise<T> {
  const side = await openSideStore(srv);
  try {
    return await side.unit(fn, 'test: another process');
  } finally {
    await side.close();
  }
}
