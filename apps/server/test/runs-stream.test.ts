import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { startFakeLlm, type FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { createApiKey, createUser } from '../../../test/helpers/factories.ts';
import { openSse, type SseEvent } from '../../../test/helpers/sse.ts';
import { assertContiguous, createRunVia, getRun, pendingApproval, setAutonomy, waitForApproval, waitForRun } from '../../../test/helpers/runs.ts';

let llm: FakeLlm;
let srv: TestServer;
let call: Call;

beforeAll(async () => {
  // A slow model: each call takes 80 ms, so a run keeps producing events while clients come and go.
  llm = await startFakeLlm({
    delayMs: 80,
    buildTurns: [
      [{ name: 'write_file', arguments: { path: 'a.txt', content: 'a' } }],
      [{ name: 'write_file', arguments: { path: 'b.txt', content: 'b' } }],
      [{ name: 'list_files', arguments: {} }],
    ],
    planSteps: [{ stage: 'verify', tool: 'read_file', args: { path: 'b.txt' }, description: 'Read b.txt back' }],
  });
  srv = await startTestServer({ BATON_LLM_URL: llm.baseUrl, BATON_LLM_MODEL: 'fake-model-1' }, { sseHeartbeatMs: 100 });
  call = client(srv.url);
});
afterAll(async () => {
  await srv.close();
  await llm.close();
});

const streamUrl = (runId: string) => `${srv.url}/api/v1/runs/${runId}/stream`;
const seqs = (events: SseEvent[]) => events.map((e) => e.id);
// `data` of an SSE event is the RunEvent; the transition's target is in the RunEvent's own data.
const ended = (events: SseEvent[]) => events.some((e) => e.event === 'stage_transition' && ['completed', 'failed', 'cancelled'].includes(e.data.data.to));

describe('GET /runs/{id}/stream', () => {
  it('streams every event live with id = sequenceNumber, then closes when the run ends (happy)', async () => {
    const user = await createUser(call);
    const key = (await createApiKey(call, user, 'mk_live')).key;
    await setAutonomy(call, { token: key }, user.orgId, 'autopilot');
    const created = await createRunVia(call, { token: key }, { requestText: 'stream it' });
    const stream = await openSse(streamUrl(created.id), { authorization: `Bearer ${key}` });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    await stream.ended;
    const run = await getRun(call, { token: key }, created.id);
    expect(run.status).toBe('completed');
    expect(seqs(stream.events)).toEqual(run.events.map((e: any) => e.sequenceNumber));
    assertContiguous(seqs(stream.events));
    for (const e of stream.events) {
      expect(e.event).toBe(e.data.eventType);
      expect(e.data.sequenceNumber).toBe(e.id);
    }
  });

  it('resumes strictly after Last-Event-ID while the run is still producing events: no gap, no duplicate', async () => {
    const user = await createUser(call);
    const auth = { cookie: user.cookie };
    await setAutonomy(call, auth, user.orgId, 'autopilot');
    const created = await createRunVia(call, auth, { requestText: 'keep talking' });
    const received: SseEvent[] = [];
    let lastId: number | null = null;
    let reconnects = 0;
    // Drop the connection after every few events and come back with Last-Event-ID.
    while (!ended(received)) {
      const s = await openSse(streamUrl(created.id), { cookie: user.cookie, ...(lastId !== null ? { 'last-event-id': String(lastId) } : {}) });
      expect(s.status).toBe(200);
      await s.waitFor((ev) => ev.length >= 3 || ended(ev) || s.closed, 10_000);
      s.close();
      await s.ended;
      received.push(...s.events);
      if (s.events.length) lastId = s.events.at(-1)!.id;
      reconnects++;
    }
    expect(reconnects).toBeGreaterThan(2);
    const run = await waitForRun(call, auth, created.id);
    assertContiguous(seqs(received));
    expect(seqs(received)).toEqual(run.events.map((e: any) => e.sequenceNumber));
  });

  it('every open stream of a run gets each append, from one subscription per stream', async () => {
    const user = await createUser(call);
    const auth = { cookie: user.cookie };
    await setAutonomy(call, auth, user.orgId, 'assist');
    const created = await createRunVia(call, auth, { requestText: 'many watchers' });
    const waiting = await waitForApproval(call, auth, created.id);
    const streams = await Promise.all([0, 1, 2].map(() => openSse(streamUrl(created.id), { cookie: user.cookie })));
    await Promise.all(streams.map((s) => s.waitFor((ev) => ev.length === waiting.events.length)));
    expect(srv.baton.core.bus!.subscriberCount(created.id)).toBe(3);
    await call('POST', `/api/v1/runs/${created.id}/approve`, { ...auth, body: { approvalId: pendingApproval(waiting).id } });
    await Promise.all(streams.map((s) => s.waitFor((ev) => ev.some((e) => e.event === 'approval_granted'))));
    const first = seqs(streams[0]!.events);
    for (const s of streams) expect(seqs(s.events).slice(0, first.length)).toEqual(first.slice(0, s.events.length));
    for (const s of streams) s.close();
    await Promise.all(streams.map((s) => s.ended));
    await expect.poll(() => srv.baton.core.bus!.subscriberCount(created.id)).toBe(0);
    await call('POST', `/api/v1/runs/${created.id}/cancel`, auth);
  });

  it('sends heartbeat comments while a run waits', async () => {
    const user = await createUser(call);
    const created = await createRunVia(call, { cookie: user.cookie }, { requestText: 'waiting' });
    await waitForApproval(call, { cookie: user.cookie }, created.id);
    const s = await openSse(streamUrl(created.id), { cookie: user.cookie });
    await expect.poll(() => s.comments.filter((c) => c === 'heartbeat').length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    s.close();
    await call('POST', `/api/v1/runs/${created.id}/cancel`, { cookie: user.cookie });
  });

  it('for a finished run, sends what remains after Last-Event-ID and closes', async () => {
    const user = await createUser(call);
    await setAutonomy(call, { cookie: user.cookie }, user.orgId, 'autopilot');
    const created = await createRunVia(call, { cookie: user.cookie }, { requestText: 'already done' });
    const run = await waitForRun(call, { cookie: user.cookie }, created.id);
    const n = run.events.length;
    const tail = await openSse(streamUrl(created.id), { cookie: user.cookie, 'last-event-id': String(n - 3) });
    await tail.ended;
    expect(seqs(tail.events)).toEqual([n - 2, n - 1, n]);
    // Nothing left: 204, which tells a browser's EventSource to stop reconnecting.
    const none = await openSse(streamUrl(created.id), { cookie: user.cookie, 'last-event-id': String(n) });
    await none.ended;
    expect(none.status).toBe(204);
    expect(none.events).toEqual([]);
  });

  it('takes the org from ?orgId= too, since EventSource cannot send X-Org-Id', async () => {
    const user = await createUser(call);
    const second = await call('POST', '/api/v1/orgs', { cookie: user.cookie, body: { name: 'Second org' } });
    const orgId = second.body.data.id;
    const created = await createRunVia(call, { cookie: user.cookie, headers: { 'x-org-id': orgId } }, { requestText: 'in the second org' });
    const noOrg = await openSse(streamUrl(created.id), { cookie: user.cookie });
    expect(noOrg.status).toBe(404);
    await noOrg.ended;
    const withOrg = await openSse(`${streamUrl(created.id)}?orgId=${orgId}`, { cookie: user.cookie });
    expect(withOrg.status).toBe(200);
    await withOrg.waitFor((ev) => ev.length > 0);
    withOrg.close();
    const stranger = await createUser(call);
    const foreign = await openSse(`${streamUrl(created.id)}?orgId=${orgId}`, { cookie: stranger.cookie });
    expect(foreign.status).toBe(404);
    await foreign.ended;
    await call('POST', `/api/v1/runs/${created.id}/cancel`, { cookie: user.cookie, headers: { 'x-org-id': orgId } });
  });

  it('serves the stream at a path only case-insensitive matching finds, as every other route', async () => {
    const user = await createUser(call);
    const created = await createRunVia(call, { cookie: user.cookie }, { requestText: 'upper-case path' });
    const s = await openSse(`${srv.url}/API/V1/Runs/${created.id}/Stream`, { cookie: user.cookie });
    expect(s.status).toBe(200);
    await s.waitFor((ev) => ev.length > 0);
    expect(s.events[0]!.id).toBe(1);
    s.close();
    await call('POST', `/api/v1/runs/${created.id}/cancel`, { cookie: user.cookie });
  });

  it('answers 400 to a malformed Last-Event-ID', async () => {
    const user = await createUser(call);
    const created = await createRunVia(call, { cookie: user.cookie }, { requestText: 'x' });
    const s = await openSse(streamUrl(created.id), { cookie: user.cookie, 'last-event-id': 'abc' });
    expect(s.status).toBe(400);
    await s.ended;
    expect(JSON.parse(s.body)).toEqual({ error: expect.stringMatching(/Last-Event-ID/) });
    await call('POST', `/api/v1/runs/${created.id}/cancel`, { cookie: user.cookie });
  });

  it("answers 404 to another tenant and 401 without credentials, before any stream starts", async () => {
    const owner = await createUser(call);
    const other = await createUser(call);
    const otherKey = (await createApiKey(call, other, 'mk_live')).key;
    const fr = (await createApiKey(call, owner, 'fr')).key;
    const created = await createRunVia(call, { cookie: owner.cookie }, { requestText: 'private stream' });
    for (const [headers, status] of [
      [{ authorization: `Bearer ${otherKey}` }, 404],
      [{ cookie: other.cookie }, 404],
      [{}, 401],
      [{ authorization: `Bearer ${fr}` }, 401],
    ] as const) {
      const s = await openSse(streamUrl(created.id), headers);
      expect(s.status).toBe(status);
      await s.ended;
      expect(s.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(s.body)).toEqual({ error: expect.any(String) });
      expect(s.events).toEqual([]);
    }
    await call('POST', `/api/v1/runs/${created.id}/cancel`, { cookie: owner.cookie });
  });
});
