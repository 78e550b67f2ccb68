import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSql, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';

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

describe('POST /projects', () => {
  it('creates a project in the active org (happy)', async () => {
    const res = await call('POST', '/api/v1/projects', {
      cookie: alice.cookie,
      body: { name: 'Payments', description: 'Billing and checkout', githubRepoUrl: 'https://github.com/acme/payments' },
    });
    expect(res.status).toBe(201);
    expectMkContract('POST', '/projects', 201, res.body);
    expect(res.body.data).toMatchObject({ orgId: alice.orgId, name: 'Payments', slug: 'payments', status: 'active', githubRepoUrl: 'https://github.com/acme/payments' });
  });

  it('creates it in the org named by X-Org-Id, or the one an mk key is bound to', async () => {
    const second = await call('POST', '/api/v1/orgs', { cookie: alice.cookie, body: { name: 'Side Org' } });
    const viaHeader = await createProject(call, { cookie: alice.cookie }, { name: 'Side' });
    expect(viaHeader.orgId).toBe(alice.orgId);
    const res = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { 'x-org-id': second.body.data.id }, body: { name: 'Side' } });
    expect(res.body.data.orgId).toBe(second.body.data.id);
    const key = await createApiKey(call, alice, 'mk_live', { orgId: second.body.data.id });
    const byKey = await createProject(call, { token: key.key }, { name: 'Keyed' });
    expect(byKey.orgId).toBe(second.body.data.id);
    // An X-Org-Id the user does not belong to is 404, not a silent fallback.
    const foreign = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { 'x-org-id': bob.orgId }, body: { name: 'Sneaky' } });
    expect(foreign.status).toBe(404);
  });

  it('answers 400 to bad input and 409 to a taken slug', async () => {
    const bad = await call('POST', '/api/v1/projects', { cookie: alice.cookie, body: { name: 'x', githubRepoUrl: 'not a url' } });
    expect(bad.status).toBe(400);
    expectMkContract('POST', '/projects', 400, bad.body);
    expect(bad.body.error).toMatch(/^githubRepoUrl: /);
    await createProject(call, { cookie: alice.cookie }, { name: 'Dup', slug: 'dup' });
    const dup = await call('POST', '/api/v1/projects', { cookie: alice.cookie, body: { name: 'Dup', slug: 'dup' } });
    expect(dup.status).toBe(409);
    expectErrorBody(dup.body);
  });

  it('answers 403 to a viewer and 401 without credentials', async () => {
    const viewer = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, viewer.id, 'viewer');
    const asViewer = await call('POST', '/api/v1/projects', { cookie: viewer.cookie, headers: { 'x-org-id': alice.orgId }, body: { name: 'Nope' } });
    expect(asViewer.status).toBe(403);
    expectErrorBody(asViewer.body);
    const anon = await call('POST', '/api/v1/projects', { body: { name: 'Nope' } });
    expect(anon.status).toBe(401);
    expectMkContract('POST', '/projects', 401, anon.body);
  });
});

describe('GET /projects', () => {
  it('lists newest first, filters by status and paginates with a total count (happy)', async () => {
    const u = await createUser(call);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createProject(call, { cookie: u.cookie }, { name: `P${i}` }));
    await call('PATCH', `/api/v1/projects/${made[1]!.id}`, { cookie: u.cookie, body: { status: 'paused' } });
    const all = await call('GET', '/api/v1/projects', { cookie: u.cookie });
    expect(all.status).toBe(200);
    expectMkContract('GET', '/projects', 200, all.body);
    expect(all.body.data.count).toBe(5);
    expect(all.body.data.projects.map((p: { name: string }) => p.name)).toEqual(['P4', 'P3', 'P2', 'P1', 'P0']);
    const page = await call('GET', '/api/v1/projects?limit=2&offset=1', { cookie: u.cookie });
    expect(page.body.data.projects.map((p: { name: string }) => p.name)).toEqual(['P3', 'P2']);
    expect(page.body.data.count).toBe(5);
    const paused = await call('GET', '/api/v1/projects?status=paused', { cookie: u.cookie });
    expect(paused.body.data.projects.map((p: { name: string }) => p.name)).toEqual(['P1']);
    expect(paused.body.data.count).toBe(1);
  });

  it('answers 400 to an out-of-range limit and an unknown status', async () => {
    for (const q of ['limit=0', 'limit=101', 'offset=-1', 'status=deleted', 'limit=abc']) {
      const res = await call('GET', `/api/v1/projects?${q}`, { cookie: alice.cookie });
      expect(res.status, q).toBe(400);
      expectErrorBody(res.body);
    }
  });

  it("never lists another tenant's projects; 401 without credentials", async () => {
    await createProject(call, { cookie: bob.cookie }, { name: 'Bob secret' });
    const res = await call('GET', '/api/v1/projects?limit=100', { cookie: alice.cookie });
    expect(res.body.data.projects.some((p: { name: string }) => p.name === 'Bob secret')).toBe(false);
    const anon = await call('GET', '/api/v1/projects');
    expect(anon.status).toBe(401);
    expectMkContract('GET', '/projects', 401, anon.body);
  });
});

