import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectRelayContract } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';

let srv: TestServer;
let call: Call;
let alice: TestUser;
let aliceKey: string;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
  alice = await createUser(call, { orgName: 'Acme' });
  aliceKey = (await createApiKey(call, alice, 'fr')).key;
});
afterAll(() => srv.close());

async function waitForJob(jobId: string, token: string) {
  for (let i = 0; i < 200; i++) {
    const res = await call('GET', `/relay/api/v1/jobs/${jobId}`, { token });
    if (res.body?.job?.status === 'completed' || res.body?.job?.status === 'failed') return res;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${jobId} did not finish`);
}

describe('smoke', () => {
  it('ingests events, generates a handoff, lists it', async () => {
    const p = await createProject(call, { cookie: alice.cookie }, { name: 'Payments' });
    const ing = await call('POST', '/relay/api/v1/events', {
      token: aliceKey,
      body: {
        project_id: p.id,
        events: [
          { source: 'github', event_type: 'push', title: 'Push to acme/payments', content: 'PAY-12: replaced legacy tax calc', resource: 'acme/payments', branch: 'main', external_id: 'gh-1' },
          { source: 'linear', event_type: 'issue', title: 'PAY-12 Checkout refactor', content: 'We decided to use flat per-artifact pricing. Backfill historical invoices? Next step: wire the new webhook.', priority: 'high' },
        ],
      },
    });
    expect(ing.status, JSON.stringify(ing.body)).toBe(201);
    const ev = await call('GET', `/relay/api/v1/events?project_id=${p.id}`, { token: aliceKey });
    expect(ev.status).toBe(200);
    expectRelayContract('GET', '/events', 200, ev.body);
    const f = await call('GET', `/relay/api/v1/handoffs/filters?project_id=${p.id}`, { token: aliceKey });
    expect(f.status, JSON.stringify(f.body)).toBe(200);
    console.log(JSON.stringify(f.body));
    const acc = await call('POST', '/relay/api/v1/handoffs', { token: aliceKey, body: { project_id: p.id } });
    expect(acc.status, JSON.stringify(acc.body)).toBe(202);
    expectRelayContract('POST', '/handoffs', 202, acc.body);
    const done = await waitForJob(acc.body.jobId, aliceKey);
    expectRelayContract('GET', '/jobs/{jobId}', 200, done.body);
    console.log(JSON.stringify(done.body));
    const list = await call('GET', '/relay/api/v1/handoffs?limit=50', { token: aliceKey });
    expect(list.status).toBe(200);
    expectRelayContract('GET', '/handoffs', 200, list.body);
    console.log(JSON.stringify(list.body, null, 1));
    void addMember;
    expectErrorBody({ error: 'x' });
  });
});
