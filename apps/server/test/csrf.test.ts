import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { createApiKey, createProject, createUser, sessionCookie, type TestUser } from '../../../test/helpers/factories.ts';

/*
 * Cross-site request forgery against the mk_session cookie. A page on another site can make the
 * browser send a cookie-carrying POST without a CORS preflight: a form post, or a `no-cors` fetch whose
 * body has no content type (or text/plain). The browser then says where it came from with `Origin`
 * (always, on a cross-origin POST) and `Sec-Fetch-Site` (modern browsers). These tests send exactly
 * what such a browser sends.
 */

const EVIL = 'https://evil.example';
const CROSS_SITE = { error: 'Cross-site request refused' };

let srv: TestServer;
let call: Call;
let alice: TestUser;

beforeAll(async () => {
  srv = await startTestServer({ BATON_PUBLIC_URL: 'https://baton.example' });
  call = client(srv.url);
  alice = await createUser(call);
});
afterAll(() => srv.close());

/** A request as a browser's no-cors fetch sends it: the body as bytes, so no content type at all. */
async function raw(method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown; base?: string } = {}) {
  const res = await fetch((opts.base ?? srv.url) + path, {
    method,
    headers: opts.headers,
    body: opts.body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(opts.body)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

const projectNames = async (user: TestUser) =>
  ((await call('GET', '/api/v1/projects', { cookie: user.cookie })).body.data.projects as Array<{ name: string }>).map((p) => p.name);

describe('cookie-authenticated state changes on /api/v1', () => {
  it('refuses a no-cors POST from another origin (no content type), and creates nothing', async () => {
    const res = await raw('POST', '/api/v1/projects', { headers: { cookie: alice.cookie, origin: EVIL }, body: { name: 'Forged no-cors' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(CROSS_SITE);
    expect(await projectNames(alice)).not.toContain('Forged no-cors');
  });

  it('refuses a foreign Origin whatever the content type, and a DELETE from it', async () => {
    for (const ct of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { origin: EVIL, 'content-type': ct }, raw: JSON.stringify({ name: `Forged ${ct}` }) });
      expect(res.status, ct).toBe(403);
      expectErrorBody(res.body);
    }
    const project = await createProject(call, { cookie: alice.cookie });
    const del = await call('DELETE', `/api/v1/projects/${project.id}`, { cookie: alice.cookie, headers: { origin: EVIL } });
    expect(del.status).toBe(403);
    expect((await call('GET', `/api/v1/projects/${project.id}`, { cookie: alice.cookie })).status).toBe(200);
    expect(await projectNames(alice)).not.toContain('Forged application/json');
  });

  it('refuses Sec-Fetch-Site: cross-site even without Origin, and same-site unless the Origin is ours', async () => {
    const cross = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { 'sec-fetch-site': 'cross-site' }, body: { name: 'Forged cross-site' } });
    expect(cross.status).toBe(403);
    expect(cross.body).toEqual(CROSS_SITE);
    const sibling = await call('POST', '/api/v1/projects', {
      cookie: alice.cookie,
      headers: { 'sec-fetch-site': 'same-site', origin: 'https://other.baton.example' },
      body: { name: 'Forged same-site' },
    });
    expect(sibling.status).toBe(403);
    const sameSiteNoOrigin = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { 'sec-fetch-site': 'same-site' }, body: { name: 'Forged same-site 2' } });
    expect(sameSiteNoOrigin.status).toBe(403);
    const ours = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { 'sec-fetch-site': 'same-site', origin: 'https://baton.example' }, body: { name: 'Same-site, our origin' } });
    expect(ours.status).toBe(201);
  });

  it('refuses Origin: null (sandboxed frames, file: pages)', async () => {
    const res = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { origin: 'null' }, body: { name: 'Forged null' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(CROSS_SITE);
  });

  it('accepts the server’s own origin, BATON_PUBLIC_URL’s origin, and Sec-Fetch-Site: same-origin', async () => {
    const own = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { origin: srv.url }, body: { name: 'From our own page' } });
    expect(own.status).toBe(201);
    expectMkContract('POST', '/projects', 201, own.body);
    const publicUrl = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { origin: 'https://baton.example' }, body: { name: 'Via the public URL' } });
    expect(publicUrl.status).toBe(201);
    // A proxy that rewrites Host leaves Origin unlike Host; the browser's own Sec-Fetch-Site is believed.
    const proxied = await call('POST', '/api/v1/projects', {
      cookie: alice.cookie,
      headers: { origin: 'https://internal-name.example', 'sec-fetch-site': 'same-origin' },
      body: { name: 'Behind a proxy' },
    });
    expect(proxied.status).toBe(201);
  });

  it('lets a non-browser client (cookie, no Origin, no Sec-Fetch-Site) through', async () => {
    const res = await call('POST', '/api/v1/projects', { cookie: alice.cookie, body: { name: 'From curl' } });
    expect(res.status).toBe(201);
  });

  it('refuses a cookie request whose body is not declared as JSON (400, as documented for POST /projects)', async () => {
    const undeclared = await raw('POST', '/api/v1/projects', { headers: { cookie: alice.cookie }, body: { name: 'Undeclared body' } });
    expect(undeclared.status).toBe(400);
    expectMkContract('POST', '/projects', 400, undeclared.body);
    expect(undeclared.body.error).toMatch(/Content-Type: application\/json/);
    const textPlain = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: { 'content-type': 'text/plain;charset=UTF-8' }, raw: JSON.stringify({ name: 'Text body' }) });
    expect(textPlain.status).toBe(400);
    expectMkContract('POST', '/projects', 400, textPlain.body);
    const names = await projectNames(alice);
    expect(names).not.toContain('Undeclared body');
    expect(names).not.toContain('Text body');
    expect(srv.loggedErrors).toEqual([]);
  });
});

