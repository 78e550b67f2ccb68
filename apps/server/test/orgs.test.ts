import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSql, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createUser, type TestUser } from '../../../test/helpers/factories.ts';

let srv: TestServer;
let call: Call;
let owner: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
  owner = await createUser(call, { name: 'Olive' });
  stranger = await createUser(call, { name: 'Stan' });
});
afterAll(() => srv.close());

describe('GET /orgs', () => {
  it('lists the orgs the user belongs to (happy)', async () => {
    const res = await call('GET', '/api/v1/orgs', { cookie: owner.cookie });
    expect(res.status).toBe(200);
    expectMkContract('GET', '/orgs', 200, res.body);
    expect(res.body.data.organizations.map((o: { id: string }) => o.id)).toEqual([owner.orgId]);
    expect(res.body.data.organizations[0].autonomyLevel).toBe('assist');
  });

  it('an mk key sees only the org it is bound to', async () => {
    const u = await createUser(call);
    const second = await call('POST', '/api/v1/orgs', { cookie: u.cookie, body: { name: 'Second' } });
    const key = await createApiKey(call, u, 'mk_live', { orgId: second.body.data.id });
    const res = await call('GET', '/api/v1/orgs', { token: key.key });
    expect(res.status).toBe(200);
    expect(res.body.data.organizations.map((o: { id: string }) => o.id)).toEqual([second.body.data.id]);
  });

  it('answers 401 without credentials, with a garbage key, and with an fr key', async () => {
    const none = await call('GET', '/api/v1/orgs');
    expect(none.status).toBe(401);
    expectMkContract('GET', '/orgs', 401, none.body);
    expectErrorBody(none.body);
    expect((await call('GET', '/api/v1/orgs', { token: 'mk_live_not-a-real-key' })).status).toBe(401);
    const fr = await createApiKey(call, owner, 'fr');
    expect((await call('GET', '/api/v1/orgs', { token: fr.key })).status).toBe(401);
    expect((await call('GET', '/api/v1/orgs', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });
});

describe('POST /orgs', () => {
  it('creates an org with the caller as owner (happy)', async () => {
    const res = await call('POST', '/api/v1/orgs', { cookie: owner.cookie, body: { name: 'Acme Rockets', slug: 'acme-rockets' } });
    expect(res.status).toBe(201);
    expectMkContract('POST', '/orgs', 201, res.body);
    expect(res.body.data).toMatchObject({ name: 'Acme Rockets', slug: 'acme-rockets', role: 'owner', autonomyLevel: 'assist', creditBalance: '0.00', isActive: true });
  });

  it('derives a unique slug when none is given', async () => {
    const a = await call('POST', '/api/v1/orgs', { cookie: owner.cookie, body: { name: 'Same Name' } });
    const b = await call('POST', '/api/v1/orgs', { cookie: owner.cookie, body: { name: 'Same Name' } });
    expect(a.body.data.slug).toBe('same-name');
    expect(b.body.data.slug).toBe('same-name-2');
  });

  it('answers 409 to a taken slug and 400 to bad input', async () => {
    await call('POST', '/api/v1/orgs', { cookie: owner.cookie, body: { name: 'X', slug: 'taken-slug' } });
    const dup = await call('POST', '/api/v1/orgs', { cookie: stranger.cookie, body: { name: 'Y', slug: 'taken-slug' } });
    expect(dup.status).toBe(409);
    expectErrorBody(dup.body);
    const bad = await call('POST', '/api/v1/orgs', { cookie: owner.cookie, body: { name: '' } });
    expect(bad.status).toBe(400);
    expectMkContract('POST', '/orgs', 400, bad.body);
    expect(bad.body.error).toMatch(/^name: /);
    const badSlug = await call('POST', '/api/v1/orgs', { cookie: owner.cookie, body: { name: 'Z', slug: 'Not A Slug' } });
    expect(badSlug.status).toBe(400);
  });

  it('answers 401 without credentials', async () => {
    const res = await call('POST', '/api/v1/orgs', { body: { name: 'Nope' } });
    expect(res.status).toBe(401);
    expectMkContract('POST', '/orgs', 401, res.body);
  });
});

describe('GET /orgs/{id}', () => {
  it('returns every documented field with the caller role (happy)', async () => {
    const res = await call('GET', `/api/v1/orgs/${owner.orgId}`, { cookie: owner.cookie });
    expect(res.status).toBe(200);
    expectMkContract('GET', '/orgs/{id}', 200, res.body);
    expect(res.body.data).toMatchObject({ id: owner.orgId, role: 'owner', subscriptionTier: 'free', settings: {}, constitutionVersion: 1 });
  });

  it("answers 404 for another tenant's org and for an unknown id", async () => {
    const res = await call('GET', `/api/v1/orgs/${owner.orgId}`, { cookie: stranger.cookie });
    expect(res.status).toBe(404);
    expectMkContract('GET', '/orgs/{id}', 404, res.body);
    expectErrorBody(res.body);
    expect((await call('GET', '/api/v1/orgs/00000000-0000-4000-8000-000000000000', { cookie: owner.cookie })).status).toBe(404);
    expect((await call('GET', '/api/v1/orgs/not-a-uuid', { cookie: owner.cookie })).status).toBe(404);
  });

  it('answers 404 to an mk key of another org of the same user', async () => {
    const u = await createUser(call);
    const other = await call('POST', '/api/v1/orgs', { cookie: u.cookie, body: { name: 'Other' } });
    const key = await createApiKey(call, u, 'mk_test');
    expect((await call('GET', `/api/v1/orgs/${u.orgId}`, { token: key.key })).status).toBe(200);
    expect((await call('GET', `/api/v1/orgs/${other.body.data.id}`, { token: key.key })).status).toBe(404);
  });

  it('answers 401 without credentials', async () => {
    const res = await call('GET', `/api/v1/orgs/${owner.orgId}`);
    expect(res.status).toBe(401);
    expectMkContract('GET', '/orgs/{id}', 401, res.body);
  });
});

describe('PATCH /orgs/{id}', () => {
  it('lets an admin rename and change the autonomy level (happy)', async () => {
    const admin = await createUser(call);
    await addMember(srv.baton.store, owner.orgId, admin.id, 'admin');
    const res = await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { cookie: admin.cookie, body: { name: 'Renamed', autonomyLevel: 'act' } });
    expect(res.status).toBe(200);
    expectMkContract('PATCH', '/orgs/{id}', 200, res.body);
    expect(res.body.data).toMatchObject({ name: 'Renamed', autonomyLevel: 'act', role: 'admin' });
    expect(res.body.data.updatedAt >= res.body.data.createdAt).toBe(true);
  });

  it('answers 403 to a member and a viewer, but a live temporary admin may', async () => {
    const member = await createUser(call);
    const viewer = await createUser(call);
    const temp = await createUser(call);
    const lapsed = await createUser(call);
    await addMember(srv.baton.store, owner.orgId, member.id, 'member');
    await addMember(srv.baton.store, owner.orgId, viewer.id, 'viewer');
    await addMember(srv.baton.store, owner.orgId, temp.id, 'member', new Date(Date.now() + 3_600_000).toISOString());
    await addMember(srv.baton.store, owner.orgId, lapsed.id, 'member', new Date(Date.now() - 1000).toISOString());
    for (const u of [member, viewer, lapsed]) {
      const res = await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { cookie: u.cookie, body: { name: 'Hijack' } });
      expect(res.status).toBe(403);
      expectMkContract('PATCH', '/orgs/{id}', 403, res.body);
      expectErrorBody(res.body);
    }
    const ok = await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { cookie: temp.cookie, body: { autonomyLevel: 'observe' } });
    expect(ok.status).toBe(200);
    expect(ok.body.data.role).toBe('admin');
  });

  it('answers 400 to an unknown autonomy level', async () => {
    const res = await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { cookie: owner.cookie, body: { autonomyLevel: 'yolo' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^autonomyLevel: /);
  });

  it('answers 404 to a non-member and 401 without credentials', async () => {
    const res = await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { cookie: stranger.cookie, body: { name: 'Mine' } });
    expect(res.status).toBe(404);
    expectMkContract('PATCH', '/orgs/{id}', 404, res.body);
    const anon = await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { body: { name: 'Mine' } });
    expect(anon.status).toBe(401);
    expectMkContract('PATCH', '/orgs/{id}', 401, anon.body);
  });
});

