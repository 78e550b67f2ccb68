import { Lucia, TimeSpan, type Adapter, type DatabaseSession } from 'lucia';
import { eq, lte } from 'drizzle-orm';
import { sessions, users, type Store } from '@baton/db';

export const SESSION_COOKIE_NAME = 'mk_session';

/**
 * Lucia's storage on either engine: reads on the store's reader, writes as units of work. (The
 * drizzle adapter package has one class per dialect and writes outside Baton's units.) Sessions keep
 * the shape that adapter used: expires_at in unix seconds.
 */
export function createSessionAdapter(store: Store): Adapter {
  const toSession = (r: { id: string; userId: string; expiresAt: number }): DatabaseSession => ({
    id: r.id,
    userId: r.userId,
    expiresAt: new Date(r.expiresAt * 1000),
    attributes: {},
  });
  const write = (fn: (db: Store['reader']) => Promise<unknown>) => store.unit(async (db) => void (await fn(db)), 'session');
  return {
    async getSessionAndUser(sessionId) {
      const [row] = await store.reader
        .select({ id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt, user: users.id })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.id, sessionId));
      return row ? [toSession(row), { id: row.user, attributes: {} }] : [null, null];
    },
    async getUserSessions(userId) {
      return (await store.reader.select().from(sessions).where(eq(sessions.userId, userId))).map(toSession);
    },
    setSession: (s) => write((db) => db.insert(sessions).values({ id: s.id, userId: s.userId, expiresAt: Math.floor(s.expiresAt.getTime() / 1000) })),
    updateSessionExpiration: (id, expiresAt) =>
      write((db) => db.update(sessions).set({ expiresAt: Math.floor(expiresAt.getTime() / 1000) }).where(eq(sessions.id, id))),
    deleteSession: (id) => write((db) => db.delete(sessions).where(eq(sessions.id, id))),
    deleteUserSessions: (userId) => write((db) => db.delete(sessions).where(eq(sessions.userId, userId))),
    deleteExpiredSessions: () => write((db) => db.delete(sessions).where(lte(sessions.expiresAt, Math.floor(Date.now() / 1000)))),
  };
}

/** Lucia 3 is in maintenance: it stays behind this module, so replacing it touches nothing else. */
export function createLucia(store: Store) {
  return new Lucia(createSessionAdapter(store), {
    sessionExpiresIn: new TimeSpan(30, 'd'),
    sessionCookie: {
      name: SESSION_COOKIE_NAME,
      attributes: { sameSite: 'lax', path: '/' },
    },
  });
}

export type BatonLucia = ReturnType<typeof createLucia>;

export interface SessionAuth {
  lucia: BatonLucia;
  createSessionCookie(userId: string, secure: boolean): Promise<string>;
  /** Set-Cookie value for an existing session (used when Lucia extends it). */
  sessionCookie(sessionId: string, secure: boolean): string;
  blankSessionCookie(secure: boolean): string;
  /** The user id behind a session id, or null; also says when the cookie should be refreshed. */
  validate(sessionId: string): Promise<{ userId: string; sessionId: string; fresh: boolean } | null>;
  invalidate(sessionId: string): Promise<void>;
}

export function createSessionAuth(store: Store): SessionAuth {
  const lucia = createLucia(store);
  const withSecure = (cookie: ReturnType<BatonLucia['createBlankSessionCookie']>, secure: boolean) => {
    // HttpOnly and SameSite=Lax always; Secure only over https, so plain-http self-hosting still works.
    cookie.attributes.secure = secure;
    cookie.attributes.httpOnly = true;
    return cookie.serialize();
  };
  return {
    lucia,
    async createSessionCookie(userId, secure) {
      const session = await lucia.createSession(userId, {});
      return withSecure(lucia.createSessionCookie(session.id), secure);
    },
    sessionCookie: (sessionId, secure) => withSecure(lucia.createSessionCookie(sessionId), secure),
    blankSessionCookie: (secure) => withSecure(lucia.createBlankSessionCookie(), secure),
    async validate(sessionId) {
      const { session } = await lucia.validateSession(sessionId);
      return session ? { userId: session.userId, sessionId: session.id, fresh: session.fresh } : null;
    },
    invalidate: (sessionId) => lucia.invalidateSession(sessionId),
  };
}
