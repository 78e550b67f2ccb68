import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';

/** GET /readyz: 200 while the database answers, 503 {"error"} when it does not (a load balancer then routes elsewhere). */
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ BATON_ENGINE_PAUSED: 'true' });
});
afterAll(() => srv.close());

describe('GET /readyz', () => {
  it('answers 200 while the database answers', async () => {
    const res = await fetch(`${srv.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('answers 503 with {"error"} when the database does not; /healthz (liveness) stays 200', async () => {
    // The reader connection gone is what an unreachable database looks like to this node.
    srv.baton.store.reader.$client.close();
    const res = await fetch(`${srv.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'The database is not reachable' });
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  });
});
