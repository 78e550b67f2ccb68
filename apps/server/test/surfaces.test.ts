import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverWrite, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { MISSING_TABLE, MISSING_TABLE_WORDS } from '../../../test/helpers/engine.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, MK_SPEC, RELAY_SPEC } from '../../../test/helpers/contract.ts';
import { createApiKey, createUser } from '../../../test/helpers/factories.ts';

let srv: TestServer;
let call: Call;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
});
afterAll(() => srv.close());

describe('served OpenAPI documents', () => {
  it('/api/v1/openapi.json documents every implemented MightyKey path with its success status', async () => {
    const res = await call('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const [path, method, status] of [
      ['/auth/register', 'post', '201'],
      ['/auth/login', 'post', '200'],
      ['/orgs', 'post', '201'],
      ['/orgs/{id}', 'patch', '200'],
      ['/projects', 'post', '201'],
      ['/projects/{id}/environments', 'get', '200'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.responses?.[status], `${method} ${path} ${status}`).toBeDefined();
      // Same operation ids as the published contract.
      expect(doc.paths[path][method].operationId).toBe(MK_SPEC.paths[path]![method].operationId);
    }
  });

  it('marks Baton extensions, and only them', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).body;
    expect(doc.paths['/api-keys'].post['x-baton-extension']).toBe(true);
    expect(doc.paths['/api-keys/{id}'].delete['x-baton-extension']).toBe(true);
    for (const [path, item] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const inContract = Boolean(MK_SPEC.paths[path]?.[method]);
        expect(op['x-baton-extension'] === true, `${method} ${path}`).toBe(!inContract);
      }
    }
  });

  it('/relay/api/v1/openapi.json documents the Flow Relay projects operation', async () => {
    const res = await call('GET', '/relay/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.paths['/projects'].get.operationId).toBe(RELAY_SPEC.paths['/projects']!.get.operationId);
  });

  it('/docs renders both documents for a person, from local assets', async () => {
    const page = await fetch(`${srv.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    // A person who came from the app has a way back to it.
    expect(html).toMatch(/<a href="\/">← Back to Baton<\/a>/);
    const init = await (await fetch(`${srv.url}/docs/init.js`)).text();
    expect(init).toContain('/api/v1/openapi.json');
    expect(init).toContain('/relay/api/v1/openapi.json');
    const bundle = await fetch(`${srv.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(Number(bundle.headers.get('content-length'))).toBeGreaterThan(100_000);
  });
});

describe('error bodies on both surfaces', () => {
  it('an unknown path is a JSON 404', async () => {
    for (const path of ['/api/v1/nope', '/relay/api/v1/nope', '/api/v1/orgs/x/y/z']) {
      const res = await call('GET', path);
      expect(res.status, path).toBe(404);
      expectErrorBody(res.body);
    }
  });

  it('documented operations whose feature has not landed answer 501', async () => {
    const u = await createUser(call);
    const fr = await createApiKey(call, u, 'fr');
    const mk = await call('GET', '/api/v1/billing/balance', { cookie: u.cookie });
    expect(mk.status).toBe(501);
    expect(mk.body).toEqual({ error: 'not implemented' });
    const relay = await call('GET', '/relay/api/v1/discord/channels', { token: fr.key });
    expect(relay.status).toBe(501);
    expect(relay.body).toEqual({ error: 'not implemented' });
  });

  it('a body over 1 MiB is refused with a JSON error, not a crash', async () => {
    const res = await call('POST', '/api/v1/auth/register', { raw: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2_000_000), name: 'n' }) });
    expect(res.status).toBe(413);
    expectErrorBody(res.body);
  });

  it('JSON that is not an object is a 400', async () => {
    for (const raw of ['[]', '"text"', '42', 'null']) {
      const res = await call('POST', '/api/v1/auth/login', { raw });
      expect(res.status, raw).toBe(400);
      expectErrorBody(res.body);
    }
  });

  it('bad requests never log a server error', async () => {
    const before = srv.loggedErrors.length;
    await call('POST', '/api/v1/orgs', { raw: '{' });
    await call('GET', '/api/v1/projects?limit=-5');
    await call('POST', '/api/v1/auth/login', { body: { email: [], password: {} } });
    expect(srv.loggedErrors.slice(before)).toEqual([]);
  });
});

describe('an unexpected failure', () => {
  it('becomes a logged 500 with a generic message', async () => {
    const broken = await startTestServer();
    try {
      const c = client(broken.url);
      const u = await createUser(c);
      // The table the request reads is gone (renamed away: on Postgres other tables' foreign keys
      // would stop a plain DROP TABLE, and the code looks it up by name on both engines).
      await serverWrite(broken, 'ALTER TABLE projects RENAME TO projects_gone');
      const res = await c('GET', '/api/v1/projects', { cookie: u.cookie });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'Internal server error' });
      expect(JSON.stringify(res.body)).not.toMatch(/projects/i);
      expect(JSON.stringify(res.body)).not.toMatch(MISSING_TABLE_WORDS);
      expect(broken.loggedErrors.some((e) => MISSING_TABLE.test(JSON.stringify(e)))).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

describe('the REST bases, served ahead of Express (app.ts withRestFirst)', () => {
  it('a path that only Express matches (another letter case, a trailing slash) is answered as the exact path is', async () => {
    const u = await createUser(call);
    const mk = await createApiKey(call, u, 'mk_live');
    const fr = await createApiKey(call, u, 'fr');
    const exact = await call('GET', '/api/v1/projects?limit=5', { token: mk.key });
    expect(exact.status).toBe(200);
    for (const path of ['/API/V1/projects?limit=5', '/Api/v1/projects/?limit=5']) {
      const res = await call('GET', path, { token: mk.key });
      expect(res.status, path).toBe(200);
      expect(res.body, path).toEqual(exact.body);
    }
    const relayExact = await call('GET', '/relay/api/v1/projects', { token: fr.key });
    expect(relayExact.status).toBe(200);
    const relayCase = await call('GET', '/RELAY/api/v1/projects', { token: fr.key });
    expect(relayCase.status).toBe(200);
    expect(relayCase.body).toEqual(relayExact.body);
  });

  it('paths under a base that no procedure serves reach Express with their full URL', async () => {
    const logged = srv.loggedErrors.length;
    const u = await createUser(call);
    const mk = await createApiKey(call, u, 'mk_live');
    // Served by Express routes under the same bases.
    expect((await call('GET', '/api/v1/openapi.json')).body.openapi).toMatch(/^3\./);
    expect((await call('GET', '/relay/api/v1/openapi.json')).body.openapi).toMatch(/^3\./);
    const stream = await call('GET', `/api/v1/runs/${crypto.randomUUID()}/stream`, { token: mk.key });
    expect(stream.status).toBe(404);
    expectErrorBody(stream.body);
    // A method no procedure has on a known path.
    const put = await call('PUT', '/api/v1/projects', { token: mk.key, body: {} });
    expect(put.status).toBe(404);
    expectErrorBody(put.body);
    expect(srv.loggedErrors.slice(logged)).toEqual([]);
  });
});
