import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setOutboundResolver, type OutboundResolver } from '@baton/core';
import { serverSql, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody } from '../../../test/helpers/contract.ts';
import { startFakeServer, type FakeServer } from '../../../test/helpers/fake-http.ts';
import { addMember, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { configureEnvironment, createRunVia, setAutonomy, waitForRun } from '../../../test/helpers/runs.ts';

/*
 * User-entered outbound URLs (an environment's url and deployHookUrl) cannot reach the server's own
 * network: refused when saved if they are bad on their face, and refused when called if the name
 * resolves to a refused address. This machine has no DNS, so the resolver is a fake one that knows
 * exactly one name, `deploy.example.test`, and answers 127.0.0.1 for it, as an attacker's DNS would.
 */

const HOST = 'deploy.example.test';
const lookups: string[] = [];
const fakeDns: OutboundResolver = async (host) => {
  lookups.push(host);
  if (host === HOST) return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

let strict: TestServer;
let open: TestServer;
let target: FakeServer;

beforeAll(async () => {
  setOutboundResolver(fakeDns);
  [strict, open, target] = await Promise.all([
    startTestServer(),
    startTestServer({ BATON_ALLOW_PRIVATE_URLS: 'true' }),
    startFakeServer((req) => (req.path === '/hook' ? { status: 202, body: { deploying: true } } : { status: 200, body: { status: 'ok' } })),
  ]);
});
afterAll(async () => {
  setOutboundResolver(null);
  await Promise.all([strict.close(), open.close(), target.close()]);
});

async function adminWithProject(call: Call, autonomy?: 'autopilot') {
  const user = await createUser(call);
  const auth = { cookie: user.cookie };
  if (autonomy) await setAutonomy(call, auth, user.orgId, autonomy);
  const project = await createProject(call, auth);
  const envs = await call('GET', `/api/v1/projects/${project.id}/environments`, auth);
  const staging = envs.body.data.environments.find((e: any) => e.name === 'staging');
  return { user, auth, project, staging, path: `/api/v1/projects/${project.id}/environments/${staging.id}` };
}

const storedHook = async (srv: TestServer, envId: string) =>
  (await serverSql(srv).get<{ hook: string | null; url: string | null }>('SELECT deploy_hook_url AS hook, url FROM project_environments WHERE id = ?', envId))!;

describe('PATCH /projects/{id}/environments/{envId}: save-time check', () => {
  let call: Call;
  let alice: { auth: { cookie: string }; path: string; staging: { id: string } };
  beforeAll(async () => {
    call = client(strict.url);
    alice = await adminWithProject(call);
  });

  it('refuses the cloud metadata address with 400 naming the field and why (error)', async () => {
    const res = await call('PATCH', alice.path, { ...alice.auth, body: { deployHookUrl: 'http://169.254.169.254/latest/meta-data/' } });
    expect(res.status).toBe(400);
    expectErrorBody(res.body);
    expect(res.body).toEqual({ error: 'deployHookUrl: address 169.254.169.254 is a cloud metadata endpoint' });
    expect((await storedHook(strict, alice.staging.id)).hook).toBeNull();
  });

  it('refuses loopback, private and credentialed URLs in any spelling, for both fields (error)', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ url: 'http://2130706433/health' }, 'url: address 127.0.0.1 is loopback; set BATON_ALLOW_PRIVATE_URLS=true to allow it'],
      [{ url: 'http://0x7f.1/' }, 'url: address 127.0.0.1 is loopback; set BATON_ALLOW_PRIVATE_URLS=true to allow it'],
      [{ deployHookUrl: 'http://localhost./deploy' }, 'deployHookUrl: host localhost is loopback; set BATON_ALLOW_PRIVATE_URLS=true to allow it'],
      [{ deployHookUrl: 'http://10.0.0.5/deploy' }, 'deployHookUrl: address 10.0.0.5 is private; set BATON_ALLOW_PRIVATE_URLS=true to allow it'],
      [{ deployHookUrl: 'http://[::ffff:192.168.0.1]/' }, 'deployHookUrl: address ::ffff:c0a8:1 is private; set BATON_ALLOW_PRIVATE_URLS=true to allow it'],
      [{ deployHookUrl: 'http://metadata.google.internal/computeMetadata/v1/' }, 'deployHookUrl: host metadata.google.internal is a cloud metadata endpoint'],
      [{ deployHookUrl: 'https://user:secret@hooks.example.com/deploy' }, 'deployHookUrl: must not contain credentials (user:password@)'],
      // A good url does not let a bad hook through.
      [{ url: 'https://staging.example.com/', deployHookUrl: 'http://[::1]:8080/' }, 'deployHookUrl: address ::1 is loopback; set BATON_ALLOW_PRIVATE_URLS=true to allow it'],
    ];
    for (const [body, error] of cases) {
      const res = await call('PATCH', alice.path, { ...alice.auth, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ error });
    }
    expect(await storedHook(strict, alice.staging.id)).toEqual({ hook: null, url: null });
    expect(strict.loggedErrors).toEqual([]);
  });

  it('accepts a public host name without resolving it (happy)', async () => {
    const before = lookups.length;
    const res = await call('PATCH', alice.path, { ...alice.auth, body: { url: 'https://staging.example.com/health', deployHookUrl: 'https://api.example.com/v1/deploy-hooks/abc123' } });
    expect(res.status).toBe(200);
    expect(res.body.data.url).toBe('https://staging.example.com/health');
    expect((await storedHook(strict, alice.staging.id)).hook).toBe('https://api.example.com/v1/deploy-hooks/abc123');
    // No DNS at save time: a name that does not resolve (yet) can still be saved.
    expect(lookups.length).toBe(before);
  });

  it('checks roles and tenancy before the URL (security)', async () => {
    const bob = await createUser(call);
    const other = await call('PATCH', alice.path, { cookie: bob.cookie, body: { deployHookUrl: 'http://169.254.169.254/' } });
    expect(other.status).toBe(404);
    const owner = await adminWithProject(call);
    const member: TestUser = await createUser(call);
    await addMember(strict.baton.store, owner.user.orgId, member.id, 'member');
    const asMember = await call('PATCH', owner.path, { cookie: member.cookie, headers: { 'x-org-id': owner.user.orgId }, body: { deployHookUrl: 'http://169.254.169.254/' } });
    expect(asMember.status).toBe(403);
    expect((await call('PATCH', alice.path, { body: { url: 'http://10.0.0.5/' } })).status).toBe(401);
  });

  it('with BATON_ALLOW_PRIVATE_URLS=true private targets save, the metadata service still does not', async () => {
    const c = client(open.url);
    const p = await adminWithProject(c);
    const ok = await c('PATCH', p.path, { ...p.auth, body: { url: 'http://10.0.0.5/health', deployHookUrl: 'http://127.0.0.1:9/deploy' } });
    expect(ok.status).toBe(200);
    const meta = await c('PATCH', p.path, { ...p.auth, body: { deployHookUrl: 'http://[fd00:ec2::254]/latest/meta-data/' } });
    expect(meta.status).toBe(400);
    expect(meta.body).toEqual({ error: 'deployHookUrl: address fd00:ec2::254 is a cloud metadata endpoint' });
  });
});