describe('bearer keys are not affected', () => {
  it('a key request with a foreign Origin, Sec-Fetch-Site: cross-site and no content type still works', async () => {
    const key = await createApiKey(call, alice, 'mk_live');
    const res = await raw('POST', '/api/v1/projects', {
      headers: { authorization: `Bearer ${key.key}`, origin: EVIL, 'sec-fetch-site': 'cross-site' },
      body: { name: 'Keyed, undeclared' },
    });
    expect(res.status).toBe(201);
    expectMkContract('POST', '/projects', 201, res.body);
  });

  it('a Flow Relay key request from a foreign Origin works', async () => {
    const fr = await createApiKey(call, alice, 'fr');
    const project = await createProject(call, { cookie: alice.cookie });
    const res = await raw('POST', '/relay/api/v1/events', {
      headers: { authorization: `Bearer ${fr.key}`, origin: EVIL, 'sec-fetch-site': 'cross-site' },
      body: { project_id: project.id, events: [{ source: 'github', event_type: 'push', title: 'Pushed from a page elsewhere' }] },
    });
    expect(res.status, res.text).toBeLessThan(300);
  });
});

describe('auth endpoints', () => {
  it('refuses a login from a foreign Origin (login CSRF), setting no cookie', async () => {
    const u = await createUser(call);
    const res = await call('POST', '/api/v1/auth/login', { headers: { origin: EVIL }, body: { email: u.email, password: u.password } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(CROSS_SITE);
    expect(res.headers.getSetCookie()).toEqual([]);
    const noCors = await raw('POST', '/api/v1/auth/login', { headers: { origin: EVIL, 'sec-fetch-site': 'cross-site' }, body: { email: u.email, password: u.password } });
    expect(noCors.status).toBe(403);
    // From our own page it works.
    const own = await call('POST', '/api/v1/auth/login', { headers: { origin: srv.url, 'sec-fetch-site': 'same-origin' }, body: { email: u.email, password: u.password } });
    expect(own.status).toBe(200);
    expectMkContract('POST', '/auth/login', 200, own.body);
  });

  it('refuses a register from a foreign Origin', async () => {
    const res = await call('POST', '/api/v1/auth/register', { headers: { origin: EVIL }, body: { email: 'forged@example.test', password: 'password123', name: 'Forged' } });
    expect(res.status).toBe(403);
    expectErrorBody(res.body);
    // The address is still free: nothing was registered.
    const real = await call('POST', '/api/v1/auth/register', { body: { email: 'forged@example.test', password: 'password123', name: 'Real' } });
    expect(real.status).toBe(201);
  });

  it('refuses a cross-site logout, and the session survives; a same-origin body-less logout works', async () => {
    const u = await createUser(call);
    const forged = await raw('POST', '/api/v1/auth/logout', { headers: { cookie: u.cookie, origin: EVIL } });
    expect(forged.status).toBe(403);
    expect(forged.body).toEqual(CROSS_SITE);
    expect((await call('GET', '/api/v1/orgs', { cookie: u.cookie })).status).toBe(200);
    const own = await raw('POST', '/api/v1/auth/logout', { headers: { cookie: u.cookie, origin: srv.url } });
    expect(own.status).toBe(200);
    expectMkContract('POST', '/auth/logout', 200, own.body);
    expect((await call('GET', '/api/v1/orgs', { cookie: u.cookie })).status).toBe(401);
  });
});

describe('behind a trusted proxy', () => {
  it('the own origin comes from X-Forwarded-Host and X-Forwarded-Proto only when BATON_TRUST_PROXY is set', async () => {
    const forwarded = { origin: 'https://baton.internal.example', 'x-forwarded-host': 'baton.internal.example', 'x-forwarded-proto': 'https' };
    // Not trusted here: the forwarded headers are anyone's to send.
    const untrusted = await call('POST', '/api/v1/projects', { cookie: alice.cookie, headers: forwarded, body: { name: 'Untrusted proxy' } });
    expect(untrusted.status).toBe(403);

    const proxied = await startTestServer({ BATON_TRUST_PROXY: 'true' });
    try {
      const c = client(proxied.url);
      const u = await createUser(c);
      const ok = await c('POST', '/api/v1/projects', { cookie: u.cookie, headers: forwarded, body: { name: 'Trusted proxy' } });
      expect(ok.status).toBe(201);
      // The scheme counts: the page was https, an http origin is someone else.
      const wrongScheme = await c('POST', '/api/v1/projects', { cookie: u.cookie, headers: { ...forwarded, origin: 'http://baton.internal.example' }, body: { name: 'x' } });
      expect(wrongScheme.status).toBe(403);
      const evil = await c('POST', '/api/v1/projects', { cookie: u.cookie, headers: { ...forwarded, origin: EVIL }, body: { name: 'y' } });
      expect(evil.status).toBe(403);
    } finally {
      await proxied.close();
    }
  });
});

describe('/trpc (the SPA transport)', () => {
  const trpcCreate = (headers: Record<string, string>, body: BodyInit) => fetch(`${srv.url}/trpc/mk.projects.create`, { method: 'POST', headers, body });

  it('accepts the SPA’s own JSON POST', async () => {
    const res = await trpcCreate({ cookie: alice.cookie, origin: srv.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, JSON.stringify({ name: 'From the SPA' }));
    expect(res.status).toBe(200);
    expect((await res.json()).result.data.data.name).toBe('From the SPA');
  });

  it('refuses a cross-site POST, a cross-site multipart form post, and a non-JSON body', async () => {
    const foreign = await trpcCreate({ cookie: alice.cookie, origin: EVIL, 'content-type': 'application/json' }, JSON.stringify({ name: 'Forged trpc' }));
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual(CROSS_SITE);

    const form = new FormData();
    form.set('name', 'Forged form');
    const formPost = await trpcCreate({ cookie: alice.cookie, origin: EVIL, 'sec-fetch-site': 'cross-site' }, form);
    expect(formPost.status).toBe(403);

    // Even where the Origin looks fine, a state change must be declared JSON: tRPC would take a form.
    const logoutForm = await fetch(`${srv.url}/trpc/mk.auth.logout`, { method: 'POST', headers: { cookie: alice.cookie }, body: new FormData() });
    expect(logoutForm.status).toBe(415);
    expectErrorBody(await logoutForm.json());
    const text = await trpcCreate({ cookie: alice.cookie, 'content-type': 'text/plain' }, JSON.stringify({ name: 'Text trpc' }));
    expect(text.status).toBe(415);

    expect((await call('GET', '/api/v1/orgs', { cookie: alice.cookie })).status).toBe(200);
    expect(await projectNames(alice)).not.toContain('Forged trpc');
  });

  it('does not touch bearer-key requests or safe methods', async () => {
    const key = await createApiKey(call, alice, 'mk_live');
    const keyed = await trpcCreate({ authorization: `Bearer ${key.key}`, origin: EVIL, 'content-type': 'application/json' }, JSON.stringify({ name: 'Keyed trpc' }));
    expect(keyed.status).toBe(200);
    const me = await fetch(`${srv.url}/trpc/session.me`, { headers: { cookie: alice.cookie, origin: EVIL, 'sec-fetch-site': 'cross-site' } });
    expect(me.status).toBe(200);
  });
});

describe('a login through the API keeps working for plain clients', () => {
  it('register and login with JSON and no Origin (curl, SDKs) are unaffected', async () => {
    const u = await createUser(call);
    const login = await call('POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(login.status).toBe(200);
    expect(sessionCookie(login.headers)).toMatch(/^mk_session=/);
  });
});
