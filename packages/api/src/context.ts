import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CoreContext } from '@baton/core';
import { isHttps, resolveCredentials, type FailureThrottle, type RequestLimiter, type ResolvedActor, type SessionAuth } from '@baton/auth';

/** Long-lived services shared by every request; built once at start-up. */
export interface ApiDeps {
  core: CoreContext;
  sessions: SessionAuth;
  loginThrottle: FailureThrottle;
  relayLimiter: RequestLimiter;
  /** Flow Relay requests per user across all of their keys, so minting more keys does not lift the limit. */
  relayUserLimiter: RequestLimiter;
  /** Password-reset mails per email address, so the endpoint cannot be used to flood an inbox. */
  resetMailLimiter: RequestLimiter;
  /** Trust X-Forwarded-For / X-Forwarded-Proto from a reverse proxy. */
  trustProxy: boolean;
  /** BATON_DEV: stack traces in /trpc error responses. Off unless set explicitly (NODE_ENV does not count). */
  devErrors: boolean;
}

export type Surface = 'mk' | 'relay' | 'trpc';

export interface Context {
  deps: ApiDeps;
  core: CoreContext;
  surface: Surface;
  actor: ResolvedActor | null;
  /** Why presented credentials were rejected, for the 401 message. */
  credentialError: string | null;
  /** X-Org-Id: which of the user's orgs a cookie request acts on. */
  requestedOrgId: string | null;
  ip: string;
  secure: boolean;
  setHeader(name: string, value: string | string[]): void;
  appendCookie(cookie: string): void;
}

export interface InnerContextInput {
  deps: ApiDeps;
  surface: Surface;
  actor?: ResolvedActor | null;
  credentialError?: string | null;
  requestedOrgId?: string | null;
  ip?: string;
  secure?: boolean;
  res?: ServerResponse;
}

/** For tests, the CLI and jobs: a context without an HTTP request. */
export function createContextInner(input: InnerContextInput): Context {
  const res = input.res;
  const cookies: string[] = [];
  return {
    deps: input.deps,
    core: input.deps.core,
    surface: input.surface,
    actor: input.actor ?? null,
    credentialError: input.credentialError ?? null,
    requestedOrgId: input.requestedOrgId ?? null,
    ip: input.ip ?? '127.0.0.1',
    secure: input.secure ?? false,
    setHeader: (name, value) => res?.setHeader(name, value),
    appendCookie: (cookie) => {
      cookies.push(cookie);
      res?.setHeader('Set-Cookie', cookies);
    },
  };
}

export function requestIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = req.headers['x-forwarded-for'];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

export async function createContext(deps: ApiDeps, surface: Surface, req: IncomingMessage, res: ServerResponse): Promise<Context> {
  const secure = isHttps(req, deps.trustProxy);
  const creds = await resolveCredentials(deps.core.store, deps.sessions, {
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
    surface: surface === 'relay' ? 'relay' : surface === 'mk' ? 'mk' : 'trpc',
    secure,
  });
  const orgHeader = req.headers['x-org-id'];
  const ctx = createContextInner({
    deps,
    surface,
    actor: creds.ok ? creds.actor : null,
    credentialError: creds.ok ? null : creds.reason,
    requestedOrgId: (Array.isArray(orgHeader) ? orgHeader[0] : orgHeader) || null,
    ip: requestIp(req, deps.trustProxy),
    secure,
    res,
  });
  if (creds.ok && creds.actor?.refreshCookie) ctx.appendCookie(creds.actor.refreshCookie);
  return ctx;
}