describe('call-time check on the resolved address', () => {
  const hits = () => target.requests.filter((r) => r.headers.host === `${HOST}:${new URL(target.url).port}`);
  const targetUrl = (path: string) => `http://${HOST}:${new URL(target.url).port}${path}`;

  it('a deploy hook whose name resolves to 127.0.0.1 is refused: the deploy step fails and nothing is sent (error)', async () => {
    const call = client(strict.url);
    const { auth, project } = await adminWithProject(call, 'autopilot');
    // Saving works: the name is not bad on its face.
    await configureEnvironment(call, auth, project.id, 'staging', { url: targetUrl('/health'), deployHookUrl: targetUrl('/hook') });
    const before = hits().length;
    const created = await createRunVia(call, auth, { requestText: 'Ship the greeting change to staging', projectId: project.id });
    const run = await waitForRun(call, auth, created.id);
    expect(run.status).toBe('failed');
    const reason = `deploy hook address 127.0.0.1 is loopback (${HOST} resolves to it); set BATON_ALLOW_PRIVATE_URLS=true to allow it`;
    expect(run.errorMessage).toContain(reason);
    const result = run.events.find((e: any) => e.eventType === 'tool_result' && e.data.tool === 'deploy');
    expect(result.data).toMatchObject({ ok: false, summary: `Deploy to staging refused: ${reason}`, output: { refused: true, status: 0 } });
    // The run never got to the health check, and the fake target saw nothing at all.
    expect(run.events.some((e: any) => e.eventType === 'tool_call' && e.data.tool === 'health_check')).toBe(false);
    expect(hits().length).toBe(before);
    expect(lookups).toContain(HOST);
    // Nothing was deployed, so the environment is not marked failed.
    const envs = await call('GET', `/api/v1/projects/${project.id}/environments`, auth);
    expect(envs.body.data.environments.find((e: any) => e.name === 'staging')).toMatchObject({ status: 'active', lastDeployedAt: null });
    expect(strict.loggedErrors).toEqual([]);
  });

  it('a health URL whose name resolves to 127.0.0.1 is refused, and no health is recorded (error)', async () => {
    const call = client(strict.url);
    const { auth, project } = await adminWithProject(call, 'autopilot');
    await configureEnvironment(call, auth, project.id, 'staging', { url: targetUrl('/health') });
    const before = hits().length;
    const run = await waitForRun(call, auth, (await createRunVia(call, auth, { requestText: 'Check staging', projectId: project.id })).id);
    expect(run.status).toBe('failed');
    const result = run.events.find((e: any) => e.eventType === 'tool_result' && e.data.tool === 'health_check');
    expect(result.data.summary).toBe(`Health check of staging refused: environment URL address 127.0.0.1 is loopback (${HOST} resolves to it); set BATON_ALLOW_PRIVATE_URLS=true to allow it`);
    expect(hits().length).toBe(before);
    const envs = await call('GET', `/api/v1/projects/${project.id}/environments`, auth);
    expect(envs.body.data.environments.find((e: any) => e.name === 'staging')).toMatchObject({ healthStatus: 'unknown', healthCheckedAt: null });
  });

  it('with BATON_ALLOW_PRIVATE_URLS=true the same run deploys, to the address that was checked (happy)', async () => {
    const call = client(open.url);
    const { auth, project } = await adminWithProject(call, 'autopilot');
    await configureEnvironment(call, auth, project.id, 'staging', { url: targetUrl('/health'), deployHookUrl: targetUrl('/hook') });
    const before = hits().length;
    const created = await createRunVia(call, auth, { requestText: 'Ship the greeting change to staging', projectId: project.id });
    const run = await waitForRun(call, auth, created.id);
    expect(run.status, run.errorMessage).toBe('completed');
    // The name exists only in the fake resolver: the request reaching 127.0.0.1 went where it said.
    const got = hits().slice(before);
    expect(got.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hook', 'GET /health']);
    expect(JSON.parse(got[0]!.body)).toEqual({ runId: created.id, environment: 'staging' });
    const envs = await call('GET', `/api/v1/projects/${project.id}/environments`, auth);
    expect(envs.body.data.environments.find((e: any) => e.name === 'staging')).toMatchObject({ status: 'active', healthStatus: 'healthy' });
  });
});
