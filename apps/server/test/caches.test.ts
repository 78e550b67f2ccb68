import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSql, sqlOn, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { writeAsOtherProcess } from '../../../test/helpers/engine-b.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { addMember, createApiKey, createProject, createUser } from '../../../test/helpers/factories.ts';
import { createRunVia, setAutonomy, waitForRun } from '../../../test/helpers/runs.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { resolveCredentials, hashApiKey, type CredentialResult } from '@baton/auth';
import { finishedRunCacheSize, withTransaction } from '@baton/core';
import type { DB } from '@baton/db';

/**
 * The read caches (API keys, org access, rendered finished runs) must never serve something the
 * database no longer says: each test warms a cache through the API, changes the truth underneath —
 * through the API, through the server's own connection, or from another connection as another
 * process would — and checks the next answer.
 *
 * Both engines: on SQLite the epoch-keyed caches (keys, org access) are on and follow the change
 * triggers and PRAGMA data_version; on Postgres they are off (another node's commit reaches no
 * trigger here) and only the finished-run cache, checked against the row, is kept. Either way the
 * next request must see the change.
 */
let srv: TestServer;
let call: Call;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
});
afterAll(async () => {
  await srv.close();
});

async function finishedRun(auth: { cookie?: string; token?: string }, projectId?: string) {
  const run = await createRunVia(call, auth, { requestText: 'Add a health check endpoint', ...(projectId ? { projectId } : {}) });
  return waitForRun(call, auth, run.id);
}

