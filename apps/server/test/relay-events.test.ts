import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serverWrite, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectRelayContract } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { approveUntilDone, createRunVia, setAutonomy, waitForApproval, waitForRun } from '../../../test/helpers/runs.ts';
import { startFakeLlm } from '../../../test/helpers/fake-llm.ts';

/**
 * Flow Relay's context stream: GET /events (the contract) and POST /events (Baton's ingestion
 * extension), plus the milestones Baton's own runs copy into it. Every 200 body of GET /events is
 * checked against the contract's example.
 */
let srv: TestServer;
let call: Call;
let alice: TestUser;
let aliceKey: string;
let bob: TestUser;
let bobKey: string;

const EVENTS = '/relay/api/v1/events';

type Ev = {
  id: string;
  user_id: string;
  project_id: string | null;
  source: string;
  event_type: string;
  title: string;
  content: string;
  resource: string | null;
  branch: string | null;
  priority: string | null;
  url: string | null;
  author: string | null;
  run_id: string | null;
  created_at: string;
};

/** GET /events, asserting 200 and the contract; returns the events. */
async function listEvents(token: string, query: Record<string, string | number> = {}): Promise<Ev[]> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  const res = await call('GET', `${EVENTS}${qs ? `?${qs}` : ''}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expectRelayContract('GET', '/events', 200, res.body);
  return res.body.events;
}

/** POST /events, asserting 201; returns the body. */
async function ingest(token: string, body: Record<string, unknown>) {
  const res = await call<{ events: Ev[]; ingested: number; duplicates: number }>('POST', EVENTS, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const ev = (overrides: Record<string, unknown> = {}) => ({ source: 'github', event_type: 'push', title: 'Push to acme/payments', ...overrides });

/** Event ids sort by creation: `ev_` and a UUIDv7 in hex, so a batch recorded in one instant keeps its order. */
const EV_ID = /^ev_[0-9a-f]{32}$/;

const isNewestFirst = (events: Ev[]) => events.every((e, i) => i === 0 || events[i - 1]!.created_at >= e.created_at);

beforeAll(async () => {
  // No rate limit here: the limiter has its own test in relay-projects.test.ts.
  srv = await startTestServer({ BATON_RELAY_RATE_LIMIT: '0', BATON_RELAY_USER_RATE_LIMIT: '0' });
  call = client(srv.url);
  alice = await createUser(call, { orgName: 'Acme' });
  bob = await createUser(call, { orgName: 'Bobco' });
  aliceKey = (await createApiKey(call, alice, 'fr')).key;
  bobKey = (await createApiKey(call, bob, 'fr')).key;
});
afterAll(() => srv.close());
// Nothing here, bad input included, may end in an unexpected 500.
afterEach(() => expect(srv.loggedErrors).toEqual([]));

describe('POST /relay/api/v1/events then GET (happy)', () => {
  it('records a batch into a project and lists it back, every field kept', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const out = await ingest(aliceKey, {
      project_id: p.id,
      events: [
        ev({
          content: 'PAY-12: 3 commits on main',
          resource: 'acme/payments',
          branch: 'main',
          priority: 'high',
          url: 'https://github.com/acme/payments/compare/a...b',
          author: 'octocat',
          external_id: 'gh-push-1',
          created_at: '2026-06-20T13:55:00Z',
        }),
        { source: 'slack', event_type: 'message', title: 'Standup notes', created_at: '2026-06-20T13:56:00Z' },
      ],
    });
    expect(out).toMatchObject({ ingested: 2, duplicates: 0 });
    expect(out.events).toHaveLength(2);
    const [push, slack] = out.events;
    expect(push).toEqual({
      id: expect.stringMatching(EV_ID),
      user_id: alice.id,
      project_id: p.id,
      source: 'github',
      event_type: 'push',
      title: 'Push to acme/payments',
      content: 'PAY-12: 3 commits on main',
      resource: 'acme/payments',
      branch: 'main',
      priority: 'high',
      url: 'https://github.com/acme/payments/compare/a...b',
      author: 'octocat',
      run_id: null,
      created_at: '2026-06-20T13:55:00.000Z',
    });
    // Optional fields left out come back as null, content as ''.
    expect(slack).toMatchObject({ content: '', resource: null, branch: null, priority: null, url: null, author: null, run_id: null });

    const listed = await listEvents(aliceKey, { project_id: p.id });
    expect(listed.map((e) => e.id)).toEqual([slack!.id, push!.id]);
    expect(listed[1]).toEqual(push);
  });

  it('honours created_at (normalised to UTC) and lists newest first by it, whatever the order of ingestion', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    // Sent out of order, one with an offset, one without created_at (so: now, the newest).
    await ingest(aliceKey, {
      project_id: p.id,
      events: [
        ev({ title: 'b', created_at: '2026-01-02T00:00:00Z' }),
        ev({ title: 'd', created_at: '2026-01-04T02:00:00+02:00' }),
        ev({ title: 'a', created_at: '2026-01-01T00:00:00.000Z' }),
      ],
    });
    await ingest(aliceKey, { project_id: p.id, events: [ev({ title: 'now' })] });
    // Ingested last but happened earlier than everything else: it goes to the end.
    await ingest(aliceKey, { project_id: p.id, events: [ev({ title: 'c', created_at: '2026-01-02T23:30:00-01:00' })] });
    const listed = await listEvents(aliceKey, { project_id: p.id });
    expect(listed.map((e) => e.title)).toEqual(['now', 'd', 'c', 'b', 'a']);
    expect(listed.find((e) => e.title === 'd')!.created_at).toBe('2026-01-04T00:00:00.000Z');
    expect(listed.find((e) => e.title === 'c')!.created_at).toBe('2026-01-03T00:30:00.000Z');
    const now = Date.parse(listed[0]!.created_at);
    expect(Math.abs(now - Date.now())).toBeLessThan(60_000);
  });

  it('keeps the order of a batch recorded in one instant: newest first is the reverse of the order sent', async () => {
    const u = await createUser(call);
    const key = (await createApiKey(call, u, 'fr')).key;
    const p = await createProject(call, { cookie: u.cookie });
    // No created_at: the whole batch is dated the same instant, so only the id can break the tie.
    const titles = Array.from({ length: 20 }, (_, i) => `step ${i}`);
    const out = await ingest(key, { project_id: p.id, events: titles.map((title) => ev({ title })) });
    expect(new Set(out.events.map((e) => e.created_at)).size).toBe(1);
    const ids = out.events.map((e) => e.id);
    for (const id of ids) expect(id).toMatch(EV_ID);
    expect(new Set(ids).size).toBe(20);
    expect([...ids].sort()).toEqual(ids);

    const reversed = [...titles].reverse();
    expect((await listEvents(key, { project_id: p.id })).map((e) => e.title)).toEqual(reversed);
    expect((await listEvents(key, { project_id: p.id, limit: 3 })).map((e) => e.title)).toEqual(reversed.slice(0, 3));

    // The same in the personal stream, and for events that share an explicit created_at.
    const personal = titles.map((title) => ev({ title: `personal ${title}`, created_at: '2026-04-01T00:00:00Z' }));
    await ingest(key, { events: personal });
    const listed = await listEvents(key, { source: 'github', limit: 200 });
    expect(listed.filter((e) => e.project_id === null).map((e) => e.title)).toEqual(personal.map((e) => e.title).reverse());
  });

  it('accepts http and https urls and keeps them as sent', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const urls = ['https://github.com/acme/payments/pull/7?tab=files#diff', 'http://ci.internal:8080/builds/42', 'HTTPS://Example.com/Path'];
    const out = await ingest(aliceKey, { project_id: p.id, events: urls.map((url, i) => ev({ title: `link ${i}`, url })) });
    expect(out.events.map((e) => e.url)).toEqual(urls);
    const listed = await listEvents(aliceKey, { project_id: p.id });
    expect(listed.map((e) => e.url).sort()).toEqual([...urls].sort());
  });

  it('accepts created_at a little ahead of the clock (skew), dated as sent', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const ahead = new Date(Date.now() + 60_000).toISOString();
    // Reads as an hour ahead on the wall clock, but the offset makes it an hour ago.
    const wallAhead = new Date(Date.now() + 3_600_000);
    const pastWithOffset = wallAhead.toISOString().replace('Z', '+02:00');
    const out = await ingest(aliceKey, {
      project_id: p.id,
      events: [ev({ title: 'earlier' }), ev({ title: 'ahead', created_at: ahead }), ev({ title: 'offset', created_at: pastWithOffset })],
    });
    expect(out).toMatchObject({ ingested: 3, duplicates: 0 });
    const listed = await listEvents(aliceKey, { project_id: p.id });
    expect(listed.map((e) => e.title)).toEqual(['ahead', 'earlier', 'offset']);
    expect(listed[0]!.created_at).toBe(ahead);
    expect(listed[2]!.created_at).toBe(new Date(wallAhead.getTime() - 2 * 3_600_000).toISOString());
  });

  it('limits the list: default 50, 1..200 allowed, always the newest', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const base = Date.UTC(2026, 0, 1);
    const events = Array.from({ length: 210 }, (_, i) => ev({ title: `e${i}`, created_at: new Date(base + i * 60_000).toISOString() }));
    expect((await ingest(aliceKey, { project_id: p.id, events })).ingested).toBe(210);

    const byDefault = await listEvents(aliceKey, { project_id: p.id });
    expect(byDefault).toHaveLength(50);
    expect(byDefault[0]!.title).toBe('e209');
    expect(byDefault.at(-1)!.title).toBe('e160');
    expect(isNewestFirst(byDefault)).toBe(true);

    const two = await listEvents(aliceKey, { project_id: p.id, limit: 2 });
    expect(two.map((e) => e.title)).toEqual(['e209', 'e208']);
    expect(await listEvents(aliceKey, { project_id: p.id, limit: 1 })).toHaveLength(1);
    const max = await listEvents(aliceKey, { project_id: p.id, limit: 200 });
    expect(max).toHaveLength(200);
    expect(max.at(-1)!.title).toBe('e10');
    expect(isNewestFirst(max)).toBe(true);
  });

  it('filters by source, in a project and in the personal stream', async () => {
    const u = await createUser(call);
    const key = (await createApiKey(call, u, 'fr')).key;
    const p = await createProject(call, { cookie: u.cookie });
    await ingest(key, {
      project_id: p.id,
      events: [ev({ title: 'gh' }), ev({ source: 'slack', event_type: 'message', title: 'sl' }), ev({ source: 'linear', event_type: 'issue', title: 'li' })],
    });
    await ingest(key, { events: [ev({ source: 'slack', event_type: 'message', title: 'personal sl' })] });

    const slack = await listEvents(key, { project_id: p.id, source: 'slack' });
    expect(slack.map((e) => e.title)).toEqual(['sl']);
    expect(await listEvents(key, { project_id: p.id, source: 'discord' })).toEqual([]);
    const personalSlack = await listEvents(key, { source: 'slack' });
    expect(personalSlack.map((e) => e.title).sort()).toEqual(['personal sl', 'sl']);
    expect((await listEvents(key, { source: 'linear', limit: 5 })).map((e) => e.title)).toEqual(['li']);
  });

  it("without project_id: records into and lists the key owner's personal stream", async () => {
    const u = await createUser(call);
    const key = (await createApiKey(call, u, 'fr')).key;
    const p = await createProject(call, { cookie: u.cookie });
    const mine = await ingest(key, { events: [ev({ title: 'personal', created_at: '2026-03-01T00:00:00Z' })] });
    expect(mine.events[0]).toMatchObject({ project_id: null, user_id: u.id, title: 'personal' });
    await ingest(key, { project_id: p.id, events: [ev({ title: 'in project', created_at: '2026-03-02T00:00:00Z' })] });

    // The personal stream holds what the user recorded: with no project, and in their org's projects.
    const personal = await listEvents(key);
    expect(personal.map((e) => e.title)).toEqual(['in project', 'personal']);
    expect(personal.every((e) => e.user_id === u.id)).toBe(true);
    // The project's stream does not hold the project-less event.
    expect((await listEvents(key, { project_id: p.id })).map((e) => e.title)).toEqual(['in project']);

    // A fresh user's personal stream is empty.
    const fresh = await createUser(call);
    expect(await listEvents((await createApiKey(call, fresh, 'fr')).key)).toEqual([]);
  });

  it('ignores fields a client may not set: id, user_id, project_id and run_id come from Baton', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const out = await ingest(aliceKey, {
      project_id: p.id,
      events: [ev({ title: 'forged', id: 'ev_forged', user_id: bob.id, project_id: 'elsewhere', run_id: 'run-1', org_id: bob.orgId })],
    });
    expect(out.events[0]).toMatchObject({ user_id: alice.id, project_id: p.id, run_id: null });
    expect(out.events[0]!.id).not.toBe('ev_forged');
    expect((await listEvents(bobKey, { limit: 200 })).some((e) => e.title === 'forged')).toBe(false);
  });

  it('accepts a batch of exactly 500 events', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const out = await ingest(aliceKey, { project_id: p.id, events: Array.from({ length: 500 }, (_, i) => ev({ title: `n${i}`, external_id: `x${i}` })) });
    expect(out).toMatchObject({ ingested: 500, duplicates: 0 });
    expect(out.events).toHaveLength(500);
  });

  it('accepts any JSON content type decoration (charset)', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const res = await call('POST', EVENTS, {
      token: aliceKey,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { project_id: p.id, events: [ev()] },
    });
    expect(res.status).toBe(201);
  });
});

describe('dedupe by external_id', () => {
  it('skips events the project already holds and counts them, without doubling anything', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const batch = {
      project_id: p.id,
      events: [ev({ title: 'one', external_id: 'gh-1' }), ev({ title: 'two', external_id: 'gh-2' }), ev({ title: 'three', external_id: 'gh-3' })],
    };
    expect(await ingest(aliceKey, batch)).toMatchObject({ ingested: 3, duplicates: 0 });
    // A connector resending after a timeout.
    const again = await ingest(aliceKey, batch);
    expect(again).toEqual({ events: [], ingested: 0, duplicates: 3 });
    // Partly new: only the new one goes in, and is the one returned.
    const mixed = await ingest(aliceKey, { project_id: p.id, events: [ev({ title: 'two again', external_id: 'gh-2' }), ev({ title: 'four', external_id: 'gh-4' })] });
    expect(mixed).toMatchObject({ ingested: 1, duplicates: 1 });
    expect(mixed.events.map((e) => e.title)).toEqual(['four']);

    const listed = await listEvents(aliceKey, { project_id: p.id });
    expect(listed.map((e) => e.title).sort()).toEqual(['four', 'one', 'three', 'two']);
    // The first copy is kept, not overwritten.
    expect(listed.some((e) => e.title === 'two again')).toBe(false);
  });

  it('counts a repeat inside one batch as a duplicate', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const out = await ingest(aliceKey, { project_id: p.id, events: [ev({ title: 'first', external_id: 'same' }), ev({ title: 'second', external_id: 'same' })] });
    expect(out).toMatchObject({ ingested: 1, duplicates: 1 });
    expect(out.events.map((e) => e.title)).toEqual(['first']);
    expect(await listEvents(aliceKey, { project_id: p.id })).toHaveLength(1);
  });

  it('is scoped by project and source; events without external_id are never deduplicated', async () => {
    const p1 = await createProject(call, { cookie: alice.cookie });
    const p2 = await createProject(call, { cookie: alice.cookie });
    await ingest(aliceKey, { project_id: p1.id, events: [ev({ external_id: 'id-1' })] });
    // Same id from another source, or into another project: a different event.
    expect(await ingest(aliceKey, { project_id: p1.id, events: [ev({ source: 'linear', event_type: 'issue', external_id: 'id-1' })] })).toMatchObject({ ingested: 1, duplicates: 0 });
    expect(await ingest(aliceKey, { project_id: p2.id, events: [ev({ external_id: 'id-1' })] })).toMatchObject({ ingested: 1, duplicates: 0 });
    // No external_id: every send is recorded.
    const plain = { project_id: p1.id, events: [ev({ title: 'no id' })] };
    expect(await ingest(aliceKey, plain)).toMatchObject({ ingested: 1, duplicates: 0 });
    expect(await ingest(aliceKey, plain)).toMatchObject({ ingested: 1, duplicates: 0 });
    expect(await listEvents(aliceKey, { project_id: p1.id })).toHaveLength(4);
    expect(await listEvents(aliceKey, { project_id: p2.id })).toHaveLength(1);
  });

  it("dedupes the personal stream too: a resend without project_id is a duplicate, held once", async () => {
    const u = await createUser(call);
    const key = (await createApiKey(call, u, 'fr')).key;
    const first = await ingest(key, { events: [ev({ title: 'first', external_id: 'gh-personal-1' })] });
    expect(first).toMatchObject({ ingested: 1, duplicates: 0 });
    expect(first.events[0]).toMatchObject({ project_id: null, user_id: u.id, title: 'first' });

    const again = await ingest(key, { events: [ev({ title: 'resent', external_id: 'gh-personal-1' })] });
    expect(again).toEqual({ events: [], ingested: 0, duplicates: 1 });
    // A repeat inside one batch, and a partly new batch.
    const mixed = await ingest(key, {
      events: [ev({ title: 'new', external_id: 'gh-personal-2' }), ev({ title: 'new again', external_id: 'gh-personal-2' }), ev({ title: 'resent', external_id: 'gh-personal-1' })],
    });
    expect(mixed).toMatchObject({ ingested: 1, duplicates: 2 });
    expect(mixed.events.map((e) => e.title)).toEqual(['new']);

    const personal = await listEvents(key);
    expect(personal.map((e) => e.title).sort()).toEqual(['first', 'new']);
    expect(personal.find((e) => e.title === 'first')!.id).toBe(first.events[0]!.id);
  });

  it('scopes personal dedupe by source and user, apart from projects', async () => {
    const u = await createUser(call);
    const key = (await createApiKey(call, u, 'fr')).key;
    const other = await createUser(call);
    const otherKey = (await createApiKey(call, other, 'fr')).key;
    await ingest(key, { events: [ev({ title: 'github', external_id: 'x-1' })] });
    // The same id from another source is another event.
    expect(await ingest(key, { events: [ev({ source: 'linear', event_type: 'issue', title: 'linear', external_id: 'x-1' })] })).toMatchObject({
      ingested: 1,
      duplicates: 0,
    });
    // Another user's personal stream is theirs: the same id and source there is not a duplicate.
    expect(await ingest(otherKey, { events: [ev({ title: 'other user', external_id: 'x-1' })] })).toMatchObject({ ingested: 1, duplicates: 0 });
    // A project's stream and the personal stream do not dedupe against each other.
    const p = await createProject(call, { cookie: u.cookie });
    expect(await ingest(key, { project_id: p.id, events: [ev({ title: 'in project', external_id: 'x-1' })] })).toMatchObject({ ingested: 1, duplicates: 0 });
    expect(await ingest(key, { events: [ev({ external_id: 'x-1' })] })).toMatchObject({ ingested: 0, duplicates: 1 });

    expect((await listEvents(key)).map((e) => e.title).sort()).toEqual(['github', 'in project', 'linear']);
    expect((await listEvents(otherKey)).map((e) => e.title)).toEqual(['other user']);
  });

  it("is shared by the project's members: another member's resend is a duplicate too", async () => {
    const member = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, member.id, 'member');
    const memberKey = (await createApiKey(call, member, 'fr')).key;
    const p = await createProject(call, { cookie: alice.cookie });
    await ingest(aliceKey, { project_id: p.id, events: [ev({ external_id: 'shared-1' })] });
    expect(await ingest(memberKey, { project_id: p.id, events: [ev({ external_id: 'shared-1' })] })).toMatchObject({ ingested: 0, duplicates: 1 });
  });
});

describe('validation errors → 400', () => {
  it('rejects bad batches with a clear error and records nothing of them', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const cases: Array<[string, unknown, RegExp]> = [
      ['empty events', { project_id: p.id, events: [] }, /events/],
      ['no events', { project_id: p.id }, /events/],
      ['events not an array', { project_id: p.id, events: 'nope' }, /events/],
      ['501 events', { project_id: p.id, events: Array.from({ length: 501 }, () => ev()) }, /events/],
      ['source casing', { project_id: p.id, events: [ev({ source: 'GitHub' })] }, /events\.0\.source/],
      ['source with a space', { project_id: p.id, events: [ev({ source: 'git hub' })] }, /events\.0\.source/],
      ['empty source', { project_id: p.id, events: [ev({ source: '' })] }, /events\.0\.source/],
      ['bad url', { project_id: p.id, events: [ev(), ev({ url: 'not a url' })] }, /events\.1\.url/],
      ['missing title', { project_id: p.id, events: [{ source: 'github', event_type: 'push' }] }, /events\.0\.title/],
      ['empty title', { project_id: p.id, events: [ev({ title: '' })] }, /events\.0\.title/],
      ['missing event_type', { project_id: p.id, events: [{ source: 'github', title: 'x' }] }, /events\.0\.event_type/],
      ['bad created_at', { project_id: p.id, events: [ev({ created_at: 'yesterday' })] }, /events\.0\.created_at/],
      ['impossible created_at', { project_id: p.id, events: [ev({ created_at: '2026-02-30T00:00:00Z' })] }, /events\.0\.created_at/],
      ['numeric title', { project_id: p.id, events: [ev({ title: 42 })] }, /events\.0\.title/],
      ['empty external_id', { project_id: p.id, events: [ev({ external_id: '' })] }, /events\.0\.external_id/],
      ['empty project_id', { project_id: '', events: [ev()] }, /project_id/],
      ['reserved source', { project_id: p.id, events: [ev(), ev({ source: 'baton', event_type: 'run_completed' })] }, /baton.*reserved/],
      ['reserved source, personal stream', { events: [ev({ source: 'baton', event_type: 'run_created' })] }, /baton.*reserved/],
    ];
    for (const [label, body, message] of cases) {
      const res = await call('POST', EVENTS, { token: aliceKey, body });
      expect(res.status, label).toBe(400);
      expectErrorBody(res.body);
      expect(res.body.error, label).toMatch(message);
    }
    // A bad event anywhere in a batch rejects all of it.
    expect(await listEvents(aliceKey, { project_id: p.id })).toEqual([]);
  });

  it('rejects a url that is not http or https, naming the field, and records nothing of the batch', async () => {
    const u = await createUser(call);
    const key = (await createApiKey(call, u, 'fr')).key;
    const p = await createProject(call, { cookie: u.cookie });
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(document.cookie)', 'data:text/html,x', 'ftp://x', 'file:///etc/passwd', 'mailto:a@example.test']) {
      for (const scope of [{ project_id: p.id }, {}]) {
        const res = await call('POST', EVENTS, { token: key, body: { ...scope, events: [ev({ title: url }), ev({ title: url, url })] } });
        expect(res.status, url).toBe(400);
        expectErrorBody(res.body);
        expect(res.body.error, url).toMatch(/events\.1\.url/);
      }
    }
    expect(await listEvents(key, { project_id: p.id })).toEqual([]);
    expect(await listEvents(key)).toEqual([]);
  });

  it('rejects created_at more than 5 minutes in the future, and records nothing of the batch', async () => {
    const u = await createUser(call);
    const key = (await createApiKey(call, u, 'fr')).key;
    const p = await createProject(call, { cookie: u.cookie });
    const future = [
      new Date(Date.now() + 10 * 60_000).toISOString(),
      '2999-01-01T00:00:00Z',
      // Reads as an hour ago on the wall clock, but the offset makes it an hour ahead.
      new Date(Date.now() - 3_600_000).toISOString().replace('Z', '-02:00'),
    ];
    for (const created_at of future) {
      for (const scope of [{ project_id: p.id }, {}]) {
        const res = await call('POST', EVENTS, { token: key, body: { ...scope, events: [ev({ title: 'fine' }), ev({ title: 'from the future', created_at })] } });
        expect(res.status, created_at).toBe(400);
        expectErrorBody(res.body);
        expect(res.body.error, created_at).toBe('events.created_at: must not be in the future');
      }
    }
    expect(await listEvents(key, { project_id: p.id })).toEqual([]);
    expect(await listEvents(key)).toEqual([]);
  });

  it('rejects malformed JSON and a non-JSON body', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const bad = await call('POST', EVENTS, { token: aliceKey, raw: `{"project_id": "${p.id}", "events": [` });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body);
    expect(bad.body.error).toMatch(/JSON/);
    const text = await call('POST', EVENTS, { token: aliceKey, raw: 'source=github', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(400);
    expectErrorBody(text.body);
    const empty = await call('POST', EVENTS, { token: aliceKey });
    expect(empty.status).toBe(400);
    expectErrorBody(empty.body);
    expect(await listEvents(aliceKey, { project_id: p.id })).toEqual([]);
  });

  it('rejects a bad limit or source on GET', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'limit=-1', 'limit=1.5', 'limit=2&limit=3', 'source=GitHub', 'source=a%20b', 'source=x&source=y']) {
      for (const scope of [`project_id=${p.id}&`, '']) {
        const res = await call('GET', `${EVENTS}?${scope}${q}`, { token: aliceKey });
        expect(res.status, `${scope}${q}`).toBe(400);
        expectErrorBody(res.body);
      }
    }
    const res = await call('GET', `${EVENTS}?limit=201`, { token: aliceKey });
    expect(res.body.error).toMatch(/limit/);
  });
});

describe('roles', () => {
  it('a viewer can list the project stream but not record into it (403); a member can', async () => {
    const viewer = await createUser(call);
    const member = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, viewer.id, 'viewer');
    await addMember(srv.baton.store, alice.orgId, member.id, 'member');
    const viewerKey = (await createApiKey(call, viewer, 'fr')).key;
    const memberKey = (await createApiKey(call, member, 'fr')).key;
    const p = await createProject(call, { cookie: alice.cookie });
    await ingest(aliceKey, { project_id: p.id, events: [ev({ title: 'by alice' })] });

    const denied = await call('POST', EVENTS, { token: viewerKey, body: { project_id: p.id, events: [ev({ title: 'by viewer' })] } });
    expect(denied.status).toBe(403);
    expectErrorBody(denied.body);

    const byMember = await ingest(memberKey, { project_id: p.id, events: [ev({ title: 'by member' })] });
    expect(byMember.events[0]).toMatchObject({ user_id: member.id, project_id: p.id });

    const seen = await listEvents(viewerKey, { project_id: p.id });
    expect(seen.map((e) => e.title).sort()).toEqual(['by alice', 'by member']);
    // A viewer still has a personal stream of their own.
    expect((await ingest(viewerKey, { events: [ev({ title: 'viewer note' })] })).ingested).toBe(1);
  });

  it('a viewer with a live temporary admin grant may record', async () => {
    const temp = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, temp.id, 'viewer', new Date(Date.now() + 60_000).toISOString());
    const key = (await createApiKey(call, temp, 'fr')).key;
    const p = await createProject(call, { cookie: alice.cookie });
    expect((await ingest(key, { project_id: p.id, events: [ev()] })).ingested).toBe(1);
  });
});

describe('tenant isolation', () => {
  it("answers 404 (never 403) to another tenant's project, on list and ingest, and records nothing", async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    await ingest(aliceKey, { project_id: p.id, events: [ev({ title: 'secret' })] });
    const list = await call('GET', `${EVENTS}?project_id=${p.id}`, { token: bobKey });
    expect(list.status).toBe(404);
    expectErrorBody(list.body);
    for (const events of [[ev()], [ev({ source: 'baton' })]]) {
      const post = await call('POST', EVENTS, { token: bobKey, body: { project_id: p.id, events } });
      expect(post.status).toBe(404);
      expectErrorBody(post.body);
    }
    // Same answer as a project that does not exist.
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const missing = await call('GET', `${EVENTS}?project_id=${id}`, { token: aliceKey });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(list.body);
      expect((await call('POST', EVENTS, { token: aliceKey, body: { project_id: id, events: [ev()] } })).status).toBe(404);
    }
    expect((await listEvents(aliceKey, { project_id: p.id })).map((e) => e.title)).toEqual(['secret']);
  });

  it("a personal stream never shows another user's events, even from a shared project", async () => {
    const carol = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, carol.id, 'member');
    const carolKey = (await createApiKey(call, carol, 'fr')).key;
    const p = await createProject(call, { cookie: alice.cookie });
    await ingest(carolKey, { project_id: p.id, events: [ev({ title: 'carol in project' })] });
    await ingest(carolKey, { events: [ev({ title: 'carol personal' })] });
    await ingest(bobKey, { events: [ev({ title: 'bob personal' })] });

    const alicePersonal = await listEvents(aliceKey, { limit: 200 });
    expect(alicePersonal.every((e) => e.user_id === alice.id)).toBe(true);
    expect(alicePersonal.some((e) => e.title.startsWith('carol') || e.title.startsWith('bob'))).toBe(false);
    const bobPersonal = await listEvents(bobKey, { limit: 200 });
    expect(bobPersonal.map((e) => e.title)).toEqual(['bob personal']);
    expect((await listEvents(carolKey)).map((e) => e.title).sort()).toEqual(['carol in project', 'carol personal']);
  });

  it("after removal from an org, the user's events there leave their personal stream and the project answers 404", async () => {
    const dan = await createUser(call);
    await addMember(srv.baton.store, alice.orgId, dan.id, 'member');
    const danKey = (await createApiKey(call, dan, 'fr')).key;
    const p = await createProject(call, { cookie: alice.cookie });
    await ingest(danKey, { project_id: p.id, events: [ev({ title: 'dan in acme', created_at: '2026-05-02T00:00:00Z' })] });
    await ingest(danKey, { events: [ev({ title: 'dan personal', created_at: '2026-05-01T00:00:00Z' })] });
    const ownProject = await createProject(call, { cookie: dan.cookie });
    await ingest(danKey, { project_id: ownProject.id, events: [ev({ title: 'dan own org', created_at: '2026-05-03T00:00:00Z' })] });
    expect((await listEvents(danKey)).map((e) => e.title)).toEqual(['dan own org', 'dan in acme', 'dan personal']);

    // No API removes a member yet: delete the row, as addMember writes it.
    await serverWrite(srv, 'DELETE FROM memberships WHERE org_id = ? AND user_id = ?', alice.orgId, dan.id);

    expect((await listEvents(danKey)).map((e) => e.title)).toEqual(['dan own org', 'dan personal']);
    expect((await listEvents(danKey, { source: 'github' })).map((e) => e.title)).toEqual(['dan own org', 'dan personal']);
    const list = await call('GET', `${EVENTS}?project_id=${p.id}`, { token: danKey });
    expect(list.status).toBe(404);
    expectErrorBody(list.body);
    expect((await call('POST', EVENTS, { token: danKey, body: { project_id: p.id, events: [ev()] } })).status).toBe(404);
    // The org keeps what dan recorded there.
    expect((await listEvents(aliceKey, { project_id: p.id })).map((e) => e.title)).toEqual(['dan in acme']);
  });
});

describe('authentication', () => {
  it('answers 401 without a key, with a session cookie, an mk key, an unknown or a revoked fr key', async () => {
    const p = await createProject(call, { cookie: alice.cookie });
    const mkKey = (await createApiKey(call, alice, 'mk_live')).key;
    const revoked = await createApiKey(call, alice, 'fr');
    expect((await call('DELETE', `/api/v1/api-keys/${revoked.id}`, { cookie: alice.cookie })).status).toBe(200);
    const creds: Array<[string, { token?: string; cookie?: string }]> = [
      ['no credentials', {}],
      ['session cookie', { cookie: alice.cookie }],
      ['mk key', { token: mkKey }],
      ['unknown fr key', { token: 'fr_0000000000000000000000000000000000000000' }],
      ['revoked fr key', { token: revoked.key }],
    ];
    for (const [label, auth] of creds) {
      for (const path of [EVENTS, `${EVENTS}?project_id=${p.id}`]) {
        const res = await call('GET', path, auth);
        expect(res.status, `GET ${label}`).toBe(401);
        expectErrorBody(res.body);
      }
      const post = await call('POST', EVENTS, { ...auth, body: { project_id: p.id, events: [ev({ title: label })] } });
      expect(post.status, `POST ${label}`).toBe(401);
      expectErrorBody(post.body);
    }
    expect(await listEvents(aliceKey, { project_id: p.id })).toEqual([]);
  });
});

describe("Baton's own runs in the context stream", () => {
  it('records run_created and run_completed with source "baton", the run id and its request', async () => {
    const u = await createUser(call);
    const auth = { cookie: u.cookie };
    await setAutonomy(call, auth, u.orgId, 'autopilot');
    const key = (await createApiKey(call, u, 'fr')).key;
    const p = await createProject(call, auth);
    await ingest(key, { project_id: p.id, events: [ev({ title: 'before the run', created_at: '2020-01-01T00:00:00Z' })] });
    const requestText = 'Document the deploy steps in docs/deploy.md';
    const created = await createRunVia(call, auth, { requestText, projectId: p.id });
    const run = await waitForRun(call, auth, created.id);
    expect(run.status).toBe('completed');

    const baton = await listEvents(key, { project_id: p.id, source: 'baton' });
    expect(baton.map((e) => e.event_type)).toEqual(['run_completed', 'run_created']);
    for (const e of baton) {
      expect(e).toMatchObject({ source: 'baton', run_id: run.id, project_id: p.id, user_id: u.id, content: requestText });
      expect(e.id).toMatch(EV_ID);
      expect(e.title).toContain(requestText);
    }
    // Milestones only: no line per stage or tool call.
    const all = await listEvents(key, { project_id: p.id });
    expect(all.filter((e) => e.source === 'baton')).toHaveLength(2);
    expect(all.at(-1)!.title).toBe('before the run');
    expect(isNewestFirst(all)).toBe(true);
    // The run's creator sees them in their personal stream too.
    expect((await listEvents(key, { source: 'baton' })).map((e) => e.run_id)).toEqual([run.id, run.id]);
  });

  it('records approval_requested, and run_cancelled with the reason, when a run waits and is cancelled', async () => {
    const u = await createUser(call);
    const auth = { cookie: u.cookie };
    await setAutonomy(call, auth, u.orgId, 'assist');
    const key = (await createApiKey(call, u, 'fr')).key;
    const p = await createProject(call, auth);
    const requestText = `Rename the payments module and update every import. ${'Be careful. '.repeat(10)}`.trim();
    const created = await createRunVia(call, auth, { requestText, projectId: p.id });
    const waiting = await waitForApproval(call, auth, created.id);
    expect(waiting.status).not.toMatch(/completed|failed|cancelled/);

    const pending = await listEvents(key, { project_id: p.id, source: 'baton' });
    expect(pending.map((e) => e.event_type)).toEqual(['approval_requested', 'run_created']);
    const ask = pending[0]!;
    expect(ask).toMatchObject({ run_id: created.id, project_id: p.id });
    expect(ask.title).toMatch(/^Approval requested: /);
    // The request is long: titles shorten it, run_created's content keeps it whole.
    expect(pending[1]!.title.length).toBeLessThan(requestText.length);
    expect(pending[1]!.title).toMatch(/\.\.\.$/);
    expect(pending[1]!.content).toBe(requestText);

    const cancel = await call('POST', `/api/v1/runs/${created.id}/cancel`, { ...auth, body: { reason: 'wrong module' } });
    expect(cancel.status).toBe(200);
    await waitForRun(call, auth, created.id);
    const done = await listEvents(key, { project_id: p.id, source: 'baton' });
    expect(done.map((e) => e.event_type)).toEqual(['run_cancelled', 'approval_requested', 'run_created']);
    expect(done[0]!.content.startsWith(requestText)).toBe(true);
    expect(done[0]!.content).toMatch(/wrong module/);
  });

  it('records every approval a run asks for, then run_completed once approved', async () => {
    const u = await createUser(call);
    const auth = { cookie: u.cookie };
    const key = (await createApiKey(call, u, 'fr')).key;
    const p = await createProject(call, auth);
    const created = await createRunVia(call, auth, { requestText: 'Add a CHANGELOG entry', projectId: p.id });
    const { run, approvals } = await approveUntilDone(call, auth, created.id);
    expect(run.status).toBe('completed');
    expect(approvals).toBeGreaterThan(0);
    const baton = await listEvents(key, { project_id: p.id, source: 'baton' });
    expect(baton[0]!.event_type).toBe('run_completed');
    expect(baton.at(-1)!.event_type).toBe('run_created');
    expect(baton.filter((e) => e.event_type === 'approval_requested')).toHaveLength(approvals);
    // Each grant is a line of its own, so a handoff knows the request was decided.
    expect(baton.filter((e) => e.event_type === 'approval_granted')).toHaveLength(approvals);
    expect(baton).toHaveLength(2 * approvals + 2);
  });

  it("a run without a project goes to its creator's personal stream only", async () => {
    const u = await createUser(call);
    const auth = { cookie: u.cookie };
    await setAutonomy(call, auth, u.orgId, 'autopilot');
    const key = (await createApiKey(call, u, 'fr')).key;
    const created = await createRunVia(call, auth, { requestText: 'Just write it down' });
    await waitForRun(call, auth, created.id);
    const personal = await listEvents(key, { source: 'baton' });
    expect(personal.map((e) => e.event_type)).toEqual(['run_completed', 'run_created']);
    expect(personal.every((e) => e.project_id === null && e.run_id === created.id && e.content === 'Just write it down')).toBe(true);
    // Nobody else sees it.
    expect((await listEvents(bobKey, { source: 'baton', limit: 200 })).some((e) => e.run_id === created.id)).toBe(false);
  });

  it("another tenant's key cannot read a project's run milestones", async () => {
    const u = await createUser(call);
    const auth = { cookie: u.cookie };
    await setAutonomy(call, auth, u.orgId, 'autopilot');
    const p = await createProject(call, auth);
    const created = await createRunVia(call, auth, { requestText: 'private work', projectId: p.id });
    await waitForRun(call, auth, created.id);
    const res = await call('GET', `${EVENTS}?project_id=${p.id}&source=baton`, { token: bobKey });
    expect(res.status).toBe(404);
    expectErrorBody(res.body);
  });

  it('records run_failed with the reason when a run fails', async () => {
    const down = await startFakeLlm({ failWith: 503 });
    const other = await startTestServer({ BATON_LLM_URL: down.baseUrl, BATON_LLM_MODEL: 'fake-model-1', BATON_JOB_RETRY_BASE_MS: '10' });
    try {
      const c = client(other.url);
      const u = await createUser(c);
      const auth = { cookie: u.cookie };
      const key = (await createApiKey(c, u, 'fr')).key;
      const p = await createProject(c, auth);
      const created = await createRunVia(c, auth, { requestText: 'model is down', projectId: p.id });
      const run = await waitForRun(c, auth, created.id);
      expect(run.status).toBe('failed');
      const res = await c('GET', `${EVENTS}?project_id=${p.id}&source=baton`, { token: key });
      expect(res.status).toBe(200);
      expectRelayContract('GET', '/events', 200, res.body);
      const baton: Ev[] = res.body.events;
      expect(baton.map((e) => e.event_type)).toEqual(['run_failed', 'run_created']);
      expect(baton[0]).toMatchObject({ source: 'baton', run_id: run.id, project_id: p.id, title: 'Run failed: model is down' });
      expect(baton[0]!.content).toBe(`model is down\nFailed: ${run.errorMessage}`);
    } finally {
      await other.close();
      await down.close();
    }
  });
});
