import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer as createNetServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { listOutbox } from '@baton/core';
import { serverSql, serverWrite, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, MK_SPEC } from '../../../test/helpers/contract.ts';
import { addMember, createApiKey, createProject, createUser, sessionCookie, type TestUser } from '../../../test/helpers/factories.ts';

/**
 * Members and invitations: Baton extensions under /api/v1 (the MightyKey contract documents none of
 * these paths), so every body is checked against the served OpenAPI document (success bodies against
 * the documented schema; error statuses must be documented for the operation, with `{"error"}`).
 */

const PUBLIC_URL = 'https://baton.example.test';

let srv: TestServer;
let call: Call;
let served: any;
let owner: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  srv = await startTestServer({ BATON_PUBLIC_URL: PUBLIC_URL });
  call = client(srv.url);
  served = (await call('GET', '/api/v1/openapi.json')).body;
  owner = await createUser(call, { name: 'Olive' });
  stranger = await createUser(call, { name: 'Stan' });
});
afterAll(() => srv.close());

// --- the served document -------------------------------------------------------------------------

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default ? addFormats.default(ajv) : (addFormats as any)(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** The body matches what the served OpenAPI document says for (method, path, status). */
function expectServed(method: string, path: string, status: number, body: unknown) {
  const op = served.paths[path]?.[method.toLowerCase()];
  expect(op, `the served document has no ${method} ${path}`).toBeDefined();
  expect(op['x-baton-extension'], `${method} ${path} is marked as an extension`).toBe(true);
  const response = op.responses[String(status)];
  expect(response, `${method} ${path} documents ${status}`).toBeDefined();
  if (status >= 400) return expectErrorBody(body);
  const key = `${method} ${path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ ...response.content['application/json'].schema, components: served.components });
    validators.set(key, validate);
  }
  expect(validate(body), `${key}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 1500)}`).toBe(true);
}

// --- helpers -------------------------------------------------------------------------------------

type Auth = { cookie?: string; token?: string; headers?: Record<string, string> };
const M = '/orgs/{id}/members';
const MU = '/orgs/{id}/members/{userId}';
const INV = '/orgs/{id}/invitations';
const INVID = '/orgs/{id}/invitations/{invitationId}';
const TOK = '/invitations/{token}';
const ACC = '/invitations/{token}/accept';
const LEAVE = '/orgs/{id}/leave';

let seq = 0;
const newEmail = (tag = 'invitee') => `${tag}-${Date.now().toString(36)}-${++seq}@example.test`;

/** An org of its own, owned by a fresh user, so tests do not disturb each other. */
async function freshOrg(name = 'Owner') {
  const o = await createUser(call, { name });
  return o;
}

async function invite(auth: Auth, orgId: string, email: string, role: string) {
  return call('POST', `/api/v1/orgs/${orgId}/invitations`, { ...auth, body: { email, role } });
}

const tokenRe = /\/invitations\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/;

/** The newest invitation mail to this address, and the token of its link. */
async function invitationMail(email: string) {
  const mail = (await listOutbox(srv.baton.core, 200)).find((m) => m.to === email.toLowerCase());
  if (!mail) throw new Error(`no invitation mail for ${email}`);
  const token = mail.text.match(tokenRe)?.[1];
  if (!token) throw new Error(`no invitation link in the mail to ${email}`);
  return { mail, token };
}

async function inviteAndToken(auth: Auth, orgId: string, email: string, role: string) {
  const res = await invite(auth, orgId, email, role);
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { invitation: res.body.data, token: (await invitationMail(email)).token };
}

const accept = (token: string, opts: Auth & { body?: unknown } = {}) =>
  call('POST', `/api/v1/invitations/${token}/accept`, { ...opts, body: opts.body ?? {} });

async function login(email: string, password: string) {
  const res = await call('POST', '/api/v1/auth/login', { body: { email, password } });
  expect(res.status).toBe(200);
  return sessionCookie(res.headers);
}

/** Invites a new address and accepts as a new account; the signed-in member. */
async function joinNew(orgOwner: TestUser, role: string, name = 'Newcomer'): Promise<TestUser> {
  const email = newEmail(role);
  const { token } = await inviteAndToken({ cookie: orgOwner.cookie }, orgOwner.orgId, email, role);
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const res = await accept(token, { body: { name, password } });
  expect(res.status).toBe(200);
  const cookie = await login(email, password);
  return { id: res.body.data.user.id, email, password, name, orgId: orgOwner.orgId, cookie };
}

const members = async (orgId: string, auth: Auth) => (await call('GET', `/api/v1/orgs/${orgId}/members`, auth)).body.data.members as any[];

const orgEvents = (orgId: string, type: string) =>
  serverSql(srv).all<{ id: string; payload: unknown; created_at: string }>('SELECT id, payload, created_at FROM org_events WHERE org_id = ? AND type = ? ORDER BY created_at, id', orgId, type);
const payloadOf = (row: { payload: unknown }) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>;

/** A token signed like Baton's, but with another installation's secret. */
function foreignToken(secret: string) {
  const key = createHmac('sha256', secret).update('baton/invitation-token/v1').digest();
  const nonce = randomBytes(24).toString('base64url');
  return `${nonce}.${createHmac('sha256', key).update(nonce).digest('base64url')}`;
}

// --- the served document -------------------------------------------------------------------------

describe('served OpenAPI', () => {
  it('documents every members/invitations operation as a Baton extension, none of them in the contract', () => {
    const ops = [
      ['get', M],
      ['patch', MU],
      ['delete', MU],
      ['post', LEAVE],
      ['get', INV],
      ['post', INV],
      ['delete', INVID],
      ['get', TOK],
      ['post', ACC],
    ] as const;
    for (const [method, path] of ops) {
      expect(served.paths[path]?.[method]?.['x-baton-extension'], `${method} ${path}`).toBe(true);
      expect(MK_SPEC.paths[path]?.[method], `the contract has no ${method} ${path}`).toBeUndefined();
    }
    expect(served.paths[INV].post.responses['201']).toBeDefined();
    // The preview needs no credentials; accepting takes the session cookie or nothing.
    expect(served.paths[TOK].get.security).toEqual([]);
    expect(served.paths[ACC].post.security).toEqual([{}, { sessionCookie: [] }]);
  });
});

// --- members -------------------------------------------------------------------------------------

describe('GET /orgs/{id}/members', () => {
  it('lists members with their role and join time, for any member down to viewer (happy)', async () => {
    const o = await freshOrg('Mira');
    const viewer = await createUser(call, { name: 'Vera' });
    const temp = await createUser(call, { name: 'Tem' });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await addMember(srv.baton.store, o.orgId, viewer.id, 'viewer');
    await addMember(srv.baton.store, o.orgId, temp.id, 'member', until);
    const res = await call('GET', `/api/v1/orgs/${o.orgId}/members`, { cookie: viewer.cookie });
    expect(res.status).toBe(200);
    expectServed('GET', M, 200, res.body);
    const rows = res.body.data.members.map((m: any) => [m.userId, m.name, m.email, m.role, m.temporaryAdminUntil]);
    // Oldest first: the owner joined before the others (who may share a millisecond).
    expect(rows[0]).toEqual([o.id, 'Mira', o.email, 'owner', null]);
    expect(rows.slice(1)).toHaveLength(2);
    expect(rows.slice(1)).toEqual(
      expect.arrayContaining([
        [viewer.id, 'Vera', viewer.email, 'viewer', null],
        [temp.id, 'Tem', temp.email, 'member', until],
      ]),
    );
    for (const m of res.body.data.members) expect(Number.isNaN(Date.parse(m.joinedAt))).toBe(false);
    // An mk key bound to the org reads them too.
    const key = await createApiKey(call, viewer, 'mk_live', { orgId: o.orgId });
    expect((await call('GET', `/api/v1/orgs/${o.orgId}/members`, { token: key.key })).status).toBe(200);
  });

  it("answers 401 without credentials or with an fr key, 404 to another tenant's org", async () => {
    const anon = await call('GET', `/api/v1/orgs/${owner.orgId}/members`);
    expect(anon.status).toBe(401);
    expectServed('GET', M, 401, anon.body);
    const fr = await createApiKey(call, owner, 'fr');
    expect((await call('GET', `/api/v1/orgs/${owner.orgId}/members`, { token: fr.key })).status).toBe(401);
    const other = await call('GET', `/api/v1/orgs/${owner.orgId}/members`, { cookie: stranger.cookie });
    expect(other.status).toBe(404);
    expectServed('GET', M, 404, other.body);
    expect((await call('GET', '/api/v1/orgs/00000000-0000-4000-8000-000000000000/members', { cookie: owner.cookie })).status).toBe(404);
  });

  it("answers 404 to an mk key bound to another of the user's orgs", async () => {
    const key = await createApiKey(call, stranger, 'mk_live');
    await addMember(srv.baton.store, owner.orgId, stranger.id, 'viewer');
    try {
      const res = await call('GET', `/api/v1/orgs/${owner.orgId}/members`, { token: key.key });
      expect(res.status).toBe(404);
      expectServed('GET', M, 404, res.body);
    } finally {
      await serverWrite(srv, 'DELETE FROM memberships WHERE org_id = ? AND user_id = ?', owner.orgId, stranger.id);
    }
  });

  it('is served over /trpc for the SPA too', async () => {
    const input = encodeURIComponent(JSON.stringify({ id: owner.orgId }));
    const res = await call('GET', `/trpc/mk.members.list?input=${input}`, { cookie: owner.cookie });
    expect(res.status).toBe(200);
    expect(res.body.result.data.data.members[0]).toMatchObject({ userId: owner.id, role: 'owner' });
  });
});

// --- invitations ---------------------------------------------------------------------------------

describe('POST /orgs/{id}/invitations', () => {
  it('records the invitation, mails a signed single-use link and stores only its SHA-256 (happy)', async () => {
    const o = await freshOrg('Ines');
    const email = newEmail();
    const res = await invite({ cookie: o.cookie }, o.orgId, email.toUpperCase(), 'member');
    expect(res.status).toBe(201);
    expectServed('POST', INV, 201, res.body);
    const inv = res.body.data;
    expect(inv).toMatchObject({ orgId: o.orgId, email, role: 'member', invitedBy: { id: o.id, name: 'Ines', email: o.email } });
    expect(Date.parse(inv.expiresAt) - Date.parse(inv.createdAt)).toBe(7 * 24 * 3600 * 1000);

    const { mail, token } = await invitationMail(email);
    expect(mail.subject).toMatch(/invited to join/);
    expect(mail.text).toContain(`${PUBLIC_URL}/invitations/${token}`);
    expect(mail.text).toContain('Ines');
    // The token is in the mail only: not in the response, and stored as its SHA-256.
    expect(JSON.stringify(res.body)).not.toContain(token);
    const row = (await serverSql(srv).get<Record<string, unknown>>('SELECT * FROM invitations WHERE id = ?', inv.id))!;
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token);

    // member.invited, for future webhooks, committed with it.
    const events = await orgEvents(o.orgId, 'member.invited');
    expect(events).toHaveLength(1);
    expect(payloadOf(events[0]!)).toMatchObject({ invitationId: inv.id, email, role: 'member', invitedByUserId: o.id });

    const listed = await call('GET', `/api/v1/orgs/${o.orgId}/invitations`, { cookie: o.cookie });
    expect(listed.status).toBe(200);
    expectServed('GET', INV, 200, listed.body);
    expect(listed.body.data.invitations.map((i: any) => i.id)).toEqual([inv.id]);
  });

  it('lets an admin invite members and admins but not owners; an owner may invite an owner', async () => {
    const o = await freshOrg();
    const admin = await createUser(call);
    await addMember(srv.baton.store, o.orgId, admin.id, 'admin');
    expect((await invite({ cookie: admin.cookie }, o.orgId, newEmail(), 'member')).status).toBe(201);
    expect((await invite({ cookie: admin.cookie }, o.orgId, newEmail(), 'admin')).status).toBe(201);
    const asOwner = await invite({ cookie: admin.cookie }, o.orgId, newEmail(), 'owner');
    expect(asOwner.status).toBe(403);
    expectServed('POST', INV, 403, asOwner.body);
    expect(asOwner.body.error).toMatch(/Only an owner can invite an owner/);
    expect((await invite({ cookie: o.cookie }, o.orgId, newEmail(), 'owner')).status).toBe(201);
    // An mk key acts with its user's role.
    const key = await createApiKey(call, admin, 'mk_live', { orgId: o.orgId });
    expect((await invite({ token: key.key }, o.orgId, newEmail(), 'viewer')).status).toBe(201);
  });

  it('answers 403 to members and viewers (a temporary admin may), 404 to a stranger, 401 without credentials', async () => {
    const o = await freshOrg();
    const member = await createUser(call);
    const viewer = await createUser(call);
    const temp = await createUser(call);
    await addMember(srv.baton.store, o.orgId, member.id, 'member');
    await addMember(srv.baton.store, o.orgId, viewer.id, 'viewer');
    await addMember(srv.baton.store, o.orgId, temp.id, 'viewer', new Date(Date.now() + 3_600_000).toISOString());
    const before = (await orgEvents(o.orgId, 'member.invited')).length;
    for (const u of [member, viewer]) {
      const res = await invite({ cookie: u.cookie }, o.orgId, newEmail(), 'viewer');
      expect(res.status).toBe(403);
      expectServed('POST', INV, 403, res.body);
    }
    const other = await invite({ cookie: stranger.cookie }, o.orgId, newEmail(), 'viewer');
    expect(other.status).toBe(404);
    expectServed('POST', INV, 404, other.body);
    const anon = await invite({}, o.orgId, newEmail(), 'viewer');
    expect(anon.status).toBe(401);
    expectServed('POST', INV, 401, anon.body);
    // Refused invitations leave no event and no mail.
    expect((await orgEvents(o.orgId, 'member.invited')).length).toBe(before);
    expect((await invite({ cookie: temp.cookie }, o.orgId, newEmail(), 'viewer')).status).toBe(201);
  });

  it('answers 400 to a bad email or role, 409 to an address that is already a member', async () => {
    const o = await freshOrg();
    const bad = await invite({ cookie: o.cookie }, o.orgId, 'not-an-email', 'member');
    expect(bad.status).toBe(400);
    expectServed('POST', INV, 400, bad.body);
    expect(bad.body.error).toMatch(/^email: /);
    const badRole = await invite({ cookie: o.cookie }, o.orgId, newEmail(), 'superuser');
    expect(badRole.status).toBe(400);
    expect(badRole.body.error).toMatch(/^role: /);
    const m = await createUser(call);
    await addMember(srv.baton.store, o.orgId, m.id, 'member');
    const dup = await invite({ cookie: o.cookie }, o.orgId, m.email.toUpperCase(), 'admin');
    expect(dup.status).toBe(409);
    expectServed('POST', INV, 409, dup.body);
    expect(dup.body.error).toMatch(/already a member/);
    const self = await invite({ cookie: o.cookie }, o.orgId, o.email, 'member');
    expect(self.status).toBe(409);
  });

  it('inviting an address again replaces its pending invitation (the first link stops working)', async () => {
    const o = await freshOrg();
    const email = newEmail();
    const first = await inviteAndToken({ cookie: o.cookie }, o.orgId, email, 'viewer');
    const second = await inviteAndToken({ cookie: o.cookie }, o.orgId, email, 'member');
    expect(second.token).not.toBe(first.token);
    const old = await call('GET', `/api/v1/invitations/${first.token}`);
    expect(old.status).toBe(400);
    expect(old.body.error).toMatch(/revoked/);
    const fresh = await call('GET', `/api/v1/invitations/${second.token}`);
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.role).toBe('member');
    const listed = await call('GET', `/api/v1/orgs/${o.orgId}/invitations`, { cookie: o.cookie });
    expect(listed.body.data.invitations.map((i: any) => i.id)).toEqual([second.invitation.id]);
  });
});

describe('GET /orgs/{id}/invitations', () => {
  it('lists only pending invitations, newest first; 403 to a member, 404 to a stranger, 401 anonymously', async () => {
    const o = await freshOrg();
    const a = await inviteAndToken({ cookie: o.cookie }, o.orgId, newEmail(), 'member');
    const b = await inviteAndToken({ cookie: o.cookie }, o.orgId, newEmail(), 'viewer');
    const c = await inviteAndToken({ cookie: o.cookie }, o.orgId, newEmail(), 'viewer');
    const d = await inviteAndToken({ cookie: o.cookie }, o.orgId, newEmail(), 'admin');
    await serverWrite(srv, 'UPDATE invitations SET expires_at = ? WHERE id = ?', new Date(Date.now() - 1000).toISOString(), b.invitation.id);
    expect((await call('DELETE', `/api/v1/orgs/${o.orgId}/invitations/${c.invitation.id}`, { cookie: o.cookie })).status).toBe(200);
    expect((await accept(d.token, { body: { name: 'Dee', password: 'password-dee' } })).status).toBe(200);
    const res = await call('GET', `/api/v1/orgs/${o.orgId}/invitations`, { cookie: o.cookie });
    expect(res.status).toBe(200);
    expectServed('GET', INV, 200, res.body);
    expect(res.body.data.invitations.map((i: any) => i.id)).toEqual([a.invitation.id]);

    const member = await createUser(call);
    await addMember(srv.baton.store, o.orgId, member.id, 'member');
    const asMember = await call('GET', `/api/v1/orgs/${o.orgId}/invitations`, { cookie: member.cookie });
    expect(asMember.status).toBe(403);
    expectServed('GET', INV, 403, asMember.body);
    const asStranger = await call('GET', `/api/v1/orgs/${o.orgId}/invitations`, { cookie: stranger.cookie });
    expect(asStranger.status).toBe(404);
    expectServed('GET', INV, 404, asStranger.body);
    const anon = await call('GET', `/api/v1/orgs/${o.orgId}/invitations`);
    expect(anon.status).toBe(401);
    expectServed('GET', INV, 401, anon.body);
  });
});

describe('DELETE /orgs/{id}/invitations/{invitationId}', () => {
  it('revokes: the link answers 400 from then on, a second revoke 404 (happy)', async () => {
    const o = await freshOrg();
    const { invitation, token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, newEmail(), 'member');
    const res = await call('DELETE', `/api/v1/orgs/${o.orgId}/invitations/${invitation.id}`, { cookie: o.cookie });
    expect(res.status).toBe(200);
    expectServed('DELETE', INVID, 200, res.body);
    expect(res.body.data).toEqual({ deleted: true, id: invitation.id });
    const used = await accept(token, { body: { name: 'Late', password: 'password-late' } });
    expect(used.status).toBe(400);
    expectServed('POST', ACC, 400, used.body);
    expect(used.body.error).toMatch(/revoked/);
    const again = await call('DELETE', `/api/v1/orgs/${o.orgId}/invitations/${invitation.id}`, { cookie: o.cookie });
    expect(again.status).toBe(404);
    expectServed('DELETE', INVID, 404, again.body);
  });

  it("answers 409 to an accepted invitation, 404 to another org's invitation, 403 to a member, 401 anonymously", async () => {
    const o = await freshOrg();
    const { invitation, token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, newEmail(), 'member');
    expect((await accept(token, { body: { name: 'Acc', password: 'password-acc' } })).status).toBe(200);
    const accepted = await call('DELETE', `/api/v1/orgs/${o.orgId}/invitations/${invitation.id}`, { cookie: o.cookie });
    expect(accepted.status).toBe(409);
    expectServed('DELETE', INVID, 409, accepted.body);

    const pending = await inviteAndToken({ cookie: o.cookie }, o.orgId, newEmail(), 'member');
    // Through the stranger's own org, and directly: 404 both ways, and the invitation still works.
    const viaOwnOrg = await call('DELETE', `/api/v1/orgs/${stranger.orgId}/invitations/${pending.invitation.id}`, { cookie: stranger.cookie });
    expect(viaOwnOrg.status).toBe(404);
    const direct = await call('DELETE', `/api/v1/orgs/${o.orgId}/invitations/${pending.invitation.id}`, { cookie: stranger.cookie });
    expect(direct.status).toBe(404);
    expectServed('DELETE', INVID, 404, direct.body);
    const member = await createUser(call);
    await addMember(srv.baton.store, o.orgId, member.id, 'member');
    const asMember = await call('DELETE', `/api/v1/orgs/${o.orgId}/invitations/${pending.invitation.id}`, { cookie: member.cookie });
    expect(asMember.status).toBe(403);
    expectServed('DELETE', INVID, 403, asMember.body);
    const anon = await call('DELETE', `/api/v1/orgs/${o.orgId}/invitations/${pending.invitation.id}`);
    expect(anon.status).toBe(401);
    expectServed('DELETE', INVID, 401, anon.body);
    expect((await call('GET', `/api/v1/invitations/${pending.token}`)).status).toBe(200);
  });
});

describe('GET /invitations/{token}', () => {
  it('shows the org, inviter, address, role and expiry without credentials and without secrets (happy)', async () => {
    const o = await freshOrg('Petra');
    const email = newEmail();
    const { invitation, token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, email, 'admin');
    const res = await call('GET', `/api/v1/invitations/${token}`);
    expect(res.status).toBe(200);
    expectServed('GET', TOK, 200, res.body);
    expect(res.body.data).toEqual({
      organization: { id: o.orgId, name: "Petra's Organization", slug: expect.any(String) },
      invitedBy: { name: 'Petra', email: o.email },
      email,
      role: 'admin',
      expiresAt: invitation.expiresAt,
      accountExists: false,
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(token);
    expect(text).not.toContain(createHash('sha256').update(token).digest('hex'));
    expect(text).not.toMatch(/hash|password/i);
    // It knows when the address already has an account.
    const existing = await createUser(call);
    const second = await inviteAndToken({ cookie: o.cookie }, o.orgId, existing.email, 'viewer');
    expect((await call('GET', `/api/v1/invitations/${second.token}`)).body.data.accountExists).toBe(true);
  });

  it("answers 400 with a reason to unknown, tampered and another installation's tokens", async () => {
    const o = await freshOrg();
    const { invitation, token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, newEmail(), 'member');
    const cases: Array<[string, RegExp]> = [
      ['made-up-token', /not issued by this server/],
      [`${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`, /not issued by this server/],
      [`${token.split('.')[0]}x.${token.split('.')[1]}`, /not issued by this server/],
    ];
    // Another installation's token is refused on its signature, even where this database held its hash.
    const foreign = foreignToken('another-installation-secret-0123456789abcdef');
    await serverWrite(
      srv,
      'INSERT INTO invitations (id, org_id, email, role, token_hash, invited_by_user_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      `foreign-${invitation.id}`,
      o.orgId,
      newEmail('foreign'),
      'owner',
      createHash('sha256').update(foreign).digest('hex'),
      o.id,
      new Date(Date.now() + 3_600_000).toISOString(),
      new Date().toISOString(),
    );
    cases.push([foreign, /not issued by this server/]);
    for (const [bad, why] of cases) {
      const res = await call('GET', `/api/v1/invitations/${bad}`);
      expect(res.status, bad).toBe(400);
      expectServed('GET', TOK, 400, res.body);
      expect(res.body.error).toMatch(why);
      const acc = await accept(bad, { body: { name: 'Mallory', password: 'password-mallory' } });
      expect(acc.status, bad).toBe(400);
      expect(acc.body.error).toMatch(why);
    }
    // A genuine token whose invitation is gone (its org was deleted).
    const doomedOwner = await freshOrg();
    const doomed = await inviteAndToken({ cookie: doomedOwner.cookie }, doomedOwner.orgId, newEmail(), 'member');
    expect((await call('DELETE', `/api/v1/orgs/${doomedOwner.orgId}`, { cookie: doomedOwner.cookie })).status).toBe(200);
    const gone = await call('GET', `/api/v1/invitations/${doomed.token}`);
    expect(gone.status).toBe(400);
    expect(gone.body.error).toMatch(/Unknown invitation/);
  });
});

describe('POST /invitations/{token}/accept', () => {
  it('creates the invited account in the same call; it signs in and sees the org; the token then fails (happy)', async () => {
    const o = await freshOrg();
    const email = newEmail();
    const { token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, email, 'member');
    const res = await accept(token, { body: { name: 'Nina', password: 'nina-password' } });
    expect(res.status).toBe(200);
    expectServed('POST', ACC, 200, res.body);
    expect(res.body.data).toMatchObject({ organization: { id: o.orgId }, user: { email, name: 'Nina' }, role: 'member', accountCreated: true });
    const row = (await serverSql(srv).get<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ?', res.body.data.user.id))!;
    expect(row.password_hash).toMatch(/^\$argon2id\$/);

    const cookie = await login(email, 'nina-password');
    const orgs = await call('GET', '/api/v1/orgs', { cookie });
    // The invited account lands in the inviting org, and has no org of its own.
    expect(orgs.body.data.organizations.map((x: any) => x.id)).toEqual([o.orgId]);
    expect((await call('GET', `/api/v1/orgs/${o.orgId}`, { cookie })).body.data.role).toBe('member');
    expect((await members(o.orgId, { cookie: o.cookie })).map((m) => m.email)).toContain(email);
    // Member rights apply at once: a member creates projects.
    expect((await call('POST', '/api/v1/projects', { cookie, body: { name: 'From the invitee' } })).status).toBe(201);

    const reused = await accept(token, { body: { name: 'Nina again', password: 'nina-password-2' } });
    expect(reused.status).toBe(400);
    expectServed('POST', ACC, 400, reused.body);
    expect(reused.body.error).toMatch(/already been used/);
    const viaSession = await accept(token, { cookie });
    expect(viaSession.status).toBe(400);
    const preview = await call('GET', `/api/v1/invitations/${token}`);
    expect(preview.status).toBe(400);
    expect(preview.body.error).toMatch(/already been used/);
  });

  it('lets a signed-in account with the invited address accept (case-insensitively)', async () => {
    const o = await freshOrg();
    const u = await createUser(call, { email: `Casey-${Date.now().toString(36)}@Example.test` });
    const { token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, u.email.toUpperCase(), 'admin');
    const res = await accept(token, { cookie: u.cookie });
    expect(res.status).toBe(200);
    expectServed('POST', ACC, 200, res.body);
    expect(res.body.data).toMatchObject({ organization: { id: o.orgId }, user: { id: u.id }, role: 'admin', accountCreated: false });
    const orgs = (await call('GET', '/api/v1/orgs', { cookie: u.cookie })).body.data.organizations.map((x: any) => x.id);
    expect(orgs).toEqual(expect.arrayContaining([u.orgId, o.orgId]));
    // Admin in the new org (X-Org-Id), owner in their own.
    const patched = await call('PATCH', `/api/v1/orgs/${o.orgId}`, { cookie: u.cookie, body: { autonomyLevel: 'observe' } });
    expect(patched.status).toBe(200);
    expect(patched.body.data.role).toBe('admin');
    const projects = await call('GET', '/api/v1/projects', { cookie: u.cookie, headers: { 'x-org-id': o.orgId } });
    expect(projects.status).toBe(200);
    expect((await accept(token, { cookie: u.cookie })).status).toBe(400);
  });

  it('refuses another signed-in account (403), an API key (403), anonymous without an account (401), half a new account (400)', async () => {
    const o = await freshOrg();
    const invited = await createUser(call);
    const { token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, invited.email, 'member');
    const other = await accept(token, { cookie: stranger.cookie });
    expect(other.status).toBe(403);
    expectServed('POST', ACC, 403, other.body);
    expect(other.body.error).toContain(invited.email);
    const key = await createApiKey(call, invited, 'mk_live');
    const viaKey = await accept(token, { token: key.key });
    expect(viaKey.status).toBe(403);
    expectServed('POST', ACC, 403, viaKey.body);
    const anon = await accept(token);
    expect(anon.status).toBe(401);
    expectServed('POST', ACC, 401, anon.body);
    const half = await accept(token, { body: { name: 'Only a name' } });
    expect(half.status).toBe(400);
    expectServed('POST', ACC, 400, half.body);
    const short = await accept(token, { body: { name: 'Short', password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatch(/^password: /);
    // An account exists for the address: creating it again is a 409.
    const dupAccount = await accept(token, { body: { name: 'Twin', password: 'twin-password' } });
    expect(dupAccount.status).toBe(409);
    expectServed('POST', ACC, 409, dupAccount.body);
    // None of that used the token up.
    expect((await accept(token, { cookie: invited.cookie })).status).toBe(200);
  });

  it('answers 400 to an expired token, 409 to someone who is already a member', async () => {
    const o = await freshOrg();
    const email = newEmail();
    const { invitation, token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, email, 'member');
    await serverWrite(srv, 'UPDATE invitations SET expires_at = ? WHERE id = ?', new Date(Date.now() - 1000).toISOString(), invitation.id);
    const expired = await accept(token, { body: { name: 'Ex', password: 'expired-password' } });
    expect(expired.status).toBe(400);
    expectServed('POST', ACC, 400, expired.body);
    expect(expired.body.error).toMatch(/expired/);
    expect((await call('GET', `/api/v1/invitations/${token}`)).body.error).toMatch(/expired/);
    expect((await serverSql(srv).get<{ n: number }>('SELECT count(*) AS n FROM users WHERE email = ?', email))!.n).toBe(0);

    const m = await createUser(call);
    const pending = await inviteAndToken({ cookie: o.cookie }, o.orgId, m.email, 'viewer');
    await addMember(srv.baton.store, o.orgId, m.id, 'member');
    const already = await accept(pending.token, { cookie: m.cookie });
    expect(already.status).toBe(409);
    expectServed('POST', ACC, 409, already.body);
  });
});

// --- roles ---------------------------------------------------------------------------------------

describe('PATCH /orgs/{id}/members/{userId}', () => {
  const patch = (orgId: string, userId: string, role: string, auth: Auth) => call('PATCH', `/api/v1/orgs/${orgId}/members/${userId}`, { ...auth, body: { role } });

  it("changes a member's role, which takes effect at once (happy)", async () => {
    const o = await freshOrg();
    const m = await joinNew(o, 'member');
    expect((await call('PATCH', `/api/v1/orgs/${o.orgId}`, { cookie: m.cookie, body: { name: 'Nope' } })).status).toBe(403);
    const res = await patch(o.orgId, m.id, 'admin', { cookie: o.cookie });
    expect(res.status).toBe(200);
    expectServed('PATCH', MU, 200, res.body);
    expect(res.body.data).toMatchObject({ userId: m.id, email: m.email, role: 'admin', temporaryAdminUntil: null });
    expect((await call('PATCH', `/api/v1/orgs/${o.orgId}`, { cookie: m.cookie, body: { name: 'Now allowed' } })).status).toBe(200);
    const down = await patch(o.orgId, m.id, 'viewer', { cookie: o.cookie });
    expect(down.body.data.role).toBe('viewer');
    expect((await call('POST', '/api/v1/projects', { cookie: m.cookie, headers: { 'x-org-id': o.orgId }, body: { name: 'Viewer cannot' } })).status).toBe(403);
  });

  it('replaces a temporary admin grant with the role given', async () => {
    const o = await freshOrg();
    const temp = await createUser(call);
    await addMember(srv.baton.store, o.orgId, temp.id, 'member', new Date(Date.now() + 3_600_000).toISOString());
    const res = await patch(o.orgId, temp.id, 'viewer', { cookie: o.cookie });
    expect(res.status).toBe(200);
    expect(res.body.data.temporaryAdminUntil).toBeNull();
    expect((await call('PATCH', `/api/v1/orgs/${o.orgId}`, { cookie: temp.cookie, body: { name: 'No longer' } })).status).toBe(403);
  });

  it('an admin cannot promote to owner nor change an owner; an owner can; the last owner cannot be demoted (409)', async () => {
    const o = await freshOrg();
    const admin = await createUser(call);
    const m = await createUser(call);
    await addMember(srv.baton.store, o.orgId, admin.id, 'admin');
    await addMember(srv.baton.store, o.orgId, m.id, 'member');
    const promote = await patch(o.orgId, m.id, 'owner', { cookie: admin.cookie });
    expect(promote.status).toBe(403);
    expectServed('PATCH', MU, 403, promote.body);
    expect(promote.body.error).toMatch(/Only an owner can make someone an owner/);
    const demoteOwner = await patch(o.orgId, o.id, 'member', { cookie: admin.cookie });
    expect(demoteOwner.status).toBe(403);
    expect(demoteOwner.body.error).toMatch(/Only an owner can change an owner's role/);
    expect((await patch(o.orgId, admin.id, 'owner', { cookie: admin.cookie })).status).toBe(403);
    // An admin may change non-owners, other admins included.
    expect((await patch(o.orgId, m.id, 'viewer', { cookie: admin.cookie })).status).toBe(200);

    const last = await patch(o.orgId, o.id, 'admin', { cookie: o.cookie });
    expect(last.status).toBe(409);
    expectServed('PATCH', MU, 409, last.body);
    expect(last.body.error).toMatch(/last owner/);
    expect((await patch(o.orgId, m.id, 'owner', { cookie: o.cookie })).status).toBe(200);
    // Two owners now: either may step down, but not both.
    expect((await patch(o.orgId, o.id, 'admin', { cookie: o.cookie })).status).toBe(200);
    expect((await patch(o.orgId, m.id, 'member', { cookie: m.cookie })).status).toBe(409);
    expect((await members(o.orgId, { cookie: m.cookie })).filter((x) => x.role === 'owner').map((x) => x.userId)).toEqual([m.id]);
  });

  it('answers 403 to a member, 404 to a stranger or an unknown member, 401 anonymously, 400 to a bad role', async () => {
    const o = await freshOrg();
    const m = await createUser(call);
    const v = await createUser(call);
    await addMember(srv.baton.store, o.orgId, m.id, 'member');
    await addMember(srv.baton.store, o.orgId, v.id, 'viewer');
    const asMember = await patch(o.orgId, v.id, 'member', { cookie: m.cookie });
    expect(asMember.status).toBe(403);
    expectServed('PATCH', MU, 403, asMember.body);
    const asStranger = await patch(o.orgId, v.id, 'admin', { cookie: stranger.cookie });
    expect(asStranger.status).toBe(404);
    expectServed('PATCH', MU, 404, asStranger.body);
    // Someone in another org (the stranger) is no member here: 404, not a way to reach them.
    const notHere = await patch(o.orgId, stranger.id, 'viewer', { cookie: o.cookie });
    expect(notHere.status).toBe(404);
    expect(notHere.body.error).toMatch(/Member not found/);
    expect((await patch(stranger.orgId, stranger.id, 'viewer', { cookie: o.cookie })).status).toBe(404);
    const anon = await patch(o.orgId, v.id, 'admin', {});
    expect(anon.status).toBe(401);
    expectServed('PATCH', MU, 401, anon.body);
    const bad = await patch(o.orgId, v.id, 'emperor', { cookie: o.cookie });
    expect(bad.status).toBe(400);
    expectServed('PATCH', MU, 400, bad.body);
    expect(bad.body.error).toMatch(/^role: /);
  });
});

// --- removal and leaving -------------------------------------------------------------------------

describe('DELETE /orgs/{id}/members/{userId}', () => {
  it("removes a member: their session and mk key lose the org at once, their keys stay dead (happy)", async () => {
    const o = await freshOrg();
    const project = await createProject(call, { cookie: o.cookie });
    const admin = await createUser(call);
    await addMember(srv.baton.store, o.orgId, admin.id, 'admin');
    const m = await joinNew(o, 'member', 'Remy');
    const mk = await createApiKey(call, m, 'mk_live', { orgId: o.orgId });
    const fr = await createApiKey(call, m, 'fr');
    expect((await call('GET', `/api/v1/orgs/${o.orgId}`, { token: mk.key })).status).toBe(200);
    expect((await call('GET', `/api/v1/projects/${project.id}`, { cookie: m.cookie })).status).toBe(200);
    const relayBefore = await call('GET', '/relay/api/v1/projects', { token: fr.key });
    expect(JSON.stringify(relayBefore.body)).toContain(project.id);

    const res = await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${m.id}`, { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expectServed('DELETE', MU, 200, res.body);
    expect(res.body.data).toEqual({ deleted: true, id: m.id });

    expect((await call('GET', `/api/v1/orgs/${o.orgId}`, { cookie: m.cookie })).status).toBe(404);
    expect((await call('GET', `/api/v1/projects/${project.id}`, { cookie: m.cookie, headers: { 'x-org-id': o.orgId } })).status).toBe(404);
    expect((await call('GET', `/api/v1/orgs/${o.orgId}/members`, { cookie: m.cookie })).status).toBe(404);
    const keyAfter = await call('GET', `/api/v1/orgs/${o.orgId}`, { token: mk.key });
    expect(keyAfter.status).toBe(401);
    expectErrorBody(keyAfter.body);
    const relayAfter = await call('GET', '/relay/api/v1/projects', { token: fr.key });
    expect(relayAfter.status).toBe(200);
    expect(JSON.stringify(relayAfter.body)).not.toContain(project.id);
    expect((await members(o.orgId, { cookie: o.cookie })).map((x) => x.userId)).not.toContain(m.id);

    const events = await orgEvents(o.orgId, 'member.removed');
    expect(events.map(payloadOf)).toEqual([{ userId: m.id, email: m.email, role: 'member', removedByUserId: admin.id, reason: 'removed' }]);

    // Invited back, the old key stays revoked.
    const { token } = await inviteAndToken({ cookie: o.cookie }, o.orgId, m.email, 'member');
    expect((await accept(token, { cookie: m.cookie })).status).toBe(200);
    expect((await call('GET', `/api/v1/orgs/${o.orgId}`, { cookie: m.cookie })).status).toBe(200);
    expect((await call('GET', `/api/v1/orgs/${o.orgId}`, { token: mk.key })).status).toBe(401);
  });

  it('only an owner removes an owner; the last owner cannot be removed (409)', async () => {
    const o = await freshOrg();
    const admin = await createUser(call);
    const co = await createUser(call);
    await addMember(srv.baton.store, o.orgId, admin.id, 'admin');
    await addMember(srv.baton.store, o.orgId, co.id, 'owner');
    const byAdmin = await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${co.id}`, { cookie: admin.cookie });
    expect(byAdmin.status).toBe(403);
    expectServed('DELETE', MU, 403, byAdmin.body);
    expect(byAdmin.body.error).toMatch(/Only an owner can remove an owner/);
    // An admin may remove another admin, or themself.
    const admin2 = await createUser(call);
    await addMember(srv.baton.store, o.orgId, admin2.id, 'admin');
    expect((await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${admin2.id}`, { cookie: admin.cookie })).status).toBe(200);
    expect((await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${co.id}`, { cookie: o.cookie })).status).toBe(200);
    const self = await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${o.id}`, { cookie: o.cookie });
    expect(self.status).toBe(409);
    expectServed('DELETE', MU, 409, self.body);
    expect(self.body.error).toMatch(/last owner/);
    expect((await call('GET', `/api/v1/orgs/${o.orgId}`, { cookie: o.cookie })).status).toBe(200);
  });

  it('answers 403 to a member, 404 to a stranger or an unknown member, 401 anonymously', async () => {
    const o = await freshOrg();
    const m = await createUser(call);
    const v = await createUser(call);
    await addMember(srv.baton.store, o.orgId, m.id, 'member');
    await addMember(srv.baton.store, o.orgId, v.id, 'viewer');
    const asMember = await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${v.id}`, { cookie: m.cookie });
    expect(asMember.status).toBe(403);
    expectServed('DELETE', MU, 403, asMember.body);
    const asStranger = await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${v.id}`, { cookie: stranger.cookie });
    expect(asStranger.status).toBe(404);
    expectServed('DELETE', MU, 404, asStranger.body);
    const strangerViaOwnOrg = await call('DELETE', `/api/v1/orgs/${stranger.orgId}/members/${v.id}`, { cookie: stranger.cookie });
    expect(strangerViaOwnOrg.status).toBe(404);
    expect((await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${stranger.id}`, { cookie: o.cookie })).status).toBe(404);
    const anon = await call('DELETE', `/api/v1/orgs/${o.orgId}/members/${v.id}`);
    expect(anon.status).toBe(401);
    expectServed('DELETE', MU, 401, anon.body);
    expect((await members(o.orgId, { cookie: o.cookie })).map((x) => x.userId).sort()).toEqual([o.id, m.id, v.id].sort());
  });
});

describe('POST /orgs/{id}/leave', () => {
  it('lets any member leave, recorded as member.removed (happy)', async () => {
    const o = await freshOrg();
    const v = await joinNew(o, 'viewer', 'Vic');
    const mk = await createApiKey(call, v, 'mk_test', { orgId: o.orgId });
    const res = await call('POST', `/api/v1/orgs/${o.orgId}/leave`, { cookie: v.cookie });
    expect(res.status).toBe(200);
    expectServed('POST', LEAVE, 200, res.body);
    expect(res.body.data).toEqual({ left: true, id: o.orgId });
    expect((await call('GET', `/api/v1/orgs/${o.orgId}`, { cookie: v.cookie })).status).toBe(404);
    expect((await call('GET', `/api/v1/orgs/${o.orgId}`, { token: mk.key })).status).toBe(401);
    // Invited accounts have no org of their own: this one now belongs to none.
    expect((await call('GET', '/api/v1/orgs', { cookie: v.cookie })).body.data.organizations).toEqual([]);
    const events = await orgEvents(o.orgId, 'member.removed');
    expect(events.map(payloadOf)).toEqual([{ userId: v.id, email: v.email, role: 'viewer', removedByUserId: v.id, reason: 'left' }]);
    const again = await call('POST', `/api/v1/orgs/${o.orgId}/leave`, { cookie: v.cookie });
    expect(again.status).toBe(404);
    expectServed('POST', LEAVE, 404, again.body);
  });

  it('the last owner cannot leave (409); with a second owner, an owner may', async () => {
    const o = await freshOrg();
    const last = await call('POST', `/api/v1/orgs/${o.orgId}/leave`, { cookie: o.cookie });
    expect(last.status).toBe(409);
    expectServed('POST', LEAVE, 409, last.body);
    expect(last.body.error).toMatch(/You are the last owner/);
    const co = await joinNew(o, 'owner', 'Cora');
    expect((await call('POST', `/api/v1/orgs/${o.orgId}/leave`, { cookie: o.cookie })).status).toBe(200);
    expect((await call('POST', `/api/v1/orgs/${o.orgId}/leave`, { cookie: co.cookie })).status).toBe(409);
  });

  it('two owners leaving at once: one leaves, the other is told they are the last owner', async () => {
    const o = await freshOrg();
    const co = await createUser(call);
    await addMember(srv.baton.store, o.orgId, co.id, 'owner');
    const results = await Promise.all([o, co].map((u) => call('POST', `/api/v1/orgs/${o.orgId}/leave`, { cookie: u.cookie })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const owners = await serverSql(srv).all<{ user_id: string }>("SELECT user_id FROM memberships WHERE org_id = ? AND role = 'owner'", o.orgId);
    expect(owners).toHaveLength(1);
  });

  it('answers 404 to a stranger and 401 anonymously', async () => {
    const res = await call('POST', `/api/v1/orgs/${owner.orgId}/leave`, { cookie: stranger.cookie });
    expect(res.status).toBe(404);
    expectServed('POST', LEAVE, 404, res.body);
    const anon = await call('POST', `/api/v1/orgs/${owner.orgId}/leave`);
    expect(anon.status).toBe(401);
    expectServed('POST', LEAVE, 401, anon.body);
  });
});

describe('no request above logged a server error', () => {
  it('has an empty error log', () => {
    expect(srv.loggedErrors).toEqual([]);
  });
});

// --- the SMTP path -------------------------------------------------------------------------------

describe('invitation mail over SMTP', () => {
  it('goes out through BATON_SMTP_URL after the commit, and is kept in the outbox', async () => {
    const received: Array<{ to: string[]; data: string }> = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
          cb();
        });
      },
    });
    const port = await new Promise<number>((resolve) => {
      const probe = createNetServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
    const mailed = await startTestServer({ BATON_SMTP_URL: `smtp://127.0.0.1:${port}`, BATON_PUBLIC_URL: PUBLIC_URL });
    try {
      const c = client(mailed.url);
      const o = await createUser(c);
      const email = newEmail('smtp');
      const res = await c('POST', `/api/v1/orgs/${o.orgId}/invitations`, { cookie: o.cookie, body: { email, role: 'member' } });
      expect(res.status).toBe(201);
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
      expect(received[0]!.to).toEqual([email]);
      const [row] = await listOutbox(mailed.baton.core, 1);
      expect(row).toMatchObject({ to: email, transport: 'smtp', error: null });
      const token = row!.text.match(tokenRe)![1]!;
      // Quoted-printable folds long lines ("=" at a line's end): unfold before looking for the link.
      const body = received[0]!.data.replace(/=\r?\n/g, '');
      expect(body).toContain(`${PUBLIC_URL}/invitations/${token}`);
      expect(received[0]!.data).toMatch(/Subject: You are invited to join/);
      expect((await c('POST', `/api/v1/invitations/${token}/accept`, { body: { name: 'Sam', password: 'smtp-password' } })).status).toBe(200);
    } finally {
      await mailed.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
