import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createNetServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { serverSql, serverWrite, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { client, type Call } from '../../../test/helpers/client.ts';
import { expectErrorBody, expectMkContract } from '../../../test/helpers/contract.ts';
import { createUser, sessionCookie } from '../../../test/helpers/factories.ts';
import { listOutbox } from '@baton/core';

let srv: TestServer;
let call: Call;

beforeAll(async () => {
  srv = await startTestServer();
  call = client(srv.url);
});
afterAll(() => srv.close());

const resetTokenFromOutbox = async (email: string) => {
  const mail = (await listOutbox(srv.baton.core, 50)).find((m) => m.to === email);
  const token = mail?.text.match(/token=([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error(`no reset mail for ${email}`);
  return token;
};

describe('POST /auth/register', () => {
  it('creates the user and an org named after them (happy)', async () => {
    const res = await call('POST', '/api/v1/auth/register', { body: { email: 'Ada@Example.test', password: 'correct horse', name: 'Ada' } });
    expect(res.status).toBe(201);
    expectMkContract('POST', '/auth/register', 201, res.body);
    expect(res.body.data.user).toMatchObject({ email: 'ada@example.test', name: 'Ada' });
    expect(res.body.data.organization).toMatchObject({ name: "Ada's Organization", slug: 'adas-organization' });
  });

  it('uses orgName when given', async () => {
    const res = await call('POST', '/api/v1/auth/register', { body: { email: 'grace@example.test', password: 'password12', name: 'Grace', orgName: 'Navy Labs' } });
    expect(res.status).toBe(201);
    expect(res.body.data.organization.name).toBe('Navy Labs');
  });

  it('answers 409 to a duplicate email, whatever its case', async () => {
    await createUser(call, { email: 'dup@example.test' });
    const res = await call('POST', '/api/v1/auth/register', { body: { email: 'DUP@example.test', password: 'password12', name: 'Dup' } });
    expect(res.status).toBe(409);
    expectErrorBody(res.body);
  });

  it('answers 400 naming each bad field', async () => {
    const res = await call('POST', '/api/v1/auth/register', { body: { email: 'not-an-email', password: 'short' } });
    expect(res.status).toBe(400);
    expectErrorBody(res.body);
    expect(res.body.error).toMatch(/email: /);
    expect(res.body.error).toMatch(/password: /);
    expect(res.body.error).toMatch(/name: /);
  });

  it('answers 400 to malformed JSON and to a non-JSON body', async () => {
    const bad = await call('POST', '/api/v1/auth/register', { raw: '{"email": ' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'Malformed JSON in request body' });
    const form = await call('POST', '/api/v1/auth/register', { raw: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
    expectErrorBody(form.body);
  });
});

describe('POST /auth/login', () => {
  it('sets an HttpOnly, SameSite=Lax mk_session cookie (happy)', async () => {
    const u = await createUser(call);
    const res = await call('POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(res.status).toBe(200);
    expectMkContract('POST', '/auth/login', 200, res.body);
    expect(res.body.data.user).toEqual({ id: u.id, email: u.email, name: u.name });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('mk_session='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).not.toMatch(/Secure/i); // plain http here
    const orgs = await call('GET', '/api/v1/orgs', { cookie: sessionCookie(res.headers) });
    expect(orgs.status).toBe(200);
  });

  it('marks the cookie Secure behind an https proxy when proxies are trusted', async () => {
    const proxied = await startTestServer({ BATON_TRUST_PROXY: 'true' });
    try {
      const c = client(proxied.url);
      const u = await createUser(c);
      const res = await c('POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password }, headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers.getSetCookie().find((s) => s.startsWith('mk_session='))).toMatch(/; Secure/i);
    } finally {
      await proxied.close();
    }
  });

  it('answers 401 to a wrong password and to an unknown email, alike', async () => {
    const u = await createUser(call);
    const wrong = await call('POST', '/api/v1/auth/login', { body: { email: u.email, password: 'nope-nope' } });
    const unknown = await call('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.test', password: 'nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expectErrorBody(wrong.body);
  });

  it('answers 400 to a malformed body', async () => {
    const res = await call('POST', '/api/v1/auth/login', { body: { email: 42 } });
    expect(res.status).toBe(400);
    expectErrorBody(res.body);
  });

  it('refuses further attempts with 429 after repeated failures for one email, even with the right password', async () => {
    const u = await createUser(call);
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/api/v1/auth/login', { body: { email: u.email, password: `wrong-${i}-pw` } });
      expect(r.status).toBe(401);
    }
    const blocked = await call('POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect(blocked.status).toBe(429);
    expectErrorBody(blocked.body);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same client is not locked by it.
    const other = await createUser(call);
    const ok = await call('POST', '/api/v1/auth/login', { body: { email: other.email, password: other.password } });
    expect(ok.status).toBe(200);
  });
});

describe('POST /auth/logout', () => {
  it('ends the session server-side (happy)', async () => {
    const u = await createUser(call);
    const res = await call('POST', '/api/v1/auth/logout', { cookie: u.cookie });
    expect(res.status).toBe(200);
    expectMkContract('POST', '/auth/logout', 200, res.body);
    expect(res.body.data.loggedOut).toBe(true);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('mk_session='))).toMatch(/Max-Age=0/);
    // The old cookie no longer works, even if a client keeps sending it.
    const after = await call('GET', '/api/v1/orgs', { cookie: u.cookie });
    expect(after.status).toBe(401);
    expectErrorBody(after.body);
  });

  it('answers 401 without a session, and with only an API key', async () => {
    const none = await call('POST', '/api/v1/auth/logout');
    expect(none.status).toBe(401);
    expectErrorBody(none.body);
    const u = await createUser(call);
    const key = await call('POST', '/api/v1/api-keys', { cookie: u.cookie, body: { name: 'ci', kind: 'mk_test' } });
    const withKey = await call('POST', '/api/v1/auth/logout', { token: key.body.data.key });
    expect(withKey.status).toBe(401);
  });
});

describe('password reset', () => {
  it('forgot-password answers 200 with the same body for known and unknown emails', async () => {
    const u = await createUser(call);
    const known = await call('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
    const unknown = await call('POST', '/api/v1/auth/forgot-password', { body: { email: 'ghost@example.test' } });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expectMkContract('POST', '/auth/forgot-password', 200, known.body);
    expect(known.body).toEqual(unknown.body);
    expect((await listOutbox(srv.baton.core, 100)).some((m) => m.to === 'ghost@example.test')).toBe(false);
  });

  it('sends at most 3 reset mails per address in 15 minutes, answering the same every time', async () => {
    const u = await createUser(call);
    const bodies = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
      expect(res.status).toBe(200);
      bodies.push(res.body);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect((await listOutbox(srv.baton.core, 200)).filter((m) => m.to === u.email)).toHaveLength(3);
  });

  it('forgot-password answers 400 to a bad email', async () => {
    const res = await call('POST', '/api/v1/auth/forgot-password', { body: { email: 'nope' } });
    expect(res.status).toBe(400);
    expectErrorBody(res.body);
  });

  it('a reset token works exactly once, changes the password and ends old sessions', async () => {
    const u = await createUser(call);
    await call('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
    const token = await resetTokenFromOutbox(u.email);
    const reset = await call('POST', '/api/v1/auth/reset-password', { body: { token, password: 'brand-new-password' } });
    expect(reset.status).toBe(200);
    expectMkContract('POST', '/auth/reset-password', 200, reset.body);

    const again = await call('POST', '/api/v1/auth/reset-password', { body: { token, password: 'another-password' } });
    expect(again.status).toBe(400);
    expectMkContract('POST', '/auth/reset-password', 400, again.body);
    expectErrorBody(again.body);

    expect((await call('GET', '/api/v1/orgs', { cookie: u.cookie })).status).toBe(401);
    expect((await call('POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } })).status).toBe(401);
    expect((await call('POST', '/api/v1/auth/login', { body: { email: u.email, password: 'brand-new-password' } })).status).toBe(200);
  });

  it('rejects an unknown token and an expired one with 400', async () => {
    const res = await call('POST', '/api/v1/auth/reset-password', { body: { token: 'made-up-token', password: 'password123' } });
    expect(res.status).toBe(400);
    expectErrorBody(res.body);

    const u = await createUser(call);
    await call('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
    const token = await resetTokenFromOutbox(u.email);
    // Age the token past its hour by rewriting its expiry in the real database.
    await serverWrite(srv, 'UPDATE password_reset_tokens SET expires_at = ? WHERE user_id = ?', new Date(Date.now() - 1000).toISOString(), u.id);
    const expired = await call('POST', '/api/v1/auth/reset-password', { body: { token, password: 'password123' } });
    expect(expired.status).toBe(400);
  });

  it('stores only a hash of the token, expiring in one hour', async () => {
    const u = await createUser(call);
    const before = Date.now();
    await call('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
    const token = await resetTokenFromOutbox(u.email);
    const rows = await serverSql(srv).all<{ token_hash: string; expires_at: string }>('SELECT token_hash, expires_at FROM password_reset_tokens WHERE user_id = ?', u.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toContain(token);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const ttl = Date.parse(rows[0]!.expires_at) - before;
    expect(ttl).toBeGreaterThan(59 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000 + 5_000);
  });
});

describe('reset mail over SMTP', () => {
  it('sends through BATON_SMTP_URL when it is set (fake SMTP server on 127.0.0.1)', async () => {
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
      // Find a free port first, then hand it to the SMTP server.
      const probe = createNetServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
    const mailed = await startTestServer({ BATON_SMTP_URL: `smtp://127.0.0.1:${port}`, BATON_MAIL_FROM: 'Baton <noreply@example.test>' });
    try {
      const c = client(mailed.url);
      const u = await createUser(c);
      const res = await c('POST', '/api/v1/auth/forgot-password', { body: { email: u.email } });
      expect(res.status).toBe(200);
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
      expect(received[0]!.to).toEqual([u.email]);
      const [row] = await listOutbox(mailed.baton.core, 1);
      expect(row).toMatchObject({ to: u.email, transport: 'smtp', error: null });
      const token = row!.text.match(/token=([A-Za-z0-9_-]+)/)![1]!;
      // The body is quoted-printable and may fold the link, but the bare token line stays whole.
      expect(received[0]!.data).toContain(token);
      expect(received[0]!.data).toMatch(/Subject: Reset your Baton password/);
    } finally {
      await mailed.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