describe('API key cache', () => {
  it('a key revoked through the API is refused on the very next request', async () => {
    const alice = await createUser(call);
    const key = await createApiKey(call, alice, 'mk_live');
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v1/projects', { token: key.key })).status).toBe(200);
    expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, { cookie: alice.cookie })).status).toBe(200);
    const res = await call('GET', '/api/v1/projects', { token: key.key });
    expect(res.status).toBe(401);
    expectErrorBody(res.body);
  });

  it('a key revoked by another process is refused on the next request', async () => {
    const alice = await createUser(call);
    const key = await createApiKey(call, alice, 'mk_live');
    expect((await call('GET', '/api/v1/projects', { token: key.key })).status).toBe(200);
    await writeAsOtherProcess(srv, (tx) => sqlOn(tx).run('UPDATE api_keys SET revoked_at = ? WHERE id = ?', new Date().toISOString(), key.id));
    expect((await call('GET', '/api/v1/projects', { token: key.key })).status).toBe(401);
  });

  it('still records last use, at most once a minute, while the lookup is cached', async () => {
    const alice = await createUser(call);
    const key = await createApiKey(call, alice, 'mk_live');
    const lastUsed = async () => (await serverSql(srv).get<{ last_used_at: string | null }>('SELECT last_used_at FROM api_keys WHERE id = ?', key.id))!.last_used_at;
    expect(await lastUsed()).toBeNull();
    await call('GET', '/api/v1/projects', { token: key.key });
    const first = await lastUsed();
    expect(first).not.toBeNull();
    for (let i = 0; i < 4; i++) await call('GET', '/api/v1/projects', { token: key.key });
    expect(await lastUsed()).toBe(first);
    const listed = await call('GET', '/api/v1/api-keys', { cookie: alice.cookie });
    expect(listed.body.data.apiKeys.find((k: { id: string }) => k.id === key.id).lastUsedAt).toBe(first);
  });

  it('does not keep a key read inside a transaction that is rolled back', async () => {
    const alice = await createUser(call);
    const token = 'mk_live_' + 'r'.repeat(32);
    const input = { authorization: `Bearer ${token}`, cookie: undefined, surface: 'mk' as const, secure: false };
    // Used a moment ago, so a lookup that finds it has no last-use hint to write.
    const insertKey = (db: DB) =>
      sqlOn(db).run(
        'INSERT INTO api_keys (id, name, kind, key_hash, prefix, user_id, org_id, last_used_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        crypto.randomUUID(), 'temp', 'mk_live', hashApiKey(token), token.slice(0, 12), alice.id, alice.orgId, new Date().toISOString(), new Date().toISOString(),
      );
    const rollback = new Error('roll the unit back');
    let inside: CredentialResult | undefined;
    await expect(
      withTransaction(srv.baton.core, async (ctx) => {
        await insertKey(ctx.db);
        // Credentials are resolved on the store's reader, which sees committed data only: the key
        // written by this still-open unit is not there.
        inside = await resolveCredentials(srv.baton.store, srv.baton.deps.sessions, input);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(inside).toEqual({ ok: false, reason: 'Invalid API key' });
    const after = await resolveCredentials(srv.baton.store, srv.baton.deps.sessions, input);
    expect(after).toEqual({ ok: false, reason: 'Invalid API key' });
    // The same row, committed this time, is accepted: the refusals above were about the rollback.
    await withTransaction(srv.baton.core, (ctx) => insertKey(ctx.db));
    const committed = await resolveCredentials(srv.baton.store, srv.baton.deps.sessions, input);
    expect(committed.ok && committed.actor?.userId).toBe(alice.id);
  });
});

describe('org access cache', () => {
  it('a member removed from the org by another process gets 404 on the next request', async () => {
    const owner = await createUser(call);
    const bob = await createUser(call);
    await addMember(srv.baton.store, owner.orgId, bob.id, 'member');
    const asBob = { cookie: bob.cookie, headers: { 'x-org-id': owner.orgId } };
    expect((await call('GET', `/api/v1/orgs/${owner.orgId}`, asBob)).status).toBe(200);
    await writeAsOtherProcess(srv, (tx) => sqlOn(tx).run('DELETE FROM memberships WHERE org_id = ? AND user_id = ?', owner.orgId, bob.id));
    const res = await call('GET', `/api/v1/orgs/${owner.orgId}`, asBob);
    expect(res.status).toBe(404);
    expectErrorBody(res.body);
  });

  it('a role lowered in the server’s own connection takes effect at once (admin → viewer: PATCH is 403)', async () => {
    const owner = await createUser(call);
    const carol = await createUser(call);
    await addMember(srv.baton.store, owner.orgId, carol.id, 'admin');
    const asCarol = { cookie: carol.cookie, headers: { 'x-org-id': owner.orgId } };
    expect((await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { ...asCarol, body: { name: 'Renamed by admin' } })).status).toBe(200);
    await withTransaction(srv.baton.core, (ctx) => sqlOn(ctx.db).run("UPDATE memberships SET role = 'viewer' WHERE org_id = ? AND user_id = ?", owner.orgId, carol.id));
    expect((await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { ...asCarol, body: { name: 'Renamed by viewer' } })).status).toBe(403);
  });

  it('a temporary admin grant ends on time although the membership is cached', async () => {
    const owner = await createUser(call);
    const dave = await createUser(call);
    const until = new Date(Date.now() + 1500).toISOString();
    await addMember(srv.baton.store, owner.orgId, dave.id, 'member', until);
    const asDave = { cookie: dave.cookie, headers: { 'x-org-id': owner.orgId } };
    expect((await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { ...asDave, body: { name: 'Temp admin rename' } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await call('PATCH', `/api/v1/orgs/${owner.orgId}`, { ...asDave, body: { name: 'Too late' } })).status).toBe(403);
  });
});

