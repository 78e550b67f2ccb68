import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { serverSql, serverWrite, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createUser, type TestUser } from '../../../test/helpers/factories.ts';

let srv: TestServer;
let call: Call;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
  alice = await createUser(call);
  bob = await createUser(call);
});
afterAll(() => srv.close());

describe('POST /api-keys', () => {
  it('shows the key once and stores only its SHA-256 (happy)', async () => {
    for (const kind of ['mk_live', 'mk_test', 'fr'] as const) {
      const res = await call('POST', '/api/v1/api-keys', { cookie: alice.cookie, body: { name: `my ${kind}`, kind } });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body.data).sort()).toEqual(['createdAt', 'id', 'key', 'kind', 'name']);
      expect(res.body.data.key.startsWith(`${kind}_`)).toBe(true);
      const row = (await serverSql(srv).get<Record<string, string>>('SELECT * FROM api_keys WHERE id = ?', res.body.data.id))!;
      expect(row.key_hash).toBe(createHash('sha256').update(res.body.data.key).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(res.body.data.key);
    }
  });

  it('can be called with an mk key, but not with an fr key or anonymously', async () => {
    const mk = await createApiKey(call, alice, 'mk_live');
    const viaKey = await call('POST', '/api/v1/api-keys', { token: mk.key, body: { name: 'from key', kind: 'mk_test' } });
    expect(viaKey.status).toBe(201);
    const fr = await createApiKey(call, alice, 'fr');
    expect((await call('POST', '/api/v1/api-keys', { token: fr.key, body: { name: 'x', kind: 'fr' } })).status).toBe(401);
    const anon = await call('POST', '/api/v1/api-keys', { body: { name: 'x', kind: 'fr' } });
    expect(anon.status).toBe(401);
    expectErrorBody(anon.body);
  });

  it('answers 400 to an unknown kind or a missing name', async () => {
    const res = await call('POST', '/api/v1/api-keys', { cookie: alice.cookie, body: { name: 'x', kind: 'sk_live' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^kind: /);
    expect((await call('POST', '/api/v1/api-keys', { cookie: alice.cookie, body: { kind: 'fr' } })).status).toBe(400);
  });
});

describe('GET /api-keys', () => {
  it('lists keys without secrets (happy)', async () => {
    const made = await createApiKey(call, alice, 'mk_live', { name: 'listed' });
    const res = await call('GET', '/api/v1/api-keys', { cookie: alice.cookie });
    expect(res.status).toBe(200);
    const listed = res.body.data.apiKeys.find((k: { id: string }) => k.id === made.id);
    expect(listed).toMatchObject({ name: 'listed', kind: 'mk_live', orgId: alice.orgId, lastUsedAt: null });
    expect(made.key.startsWith(listed.prefix)).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain(made.key);
  });

  it('records when a key was last used', async () => {
    const made = await createApiKey(call, alice, 'mk_test', { name: 'used' });
    const listed = async () => (await call('GET', '/api/v1/api-keys', { cookie: alice.cookie })).body.data.apiKeys.find((k: { id: string }) => k.id === made.id);
    expect((await listed()).lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await call('GET', '/api/v1/orgs', { token: made.key })).status).toBe(200);
    const used = Date.parse((await listed()).lastUsedAt);
    expect(used).toBeGreaterThanOrEqual(before - 1000);
    expect(used).toBeLessThanOrEqual(Date.now());
  });

  it("does not show another tenant's keys; 401 without credentials", async () => {
    const bobs = await createApiKey(call, bob, 'mk_live');
    const res = await call('GET', '/api/v1/api-keys', { cookie: alice.cookie });
    expect(res.body.data.apiKeys.some((k: { id: string }) => k.id === bobs.id)).toBe(false);
    expect((await call('GET', '/api/v1/api-keys')).status).toBe(401);
  });

  it("a member sees only their own mk keys; an admin sees the org's", async () => {
    const member = await createUser(call);
    const admin = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, member.id, 'member');
    await addMember(srv.baton.store, alice.orgId, admin.id, 'admin');
    const alicesKey = await createApiKey(call, alice, 'mk_live');
    const membersKey = await createApiKey(call, member, 'mk_live', { orgId: alice.orgId });
    const asMember = await call('GET', '/api/v1/api-keys', { cookie: member.cookie, headers: { 'x-org-id': alice.orgId } });
    const memberIds = asMember.body.data.apiKeys.map((k: { id: string }) => k.id);
    expect(memberIds).toContain(membersKey.id);
    expect(memberIds).not.toContain(alicesKey.id);
    const asAdmin = await call('GET', '/api/v1/api-keys', { cookie: admin.cookie, headers: { 'x-org-id': alice.orgId } });
    const adminIds = asAdmin.body.data.apiKeys.map((k: { id: string }) => k.id);
    expect(adminIds).toEqual(expect.arrayContaining([alicesKey.id, membersKey.id]));
  });
});

describe('DELETE /api-keys/{id}', () => {
  it('revokes a key: it gets 401 from then on (happy)', async () => {
    const key = await createApiKey(call, alice, 'mk_live');
    expect((await call('GET', '/api/v1/orgs', { token: key.key })).status).toBe(200);
    const res = await call('DELETE', `/api/v1/api-keys/${key.id}`, { cookie: alice.cookie });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ deleted: true, id: key.id });
    const after = await call('GET', '/api/v1/orgs', { token: key.key });
    expect(after.status).toBe(401);
    expectErrorBody(after.body);
    expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, { cookie: alice.cookie })).status).toBe(404);
  });

  it("answers 404 to another tenant's key (which keeps working), 401 without credentials", async () => {
    const bobs = await createApiKey(call, bob, 'fr');
    const res = await call('DELETE', `/api/v1/api-keys/${bobs.id}`, { cookie: alice.cookie });
    expect(res.status).toBe(404);
    expectErrorBody(res.body);
    expect((await call('GET', '/relay/api/v1/projects', { token: bobs.key })).status).toBe(200);
    expect((await call('DELETE', `/api/v1/api-keys/${bobs.id}`)).status).toBe(401);
  });
});

describe('keys and surfaces', () => {
  it('a key works only on its own surface', async () => {
    const mk = await createApiKey(call, alice, 'mk_test');
    const fr = await createApiKey(call, alice, 'fr');
    expect((await call('GET', '/api/v1/orgs', { token: mk.key })).status).toBe(200);
    expect((await call('GET', '/relay/api/v1/projects', { token: fr.key })).status).toBe(200);
    const frOnMk = await call('GET', '/api/v1/orgs', { token: fr.key });
    expect(frOnMk.status).toBe(401);
    expectErrorBody(frOnMk.body);
    const mkOnRelay = await call('GET', '/relay/api/v1/projects', { token: mk.key });
    expect(mkOnRelay.status).toBe(401);
    expectErrorBody(mkOnRelay.body);
  });

  it('an mk key stops working when its user leaves the org', async () => {
    const member = await createUser(call);
    await addMember(srv.baton.store, bob.orgId, member.id, 'member');
    const key = await createApiKey(call, member, 'mk_live', { orgId: bob.orgId });
    expect((await call('GET', `/api/v1/orgs/${bob.orgId}`, { token: key.key })).status).toBe(200);
    await serverWrite(srv, 'DELETE FROM memberships WHERE org_id = ? AND user_id = ?', bob.orgId, member.id);
    expect((await call('GET', `/api/v1/orgs/${bob.orgId}`, { token: key.key })).status).toBe(404);
  });
});
