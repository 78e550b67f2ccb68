import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody } from '../../../test/helpers/contract.ts';
import { createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';

/**
 * Text holding the NUL character: SQLite stores it, Postgres cannot (text and JSON refuse U+0000).
 * Either way it is never a 500: stored and read back as sent, or refused with a 400 saying why.
 */
let srv: TestServer;
let call: Call;
let alice: TestUser;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
  alice = await createUser(call);
});
afterAll(() => srv.close());

const NUL_MESSAGE = 'Text may not contain the NUL character (\\u0000)';

describe('text with a NUL character', () => {
  it('a project name: stored as sent, or a 400 naming the character; never a 500', async () => {
    const res = await call('POST', '/api/v1/projects', { cookie: alice.cookie, body: { name: 'Pay\u0000ments' } });
    if (res.status === 201) expect(res.body.data.name).toBe('Pay\u0000ments');
    else {
      expect(res.status).toBe(400);
      expectErrorBody(res.body);
      expect(res.body.error).toBe(NUL_MESSAGE);
    }
    // The org is untouched either way, and the next request works.
    const list = await call('GET', '/api/v1/projects', { cookie: alice.cookie });
    expect(list.status).toBe(200);
    expect(list.body.data.count).toBe(res.status === 201 ? 1 : 0);
    expect(srv.loggedErrors).toEqual([]);
  });

  it('an ingested event: the same, on the Flow Relay surface', async () => {
    const project = await createProject(call, { cookie: alice.cookie }, { name: 'Ingest' });
    const key = await createApiKey(call, alice, 'fr');
    const res = await call('POST', '/relay/api/v1/events', {
      token: key.key,
      body: { project_id: project.id, events: [{ source: 'slack', event_type: 'message', title: 'nul', content: 'a\u0000b' }] },
    });
    expect([201, 200, 202, 400]).toContain(res.status);
    if (res.status === 400) expect(res.body).toEqual({ error: NUL_MESSAGE });
    expect(srv.loggedErrors).toEqual([]);
  });
});
