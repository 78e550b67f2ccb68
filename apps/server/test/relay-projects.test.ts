import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectRelayContract } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';

let srv: TestServer;
let call: Call;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  srv = await startTestServer({ BATON_RELAY_RATE_LIMIT: '5' });
  call = client(srv.url);
  alice = await createUser(call, { orgName: 'Acme' });
  bob = await createUser(call, { orgName: 'Bobco' });
});
afterAll(() => srv.close());

describe('GET /relay/api/v1/projects', () => {
  it('returns the tenant context, including projects made through /api/v1 (happy)', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Payments', description: 'Billing and checkout' });
    const bare = await createProject(call, { cookie: alice.cookie }, { name: 'No description' });
    const key = await createApiKey(call, alice, 'fr');
    const res = await call('GET', '/relay/api/v1/projects', { token: key.key });
    expect(res.status).toBe(200);
    expectRelayContract('GET', '/projects', 200, res.body);
    expect(res.body.account_type).toBe('personal');
    expect(res.body.organizations).toEqual([{ id: alice.orgId, name: 'Acme', slug: 'acme', role: 'owner', is_temporary_admin: false }]);
    const listed = res.body.projects.find((x: { id: string }) => x.id === p.id);
    expect(listed).toMatchObject({
      name: 'Payments',
      slug: 'payments',
      description: 'Billing and checkout',
      organization_id: alice.orgId,
      organization_name: 'Acme',
      organization_slug: 'acme',
      project_type: 'organization',
      access_role: 'owner',
    });
    expect(res.body.projects.find((x: { id: string }) => x.id === bare.id).description).toBe('');
  });

  it('spans every org the key owner belongs to, with role and temporary admin', async () => {
    const carol = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, carol.id, 'member', new Date(Date.now() + 60_000).toISOString());
    await addMember(srv.baton.store, bob.orgId, carol.id, 'viewer');
    await createProject(call, { cookie: bob.cookie }, { name: 'Bob project' });
    const key = await createApiKey(call, carol, 'fr');
    const res = await call('GET', '/relay/api/v1/projects', { token: key.key });
    expect(res.status).toBe(200);
    expectRelayContract('GET', '/projects', 200, res.body);
    expect(res.body.account_type).toBe('business');
    const byId = Object.fromEntries(res.body.organizations.map((o: { id: string }) => [o.id, o]));
    expect(byId[alice.orgId]).toMatchObject({ role: 'admin', is_temporary_admin: true });
    expect(byId[bob.orgId]).toMatchObject({ role: 'viewer', is_temporary_admin: false });
    const bobProject = res.body.projects.find((x: { name: string }) => x.name === 'Bob project');
    expect(bobProject).toMatchObject({ organization_id: bob.orgId, access_role: 'viewer' });
  });

  it("never shows another tenant's orgs or projects", async () => {
    const dave = await createUser(call);
    const key = await createApiKey(call, dave, 'fr');
    const res = await call('GET', '/relay/api/v1/projects', { token: key.key });
    expect(res.body.organizations.map((o: { id: string }) => o.id)).toEqual([dave.orgId]);
    expect(res.body.projects).toEqual([]);
  });

  it('answers 401 without a key, with a session cookie only, and with a revoked key', async () => {
    const none = await call('GET', '/relay/api/v1/projects');
    expect(none.status).toBe(401);
    expectErrorBody(none.body);
    expect((await call('GET', '/relay/api/v1/projects', { cookie: alice.cookie })).status).toBe(401);
    const key = await createApiKey(call, alice, 'fr');
    await call('DELETE', `/api/v1/api-keys/${key.id}`, { cookie: alice.cookie });
    expect((await call('GET', '/relay/api/v1/projects', { token: key.key })).status).toBe(401);
  });

  it('answers 429 past the per-key rate limit, without affecting other keys', async () => {
    const key = await createApiKey(call, bob, 'fr');
    const other = await createApiKey(call, bob, 'fr');
    for (let i = 0; i < 5; i++) expect((await call('GET', '/relay/api/v1/projects', { token: key.key })).status).toBe(200);
    const limited = await call('GET', '/relay/api/v1/projects', { token: key.key });
    expect(limited.status).toBe(429);
    expectErrorBody(limited.body);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('GET', '/relay/api/v1/projects', { token: other.key })).status).toBe(200);
  });
});
