import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';

/** GET /readyz: 200 while the database answers, 503 {"error"} when it does not (a load balancer then routes elsewhere). */
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ BATON_ENGINE_PAUSED: 'true' });
});
afterAll(() => srv.close());

/**
 * Takes the database away from this node, as an outage would. SQLite: the reader connection gone.
 * Postgres: the database dropped on its server (the node's connections terminated with it), so
 * every connection the pool opens from now on is refused.
 */
async function cutOffDatabase(srv: TestServer): Promise<void> {
  if (!srv.databaseUrl) {
    srv.baton.store.reader.$client.close();
    return;
  }
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE "${decodeURIComponent(new URL(srv.databaseUrl).pathname.slice(1))}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

describe('GET /readyz', () => {
  it('answers 200 while the database answers', async () => {
    const res = await fetch(`${srv.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, node: srv.baton.core.config.nodeId, engine: srv.databaseUrl ? 'postgres' : 'sqlite' });
  });

  it('answers 503 with {"error"} when the database does not; /healthz (liveness) stays 200', async () => {
    // The database out of reach is what an outage looks like to this node.
    await cutOffDatabase(srv);
    const res = await fetch(`${srv.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'The database is not reachable', node: srv.baton.core.config.nodeId });
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  });
});
