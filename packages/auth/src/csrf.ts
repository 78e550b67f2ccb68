import type { IncomingMessage } from 'node:http';

/**
 * Cross-site request refusal for credentials a browser attaches on its own (the mk_session cookie).
 *
 * A page on another site can make the browser send a state-changing request to Baton with the
 * cookie: a form post, or a `no-cors` fetch, which needs no CORS preflight as long as the content
 * type is absent or one of the form types. Browsers say where such a request comes from: modern ones
 * with `Sec-Fetch-Site`, all of them with `Origin` on any cross-origin POST. A request without
 * either did not come from a browser (curl, an SDK), so it cannot have been forged by a page.
 *
 * Bearer keys are out of scope: a page cannot make the browser attach an Authorization header.
 */

export const CROSS_SITE_REFUSED = 'Cross-site request refused';

export interface SameOriginPolicy {
  /** Trust X-Forwarded-Host / X-Forwarded-Proto for the address the browser used. */
  trustProxy: boolean;
  /** BATON_PUBLIC_URL's origin (`https://baton.example`): what browsers use when a proxy rewrites Host. */
  publicOrigin: string | null;
}

export function createSameOriginPolicy(opts: { trustProxy: boolean; publicUrl?: string | null }): SameOriginPolicy {
  let publicOrigin: string | null = null;
  if (opts.publicUrl) {
    try {
      publicOrigin = new URL(opts.publicUrl).origin;
    } catch {
      publicOrigin = null;
    }
  }
  return { trustProxy: opts.trustProxy, publicOrigin };
}

/** GET, HEAD and OPTIONS change nothing in Baton; everything else may. */
export const isSafeMethod = (method: string | undefined): boolean => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim() || undefined;

/** Whether the connection (or, behind a trusted proxy, the browser's) is HTTPS. */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return trustProxy && first(req.headers['x-forwarded-proto']) === 'https';
}

/** The origin this request was addressed to, as the browser saw it: scheme and Host (or the proxy's forwarded host). */
export function ownOrigin(req: IncomingMessage, trustProxy: boolean): string | null {
  const host = (trustProxy && first(req.headers['x-forwarded-host'])) || req.headers.host;
  if (!host) return null;
  const scheme = isHttps(req, trustProxy) ? 'https' : 'http';
  try {
    // Normalizes case and drops a default port (`Host: example.com:443`), as the Origin header does.
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null;
  }
}

function isOwnOrigin(origin: string, req: IncomingMessage, policy: SameOriginPolicy): boolean {
  // `Origin: null` (sandboxed frames, file: pages, some redirects) is nobody's own origin.
  if (origin === 'null') return false;
  let normalized: string;
  try {
    normalized = new URL(origin).origin;
  } catch {
    return false;
  }
  return normalized === policy.publicOrigin || normalized === ownOrigin(req, policy.trustProxy);
}

/**
 * True when a browser sent this request on behalf of another site. Call it only for unsafe methods
 * carrying no bearer key. `Sec-Fetch-Site` is computed by the browser and cannot be set by a page,
 * so `same-origin` is believed even when a proxy has rewritten Host; without it, Origin decides.
 */
export function isCrossSiteRequest(req: IncomingMessage, policy: SameOriginPolicy): boolean {
  const site = first(req.headers['sec-fetch-site']);
  if (site === 'same-origin' || site === 'none') return false;
  if (site === 'cross-site') return true;
  const origin = first(req.headers.origin);
  // No Origin and no Sec-Fetch-Site: not a browser (browsers send Origin on every cross-origin POST).
  if (origin === undefined) return site !== undefined;
  // `same-site` (a sibling subdomain) or an older browser: only our own origin may change state.
  return !isOwnOrigin(origin, req, policy);
}

/** `application/json`, with or without parameters such as a charset. */
export const isJsonContentType = (ct: string | undefined): boolean => ct !== undefined && /^application\/json\s*(;|$)/i.test(ct);
