import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract, expectRelayContract } from '../../../test/helpers/contract.ts';
import { createApiKey, createProject, createUser } from '../../../test/helpers/factories.ts';

/*
 * API keys used by many requests at once: the key lookups that arrive while one is in flight share
 * the next query (auth credentials.ts). Whatever shares a query, each request is answered for its
 * own key: its own org's data, or 401 for a key that is revoked, unknown or of the other surface.
 */
let srv: TestServer;
let call: Call;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
});
afterAll(async () => {
  await srv?.close();
});

describe('API keys in bursts', () => {
  it('answers each request for its own key, and a key revoked a moment ago is refused by every request after', async () => {
    const alice = await createUser(call);
    const mallory = await createUser(call);
    const aliceKey = await createApiKey(call, alice, 'mk_live');
    const malloryKey = await createApiKey(call, mallory, 'mk_test');
    const aliceRelay = await createApiKey(call, alice, 'fr');
    const doomed = await createApiKey(call, alice, 'mk_live');
    const aliceProject = await createProject(call, { token: aliceKey.key });
    const malloryProject = await createProject(call, { token: malloryKey.key });
    expect((await call('DELETE', `/api/v1/api-keys/${doomed.id}`, { cookie: alice.cookie })).status).toBe(200);

    const kinds = ['alice', 'mallory', 'revoked', 'unknown', 'relay-on-mk', 'relay'] as const;
    const requests = Array.from({ length: 60 }, (_, i) => kinds[i % kinds.length]!);
    const replies = await Promise.all(
      requests.map((kind) => {
        switch (kind) {
          case 'alice':
            return call('GET', '/api/v1/projects', { token: aliceKey.key });
          case 'mallory':
            return call('GET', '/api/v1/projects', { token: malloryKey.key });
          case 'revoked':
            return call('GET', '/api/v1/projects', { token: doomed.key });
          case 'unknown':
            return call('GET', '/api/v1/projects', { token: `mk_live_${'x'.repeat(40)}` });
          case 'relay-on-mk':
            return call('GET', '/api/v1/projects', { token: aliceRelay.key });
          case 'relay':
            return call('GET', '/relay/api/v1/projects', { token: aliceRelay.key });
        }
      }),
    );

    for (const [i, res] of replies.entries()) {
      const kind = requests[i]!;
      if (kind === 'alice' || kind === 'mallory') {
        expect(res.status).toBe(200);
        expectMkContract('GET', '/projects', 200, res.body);
        const own = kind === 'alice' ? aliceProject : malloryProject;
        expect(res.body.data.projects.map((p: { id: string }) => p.id)).toEqual([own.id]);
      } else if (kind === 'relay') {
        expect(res.status).toBe(200);
        expectRelayContract('GET', '/projects', 200, res.body);
        expect(res.body.projects.map((p: { id: string }) => p.id)).toEqual([aliceProject.id]);
      } else {
        expect(res.status).toBe(401);
        expectErrorBody(res.body);
      }
    }

    // Revoked while the others keep calling: every request that starts after the revocation is refused.
    const busy = Array.from({ length: 20 }, () => call('GET', '/api/v1/projects', { token: malloryKey.key }));
    expect((await call('DELETE', `/api/v1/api-keys/${aliceKey.id}`, { cookie: alice.cookie })).status).toBe(200);
    const after = await Promise.all(Array.from({ length: 20 }, () => call('GET', '/api/v1/projects', { token: aliceKey.key })));
    expect(after.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect((await Promise.all(busy)).map((r) => r.status)).toEqual(Array(20).fill(200));
  });
});
