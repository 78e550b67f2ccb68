import { Lucia, TimeSpan } from 'lucia';
import { DrizzleSQLiteAdapter } from '@lucia-auth/adapter-drizzle';
import { sessions, users, type DB } from '@baton/db';

export const SESSION_COOKIE_NAME = 'mk_session';

/** Lucia 3 is in maintenance: it stays behind this module, so replacing it touches nothing else. */
export function createLucia(db: DB) {
  return new Lucia(new DrizzleSQLiteAdapter(db, sessions, users), {
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

export function createSessionAuth(db: DB): SessionAuth {
  const lucia = createLucia(db);
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