describe('GET /projects/{id}', () => {
  it('returns the project (happy)', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const res = await call('GET', `/api/v1/projects/${p.id}`, { cookie: alice.cookie });
    expect(res.status).toBe(200);
    expectMkContract('GET', '/projects/{id}', 200, res.body);
    expect(res.body.data.id).toBe(p.id);
  });

  it("answers 404 to another tenant's project (cookie and key), and 401 without credentials", async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const res = await call('GET', `/api/v1/projects/${p.id}`, { cookie: bob.cookie });
    expect(res.status).toBe(404);
    expectMkContract('GET', '/projects/{id}', 404, res.body);
    const bobKey = await createApiKey(call, bob, 'mk_live');
    expect((await call('GET', `/api/v1/projects/${p.id}`, { token: bobKey.key })).status).toBe(404);
    const anon = await call('GET', `/api/v1/projects/${p.id}`);
    expect(anon.status).toBe(401);
    expectMkContract('GET', '/projects/{id}', 401, anon.body);
  });
});

describe('PATCH /projects/{id}', () => {
  it('updates fields and can clear githubRepoUrl (happy)', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { githubRepoUrl: 'https://github.com/a/b' });
    const res = await call('PATCH', `/api/v1/projects/${p.id}`, { cookie: alice.cookie, body: { name: 'Renamed', description: 'd', status: 'archived', githubRepoUrl: null } });
    expect(res.status).toBe(200);
    expectMkContract('PATCH', '/projects/{id}', 200, res.body);
    expect(res.body.data).toMatchObject({ name: 'Renamed', description: 'd', status: 'archived', githubRepoUrl: null });
  });

  it('answers 400 to bad input', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const res = await call('PATCH', `/api/v1/projects/${p.id}`, { cookie: alice.cookie, body: { status: 'gone' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^status: /);
  });

  it("answers 404 to another tenant, 403 to a viewer, 401 without credentials", async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const res = await call('PATCH', `/api/v1/projects/${p.id}`, { cookie: bob.cookie, body: { name: 'x' } });
    expect(res.status).toBe(404);
    expectMkContract('PATCH', '/projects/{id}', 404, res.body);
    const viewer = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, viewer.id, 'viewer');
    const asViewer = await call('PATCH', `/api/v1/projects/${p.id}`, { cookie: viewer.cookie, headers: { 'x-org-id': alice.orgId }, body: { name: 'x' } });
    expect(asViewer.status).toBe(403);
    const anon = await call('PATCH', `/api/v1/projects/${p.id}`, { body: { name: 'x' } });
    expect(anon.status).toBe(401);
    expectMkContract('PATCH', '/projects/{id}', 401, anon.body);
  });
});

describe('DELETE /projects/{id}', () => {
  it('deletes the project and its environments (happy)', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const res = await call('DELETE', `/api/v1/projects/${p.id}`, { cookie: alice.cookie });
    expect(res.status).toBe(200);
    expectMkContract('DELETE', '/projects/{id}', 200, res.body);
    expect(res.body.data).toEqual({ deleted: true, id: p.id });
    expect((await call('GET', `/api/v1/projects/${p.id}`, { cookie: alice.cookie })).status).toBe(404);
    const envs = (await serverSql(srv).get<{ n: number }>('SELECT count(*) AS n FROM project_environments WHERE project_id = ?', p.id))!;
    expect(envs.n).toBe(0);
  });

  it("answers 404 to another tenant (and the project survives), 403 to a member, 401 without credentials", async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const res = await call('DELETE', `/api/v1/projects/${p.id}`, { cookie: bob.cookie });
    expect(res.status).toBe(404);
    expectMkContract('DELETE', '/projects/{id}', 404, res.body);
    const member = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, member.id, 'member');
    expect((await call('DELETE', `/api/v1/projects/${p.id}`, { cookie: member.cookie, headers: { 'x-org-id': alice.orgId } })).status).toBe(403);
    const anon = await call('DELETE', `/api/v1/projects/${p.id}`);
    expect(anon.status).toBe(401);
    expectMkContract('DELETE', '/projects/{id}', 401, anon.body);
    expect((await call('GET', `/api/v1/projects/${p.id}`, { cookie: alice.cookie })).status).toBe(200);
  });
});

describe('GET /projects/{id}/environments', () => {
  it('a new project has development, staging and production (happy)', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const res = await call('GET', `/api/v1/projects/${p.id}/environments`, { cookie: alice.cookie });
    expect(res.status).toBe(200);
    expectMkContract('GET', '/projects/{id}/environments', 200, res.body);
    expect(res.body.data.environments.map((e: { name: string }) => e.name)).toEqual(['development', 'staging', 'production']);
    expect(res.body.data.environments.every((e: { status: string }) => e.status === 'active')).toBe(true);
  });

  it("answers 404 to an unknown project and another tenant's, 401 without credentials", async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    expect((await call('GET', `/api/v1/projects/00000000-0000-4000-8000-000000000000/environments`, { cookie: alice.cookie })).status).toBe(404);
    const res = await call('GET', `/api/v1/projects/${p.id}/environments`, { cookie: bob.cookie });
    expect(res.status).toBe(404);
    expectMkContract('GET', '/projects/{id}/environments', 404, res.body);
    const anon = await call('GET', `/api/v1/projects/${p.id}/environments`);
    expect(anon.status).toBe(401);
    expectMkContract('GET', '/projects/{id}/environments', 401, anon.body);
  });
});
