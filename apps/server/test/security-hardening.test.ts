import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { serverWrite, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { MISSING_TABLE, MISSING_TABLE_WORDS } from '../../../test/helpers/engine.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { createApiKey, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { createRunVia, pendingApproval, waitForApproval, waitForRun } from '../../../test/helpers/runs.ts';

/*
 * Issue 11: errors over /trpc carry no stack traces, Flow Relay has a per-user ceiling across keys,
 * deciding an approval twice is a 409, the served OpenAPI says which auth operations need no
 * credentials, and a key of the wrong kind is told so.
 */

let srv: TestServer;
let call: Call;
let alice: TestUser;

beforeAll(async () => {
  // A small per-user ceiling, with the per-key limit above it, so the user limit is the one hit.
  srv = await startTestServer({ BATON_RELAY_RATE_LIMIT: '4', BATON_RELAY_USER_RATE_LIMIT: '6' });
  call = client(srv.url);
  alice = await createUser(call);
});
afterAll(() => srv.close());

/** What a leaked stack looks like: a `stack` key, a file path of this machine, a `file.ts:line`. */
function expectNoStack(text: string) {
  expect(text).not.toMatch(/"stack"/);
  expect(text).not.toMatch(/\/work\/|node_modules|\.ts:\d|\.m?js:\d|\n\s+at /);
}

async function trpcText(path: string, init: RequestInit & { base?: string } = {}) {
  const res = await fetch(`${init.base ?? srv.url}/trpc/${path}`, init);
  return { status: res.status, text: await res.text() };
}

const trpcQuery = (path: string, input: unknown, headers: Record<string, string>, base?: string) =>
  trpcText(`${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers, base });

describe('/trpc errors carry no stack trace (point 3)', () => {
  it('not for bad input, a missing resource, an unknown procedure, missing auth, or malformed JSON', async () => {
    const json = { cookie: alice.cookie, 'content-type': 'application/json' };
    const cases = [
      ['bad input', await trpcText('mk.projects.create', { method: 'POST', headers: json, body: JSON.stringify({ name: 42 }) }), 400],
      ['not found', await trpcQuery('mk.projects.get', { id: randomUUID() }, { cookie: alice.cookie }), 404],
      ['no such procedure', await trpcQuery('mk.nothing.here', {}, { cookie: alice.cookie }), 404],
      ['no credentials', await trpcQuery('session.me', undefined, {}), 401],
      ['malformed JSON', await trpcText('mk.projects.create', { method: 'POST', headers: json, body: '{"name":' }), 400],
      ['batched', await trpcText(`mk.projects.get,mk.projects.create?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { id: 'nope' } }))}`, { headers: { cookie: alice.cookie } }), 400],
    ] as const;
    for (const [label, res, status] of cases) {
      expect(res.status, label).toBe(status);
      expectNoStack(res.text);
    }
  });

  it('not for an internal error either, which reads only "Internal server error"', async () => {
    const broken = await startTestServer();
    try {
      const c = client(broken.url);
      const u = await createUser(c);
      // A real failure inside the core: the table the procedure reads is gone.
      await serverWrite(broken, 'ALTER TABLE policy_rules RENAME TO policy_rules_away');
      try {
        const res = await trpcQuery('mk.policyRules.list', {}, { cookie: u.cookie }, broken.url);
        expect(res.status).toBe(500);
        expectNoStack(res.text);
        expect(JSON.parse(res.text).error.message).toBe('Internal server error');
        expect(res.text).not.toMatch(/policy_rules/);
        expect(res.text).not.toMatch(MISSING_TABLE_WORDS);
      } finally {
        await serverWrite(broken, 'ALTER TABLE policy_rules_away RENAME TO policy_rules');
      }
      // The server logged it, with the detail, for the operator.
      expect(broken.loggedErrors.some((e) => MISSING_TABLE.test(JSON.stringify(e)))).toBe(true);
    } finally {
      await broken.close();
    }
  });

  it('a malformed session cookie is no session (401), never an internal error', async () => {
    const rest = await call('GET', '/api/v1/orgs', { cookie: 'mk_session=%E0%A4%A' });
    expect(rest.status).toBe(401);
    expectMkContract('GET', '/orgs', 401, rest.body);
    const trpc = await trpcQuery('session.me', undefined, { cookie: 'mk_session=%' });
    expect(trpc.status).toBe(401);
    expectNoStack(trpc.text);
  });

  it('BATON_DEV=true, and only that, puts the stack back for debugging', async () => {
    const dev = await startTestServer({ BATON_DEV: 'true' });
    try {
      const res = await trpcQuery('mk.projects.get', { id: randomUUID() }, {}, dev.url);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text).error.data.stack).toMatch(/TRPCError/);
    } finally {
      await dev.close();
    }
  });
});

describe('Flow Relay per-user ceiling across keys (point 5)', () => {
  it('keys of one user together hit 429 at the ceiling; another user is unaffected', async () => {
    const bob = await createUser(call);
    const keys = await Promise.all([1, 2, 3].map(() => createApiKey(call, bob, 'fr')));
    // Per key: the 5th request on one key is refused with the per-key message, and is not counted for the user.
    for (let i = 0; i < 4; i++) expect((await call('GET', '/relay/api/v1/projects', { token: keys[0]!.key })).status).toBe(200);
    const perKey = await call('GET', '/relay/api/v1/projects', { token: keys[0]!.key });
    expect(perKey.status).toBe(429);
    expectErrorBody(perKey.body);
    expect(perKey.body.error).toMatch(/4 requests a minute per key/);
    // Per user: 6 in all, whichever keys carry them.
    for (let i = 0; i < 2; i++) expect((await call('GET', '/relay/api/v1/projects', { token: keys[1]!.key })).status).toBe(200);
    const perUser = await call('GET', '/relay/api/v1/projects', { token: keys[2]!.key });
    expect(perUser.status).toBe(429);
    expectErrorBody(perUser.body);
    expect(perUser.body.error).toMatch(/6 requests a minute per user/);
    expect(Number(perUser.headers.get('retry-after'))).toBeGreaterThan(0);
    // A key minted now does not lift it.
    const fresh = await createApiKey(call, bob, 'fr');
    expect((await call('GET', '/relay/api/v1/projects', { token: fresh.key })).status).toBe(429);

    const carol = await createUser(call);
    const carolsKey = await createApiKey(call, carol, 'fr');
    expect((await call('GET', '/relay/api/v1/projects', { token: carolsKey.key })).status).toBe(200);
    expect(srv.loggedErrors).toEqual([]);
  });
});

describe('deciding an approval that is no longer pending is a 409 (point 6)', () => {
  it('approve twice, deny after approve, deny twice', async () => {
    const auth = { cookie: alice.cookie };
    const a = await createRunVia(call, auth, { requestText: 'approve me once' });
    const b = await createRunVia(call, auth, { requestText: 'deny me once' });
    const pa = pendingApproval(await waitForApproval(call, auth, a.id));
    const pb = pendingApproval(await waitForApproval(call, auth, b.id));
    expect((await call('POST', `/api/v1/runs/${a.id}/approve`, { ...auth, body: { approvalId: pa.id } })).status).toBe(200);
    const twice = await call('POST', `/api/v1/runs/${a.id}/approve`, { ...auth, body: { approvalId: pa.id } });
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual({ error: 'This approval is already approved' });
    const denyAfter = await call('POST', `/api/v1/runs/${a.id}/deny`, { ...auth, body: { approvalId: pa.id } });
    expect(denyAfter.status).toBe(409);
    expectErrorBody(denyAfter.body);
    expect((await call('POST', `/api/v1/runs/${b.id}/deny`, { ...auth, body: { approvalId: pb.id } })).status).toBe(200);
    const denyTwice = await call('POST', `/api/v1/runs/${b.id}/deny`, { ...auth, body: { approvalId: pb.id } });
    expect(denyTwice.status).toBe(409);
    expectErrorBody(denyTwice.body);
  });

  it('approving on a run that has already ended', async () => {
    const auth = { cookie: alice.cookie };
    const run = await createRunVia(call, auth, { requestText: 'cancel me while I wait' });
    const pending = pendingApproval(await waitForApproval(call, auth, run.id));
    expect((await call('POST', `/api/v1/runs/${run.id}/cancel`, auth)).status).toBe(200);
    expect((await waitForRun(call, auth, run.id)).status).toBe('cancelled');
    const late = await call('POST', `/api/v1/runs/${run.id}/approve`, { ...auth, body: { approvalId: pending.id } });
    expect(late.status).toBe(409);
    expect(late.body).toEqual({ error: 'The run is already cancelled' });
    const lateDeny = await call('POST', `/api/v1/runs/${run.id}/deny`, { ...auth, body: { approvalId: pending.id } });
    expect(lateDeny.status).toBe(409);
    expect(srv.loggedErrors).toEqual([]);
  });

  it('approving past the expiry, before the sweeper got to it: 409, and the expiry sticks', async () => {
    const auth = { cookie: alice.cookie };
    const run = await createRunVia(call, auth, { requestText: 'let me lapse' });
    const pending = pendingApproval(await waitForApproval(call, auth, run.id));
    // Age the approval in the real database; its scheduled expiry job is still far off.
    await serverWrite(srv, 'UPDATE approvals SET expires_at = ? WHERE id = ?', new Date(Date.now() - 1000).toISOString(), pending.id);
    const late = await call('POST', `/api/v1/runs/${run.id}/approve`, { ...auth, body: { approvalId: pending.id } });
    expect(late.status).toBe(409);
    expect(late.body).toEqual({ error: 'This approval has expired; the run was cancelled' });
    // What the answer says happened, happened (it was once rolled back with the error).
    const after = await waitForRun(call, auth, run.id, undefined, 5_000);
    expect(after.status).toBe('cancelled');
    expect(after.approvals.find((a: { id: string }) => a.id === pending.id).status).toBe('expired');
  });
});

describe('served OpenAPI: the auth operations that need no credentials say so (point 10a)', () => {
  it('register, login, forgot-password and reset-password carry security: []; logout takes the cookie', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).body;
    for (const path of ['/auth/register', '/auth/login', '/auth/forgot-password', '/auth/reset-password']) {
      expect(doc.paths[path].post.security, path).toEqual([]);
    }
    expect(doc.paths['/auth/logout'].post.security).toEqual([{ sessionCookie: [] }]);
    expect(doc.paths['/projects'].post.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
  });
});

describe('a key of the wrong kind is told so (point 10b)', () => {
  it('an fr_ key on /api/v1 and an mk_ key on /relay/api/v1', async () => {
    const fr = await createApiKey(call, alice, 'fr');
    const mk = await createApiKey(call, alice, 'mk_test');
    const frOnMk = await call('GET', '/api/v1/orgs', { token: fr.key });
    expect(frOnMk.status).toBe(401);
    expectMkContract('GET', '/orgs', 401, frOnMk.body);
    expect(frOnMk.body.error).toMatch(/^This is a Flow Relay key \(fr_…\); MightyKey \/api\/v1 needs an mk_live_\/mk_test_ key/);
    const mkOnRelay = await call('GET', '/relay/api/v1/projects', { token: mk.key });
    expect(mkOnRelay.status).toBe(401);
    expectErrorBody(mkOnRelay.body);
    expect(mkOnRelay.body.error).toMatch(/^This is a MightyKey key .*; Flow Relay \/relay\/api\/v1 needs an fr_ key/);
    // The SSE route shares the message; an unknown key of the right shape is still just invalid.
    const sse = await call('GET', `/api/v1/runs/${randomUUID()}/stream`, { token: fr.key });
    expect(sse.status).toBe(401);
    expect(sse.body.error).toMatch(/Flow Relay key/);
    const unknown = await call('GET', '/api/v1/orgs', { token: `mk_live_${'x'.repeat(32)}` });
    expect(unknown.body).toEqual({ error: 'Invalid API key' });
  });

  it('over /trpc too: an fr_ key on a MightyKey procedure, an mk_ key on a Flow Relay one', async () => {
    const fr = await createApiKey(call, alice, 'fr');
    const mk = await createApiKey(call, alice, 'mk_test');
    const frOnMk = await trpcQuery('mk.projects.list', {}, { authorization: `Bearer ${fr.key}` });
    expect(frOnMk.status).toBe(401);
    expect(JSON.parse(frOnMk.text).error.message).toMatch(/Flow Relay key/);
    const mkOnRelay = await trpcQuery('relay.projects.list', {}, { authorization: `Bearer ${mk.key}` });
    expect(mkOnRelay.status).toBe(401);
    expect(JSON.parse(mkOnRelay.text).error.message).toMatch(/MightyKey key/);
  });
});