describe('finished run cache', () => {
  it('serves a finished run the same, contract-valid, on repeated reads and in lists', async () => {
    const alice = await createUser(call);
    const auth = { cookie: alice.cookie };
    await setAutonomy(call, auth, alice.orgId, 'autopilot');
    const run = await finishedRun(auth);
    expect(run.status).toBe('completed');
    const first = await call('GET', `/api/v1/runs/${run.id}`, auth);
    const second = await call('GET', `/api/v1/runs/${run.id}`, auth);
    expectMkContract('GET', '/runs/{id}', 200, first.body);
    expect(second.body).toEqual(first.body);
    expect(finishedRunCacheSize(srv.baton.core.db).details).toBeGreaterThan(0);
    const listed = await call('GET', '/api/v1/runs?limit=5', auth);
    expectMkContract('GET', '/runs', 200, listed.body);
    const { events: _e, approvals: _a, ...summary } = first.body.data;
    expect(listed.body.data.runs.find((r: { id: string }) => r.id === run.id)).toEqual(summary);
  });

  it('shows projectId null once the project is deleted, in detail and list', async () => {
    const alice = await createUser(call);
    const auth = { cookie: alice.cookie };
    await setAutonomy(call, auth, alice.orgId, 'autopilot');
    const project = await createProject(call, auth);
    const run = await finishedRun(auth, project.id);
    expect(run.projectId).toBe(project.id);
    await call('GET', `/api/v1/runs/${run.id}`, auth);
    await call('GET', '/api/v1/runs?limit=5', auth);
    expect((await call('DELETE', `/api/v1/projects/${project.id}`, auth)).status).toBe(200);
    const after = await call('GET', `/api/v1/runs/${run.id}`, auth);
    expect(after.status).toBe(200);
    expect(after.body.data.projectId).toBeNull();
    const listed = await call('GET', '/api/v1/runs?limit=5', auth);
    expect(listed.body.data.runs.find((r: { id: string }) => r.id === run.id).projectId).toBeNull();
  });

  it('never serves a cached run to another tenant, and forgets nothing about access: 404', async () => {
    const alice = await createUser(call);
    const mallory = await createUser(call);
    const auth = { cookie: alice.cookie };
    await setAutonomy(call, auth, alice.orgId, 'autopilot');
    const run = await finishedRun(auth);
    expect((await call('GET', `/api/v1/runs/${run.id}`, auth)).status).toBe(200);
    const res = await call('GET', `/api/v1/runs/${run.id}`, { cookie: mallory.cookie });
    expect(res.status).toBe(404);
    expectErrorBody(res.body);
    const malloryKey = await createApiKey(call, mallory, 'mk_live');
    expect((await call('GET', `/api/v1/runs/${run.id}`, { token: malloryKey.key })).status).toBe(404);
  });

  it('answers 404 for a cached run once its org is deleted', async () => {
    const alice = await createUser(call);
    const auth = { cookie: alice.cookie };
    const org = await call('POST', '/api/v1/orgs', { ...auth, body: { name: 'Short-lived org' } });
    expect(org.status).toBe(201);
    const inOrg = { ...auth, headers: { 'x-org-id': org.body.data.id } };
    await setAutonomy(call, inOrg, org.body.data.id, 'autopilot');
    const run = await finishedRun(inOrg);
    expect((await call('GET', `/api/v1/runs/${run.id}`, inOrg)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/orgs/${org.body.data.id}`, auth)).status).toBe(200);
    expect((await call('GET', `/api/v1/runs/${run.id}`, inOrg)).status).toBe(404);
  });

  it('answers 404 for a cached run deleted by another process, and shows its sibling changed by one', async () => {
    const alice = await createUser(call);
    const auth = { cookie: alice.cookie };
    await setAutonomy(call, auth, alice.orgId, 'autopilot');
    const project = await createProject(call, auth);
    const gone = await finishedRun(auth);
    const moved = await finishedRun(auth, project.id);
    for (const id of [gone.id, moved.id]) {
      expect((await call('GET', `/api/v1/runs/${id}`, auth)).status).toBe(200);
      expect((await call('GET', `/api/v1/runs/${id}`, auth)).status).toBe(200);
    }
    // One unit on the other connection (foreign keys on: the run's events and approvals go with it).
    await writeAsOtherProcess(srv, async (tx) => {
      await sqlOn(tx).run('DELETE FROM runs WHERE id = ?', gone.id);
      await sqlOn(tx).run('UPDATE runs SET project_id = NULL WHERE id = ?', moved.id);
    });
    const res = await call('GET', `/api/v1/runs/${gone.id}`, auth);
    expect(res.status).toBe(404);
    expectErrorBody(res.body);
    expect((await call('GET', `/api/v1/runs/${moved.id}`, auth)).body.data.projectId).toBeNull();
  });

  it('does not cache a run still in progress: its detail keeps growing', async () => {
    const alice = await createUser(call);
    const auth = { cookie: alice.cookie };
    await setAutonomy(call, auth, alice.orgId, 'observe');
    const run = await createRunVia(call, auth, { requestText: 'Add a README section' });
    const waiting = await waitForRun(call, auth, run.id, (r) => r.approvals.some((a: { status: string }) => a.status === 'pending'));
    const approval = waiting.approvals.find((a: { status: string }) => a.status === 'pending');
    expect((await call('POST', `/api/v1/runs/${run.id}/approve`, { ...auth, body: { approvalId: approval.id } })).status).toBe(200);
    const later = await waitForRun(call, auth, run.id, (r) => r.events.length > waiting.events.length);
    expect(later.events.length).toBeGreaterThan(waiting.events.length);
    expect(later.approvals.find((a: { id: string }) => a.id === approval.id).status).toBe('approved');
  });
});

describe('sealed run details', () => {
  it('send, from the cache, byte for byte what a server with its caches off sends, and follow a project deletion', async () => {
    const carol = await createUser(call);
    const auth = { cookie: carol.cookie };
    await setAutonomy(call, auth, carol.orgId, 'autopilot');
    const key = await createApiKey(call, carol, 'mk_live');
    const project = await createProject(call, auth, { name: 'Sealed runs' });
    const run = await waitForRun(call, auth, (await createRunVia(call, auth, { requestText: 'Seal me', projectId: project.id })).id);
    // A second server on the same database (srv.env: the same data dir, or the same Postgres database).
    const uncached = await startTestServer({ ...srv.env, BATON_READ_CACHES: 'false', BATON_ENGINE_PAUSED: 'true' });
    try {
      const raw = async (base: string) => (await fetch(`${base}/api/v1/runs/${run.id}`, { headers: { authorization: `Bearer ${key.key}` } })).text();
      const first = await raw(srv.url);
      const cached = await raw(srv.url);
      expect(cached).toBe(first);
      expect(await raw(uncached.url)).toBe(cached);
      expectMkContract('GET', '/runs/{id}', 200, JSON.parse(cached));
      expect(JSON.parse(cached).data.projectId).toBe(project.id);
      expect((await call('DELETE', `/api/v1/projects/${project.id}`, auth)).status).toBe(200);
      const after = await raw(srv.url);
      expect(JSON.parse(after).data.projectId).toBeNull();
      expect(after).toBe(await raw(uncached.url));

      // A list page served whole from the caches is sealed too: the same bytes, and it follows changes.
      const list = async (base: string) => (await fetch(`${base}/api/v1/runs?limit=25`, { headers: { authorization: `Bearer ${key.key}` } })).text();
      const page = await list(srv.url);
      expect(await list(srv.url)).toBe(page);
      expect(await list(uncached.url)).toBe(page);
      expectMkContract('GET', '/runs', 200, JSON.parse(page));
      expect(JSON.parse(page).data).toMatchObject({ count: 1, runs: [{ id: run.id, projectId: null }] });
      const second = await waitForRun(call, auth, (await createRunVia(call, auth, { requestText: 'Seal me too' })).id);
      const grown = await list(srv.url);
      expect(JSON.parse(grown).data.runs.map((r: { id: string }) => r.id)).toEqual([second.id, run.id]);
      expect(await list(srv.url)).toBe(grown);
      expect(await list(uncached.url)).toBe(grown);
    } finally {
      await uncached.close();
    }
  });
});

describe('BATON_READ_CACHES=false', () => {
  it('keeps nothing and answers the same, contract-valid', async () => {
    const plain = await startTestServer({ BATON_READ_CACHES: 'false' });
    try {
      const c = client(plain.url);
      const bob = await createUser(c);
      const auth = { cookie: bob.cookie };
      await setAutonomy(c, auth, bob.orgId, 'autopilot');
      const key = await createApiKey(c, bob, 'mk_live');
      const run = await waitForRun(c, auth, (await createRunVia(c, auth, { requestText: 'Uncached' })).id);
      const a = await c('GET', `/api/v1/runs/${run.id}`, { token: key.key });
      const b = await c('GET', `/api/v1/runs/${run.id}`, { token: key.key });
      expectMkContract('GET', '/runs/{id}', 200, a.body);
      expect(b.body).toEqual(a.body);
      const listed = await c('GET', '/api/v1/runs?limit=5', { token: key.key });
      expectMkContract('GET', '/runs', 200, listed.body);
      expect(finishedRunCacheSize(plain.baton.core.db)).toEqual({ runs: 0, details: 0 });
      expect((await c('DELETE', `/api/v1/api-keys/${key.id}`, auth)).status).toBe(200);
      expect((await c('GET', `/api/v1/runs/${run.id}`, { token: key.key })).status).toBe(401);
    } finally {
      await plain.close();
    }
  });
});
