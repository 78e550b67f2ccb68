import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { DATABASE_UNAVAILABLE } from '@baton/db';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client } from '../../../test/helpers/client.ts';
import { createApiKey, createUser } from '../../../test/helpers/factories.ts';
import { createRunVia } from '../../../test/helpers/runs.ts';

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
    const call = client(srv.url);
    const user = await createUser(call);
    const key = (await createApiKey(call, user, 'mk_live')).key;
    const run = await createRunVia(call, { token: key }, { requestText: 'streamed during an outage' });
    // The database out of reach is what an outage looks like to this node.
    await cutOffDatabase(srv);
    const res = await fetch(`${srv.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'The database is not reachable', node: srv.baton.core.config.nodeId });
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    // Requests answer 503 too, so clients retry (a run's stream is served before Express: the same answer).
    const stream = await fetch(`${srv.url}/api/v1/runs/${run.id}/stream`, { headers: { authorization: `Bearer ${key}` } });
    expect(stream.status).toBe(503);
    expect(await stream.json()).toEqual({ error: DATABASE_UNAVAILABLE });
    expect(stream.headers.get('retry-after')).toBe('5');
    const rest = await fetch(`${srv.url}/api/v1/runs/${run.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(rest.status).toBe(503);
    expect(await rest.json()).toEqual({ error: DATABASE_UNAVAILABLE });
  });
});
