import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSql, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createUser, type TestUser } from '../../../test/helpers/factories.ts';

/*
 * POST /runs with a key whose standing changed after the server last used it: revoked, its owner's
 * role lowered, its owner removed. The calls that create runs are written in batches (create-run.ts),
 * and on SQLite the key lookups are cached until any access change: whatever the path, the change
 * counts from the very next request, which writes nothing, and each caller of a burst gets its own
 * answer.
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

const post = (token: string, requestText: string) => call('POST', '/api/v1/runs', { token, body: { requestText } });
const runsOf = async (userId: string) => Number((await serverSql(srv).get<{ n: number }>('SELECT count(*) AS n FROM runs WHERE user_id = ?', userId))!.n);

/** Bob, a member of alice's org, with a key there that has created a run (so the server has read and used it). */
async function memberWithUsedKey(): Promise<{ alice: TestUser; bob: TestUser; key: string; revoke(): Promise<void> }> {
  const alice = await createUser(call);
  const bob = await createUser(call);
  await addMember(srv.baton.store, alice.orgId, bob.id, 'member');
  const created = await createApiKey(call, bob, 'mk_live', { orgId: alice.orgId });
  const first = await post(created.key, 'first');
  expect(first.status).toBe(201);
  expectMkContract('POST', '/runs', 201, first.body);
  expect(first.body.data.orgId).toBe(alice.orgId);
  const revoke = async () => {
    const res = await call('DELETE', `/api/v1/api-keys/${created.id}`, { cookie: bob.cookie, headers: { 'x-org-id': alice.orgId } });
    expect(res.status).toBe(200);
  };
  return { alice, bob, key: created.key, revoke };
}

/** A POST /runs refused for its key, as the contract documents, having written nothing beyond the owner's first run, and logged nothing. */
async function expectKeyRefused(refused: Awaited<ReturnType<typeof post>>, ownerId: string): Promise<void> {
  expect(refused.status).toBe(401);
  expectMkContract('POST', '/runs', 401, refused.body);
  expect(refused.body.error).toBe('Invalid API key');
  expect(await runsOf(ownerId)).toBe(1);
  expect(srv.loggedErrors).toEqual([]);
}

describe('POST /runs after its key changed', () => {
  it('a key revoked after use: the next call is 401 and writes nothing', async () => {
    const { bob, key, revoke } = await memberWithUsedKey();
    await revoke();
    const refused = await post(key, 'after revocation');
    await expectKeyRefused(refused, bob.id);
  });

  it("the owner's role lowered to viewer: 403 at once; raised again: 201 at once", async () => {
    const { alice, bob, key } = await memberWithUsedKey();
    const lowered = await call('PATCH', `/api/v1/orgs/${alice.orgId}/members/${bob.id}`, { cookie: alice.cookie, body: { role: 'viewer' } });
    expect(lowered.status).toBe(200);
    const refused = await post(key, 'as a viewer');
    expect(refused.status).toBe(403);
    expectErrorBody(refused.body);
    expect(refused.body.error).toBe('This needs the member role or higher in the organization');
    expect(await runsOf(bob.id)).toBe(1);

    const raised = await call('PATCH', `/api/v1/orgs/${alice.orgId}/members/${bob.id}`, { cookie: alice.cookie, body: { role: 'member' } });
    expect(raised.status).toBe(200);
    const again = await post(key, 'a member again');
    expect(again.status).toBe(201);
    expectMkContract('POST', '/runs', 201, again.body);
    expect(await runsOf(bob.id)).toBe(2);
    expect(srv.loggedErrors).toEqual([]);
  });

  it("the owner removed from the org: the key, which went with the membership, is refused at once", async () => {
    const { alice, bob, key } = await memberWithUsedKey();
    const removed = await call('DELETE', `/api/v1/orgs/${alice.orgId}/members/${bob.id}`, { cookie: alice.cookie });
    expect(removed.status).toBe(200);
    const refused = await post(key, 'after removal');
    await expectKeyRefused(refused, bob.id);
  });

  it('a burst mixing a revoked key with live ones: each caller gets its own answer', async () => {
    const { bob, key: doomed, revoke } = await memberWithUsedKey();
    const carol = await createUser(call);
    const live = (await createApiKey(call, carol, 'mk_live')).key;
    expect((await post(live, 'carol first')).status).toBe(201);
    await revoke();
    // Sent together, so that the two keys' calls share batches.
    const replies = await Promise.all(Array.from({ length: 24 }, (_, i) => post(i % 2 ? doomed : live, `burst ${i}`)));
    for (const [i, res] of replies.entries()) {
      if (i % 2) {
        expect(res.status, `call ${i} with the revoked key`).toBe(401);
        expectErrorBody(res.body);
      } else {
        expect(res.status, `call ${i} with the live key`).toBe(201);
        expectMkContract('POST', '/runs', 201, res.body);
        expect(res.body.data.requestText).toBe(`burst ${i}`);
      }
    }
    expect(await runsOf(bob.id)).toBe(1);
    expect(await runsOf(carol.id)).toBe(13);
    expect(srv.loggedErrors).toEqual([]);
  });
});
