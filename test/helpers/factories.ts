import { randomUUID } from 'node:crypto';
import { memberships, type Store } from '@baton/db';
import type { Call } from './client.ts';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
  orgId: string;
  /** `mk_session=…`, ready for a Cookie header. */
  cookie: string;
}

let seq = 0;
const unique = () => `${Date.now().toString(36)}${(++seq).toString(36)}${randomUUID().slice(0, 4)}`;

/** Registers and signs in a user through the real API. Every field can be overridden. */
export async function createUser(call: Call, overrides: Partial<{ email: string; password: string; name: string; orgName: string }> = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${unique()}@example.test`;
  const password = overrides.password ?? `pw-${unique()}`;
  const name = overrides.name ?? `User ${unique()}`;
  const reg = await call('POST', '/api/v1/auth/register', {
    body: { email, password, name, ...(overrides.orgName ? { orgName: overrides.orgName } : {}) },
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await call('POST', '/api/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const cookie = sessionCookie(login.headers);
  return { id: reg.body.data.user.id, email, password, name, orgId: reg.body.data.organization.id, cookie };
}

export function sessionCookie(headers: Headers): string {
  const set = headers.getSetCookie().find((c) => c.startsWith('mk_session='));
  if (!set) throw new Error('no mk_session cookie was set');
  return set.split(';')[0]!;
}

export async function createApiKey(call: Call, user: TestUser, kind: 'mk_live' | 'mk_test' | 'fr', opts: { orgId?: string; name?: string } = {}) {
  const res = await call('POST', '/api/v1/api-keys', {
    cookie: user.cookie,
    body: { name: opts.name ?? `key ${unique()}`, kind },
    headers: opts.orgId ? { 'x-org-id': opts.orgId } : {},
  });
  if (res.status !== 201) throw new Error(`api key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { id: string; key: string; name: string; kind: string; createdAt: string };
}

export async function createProject(call: Call, auth: { cookie?: string; token?: string }, overrides: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/v1/projects', { ...auth, body: { name: `Project ${unique()}`, ...overrides } });
  if (res.status !== 201) throw new Error(`project creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { id: string; orgId: string; name: string; slug: string };
}

/**
 * Adds an existing user to an org with a role, directly through the real database as one unit of
 * work: a shortcut for tests about something else (the invitation flow itself is tested in
 * apps/server/test/members.test.ts).
 */
export async function addMember(
  store: Pick<Store, 'unit'>,
  orgId: string,
  userId: string,
  role: 'owner' | 'admin' | 'member' | 'viewer',
  temporaryAdminUntil: string | null = null,
): Promise<void> {
  await store.unit(async (tx) => {
    await tx.insert(memberships).values({ id: randomUUID(), orgId, userId, role, temporaryAdminUntil, createdAt: new Date().toISOString() });
  }, 'test: add member');
}