describe('DELETE /orgs/{id}', () => {
  it('lets the owner delete, taking its projects along (happy)', async () => {
    const u = await createUser(call);
    const org = await call('POST', '/api/v1/orgs', { cookie: u.cookie, body: { name: 'Doomed' } });
    const orgId = org.body.data.id;
    const project = await call('POST', '/api/v1/projects', { cookie: u.cookie, headers: { 'x-org-id': orgId }, body: { name: 'Gone too' } });
    expect(project.status).toBe(201);
    const res = await call('DELETE', `/api/v1/orgs/${orgId}`, { cookie: u.cookie });
    expect(res.status).toBe(200);
    expectMkContract('DELETE', '/orgs/{id}', 200, res.body);
    expect(res.body.data).toEqual({ deleted: true, id: orgId });
    expect((await call('GET', `/api/v1/orgs/${orgId}`, { cookie: u.cookie })).status).toBe(404);
    const left = (await serverSql(srv).get<{ n: number }>('SELECT count(*) AS n FROM projects WHERE org_id = ?', orgId))!;
    expect(left.n).toBe(0);
  });

  it('answers 403 to an admin, 404 to a non-member, 401 without credentials', async () => {
    const admin = await createUser(call);
    await addMember(srv.baton.store, owner.orgId, admin.id, 'admin');
    const asAdmin = await call('DELETE', `/api/v1/orgs/${owner.orgId}`, { cookie: admin.cookie });
    expect(asAdmin.status).toBe(403);
    expectMkContract('DELETE', '/orgs/{id}', 403, asAdmin.body);
    const asStranger = await call('DELETE', `/api/v1/orgs/${owner.orgId}`, { cookie: stranger.cookie });
    expect(asStranger.status).toBe(404);
    expectMkContract('DELETE', '/orgs/{id}', 404, asStranger.body);
    const anon = await call('DELETE', `/api/v1/orgs/${owner.orgId}`);
    expect(anon.status).toBe(401);
    expectMkContract('DELETE', '/orgs/{id}', 401, anon.body);
    expect((await call('GET', `/api/v1/orgs/${owner.orgId}`, { cookie: owner.cookie })).status).toBe(200);
  });
});
