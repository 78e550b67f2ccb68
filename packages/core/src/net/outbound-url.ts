import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/*
 * The one guard for URLs that users type in and Baton then calls (deploy hooks, health URLs, and
 * later webhooks and integrations): a user must not be able to make the server reach its own
 * loopback, the private network it sits in, or the cloud metadata service (SSRF).
 *
 * It checks twice. When a URL is saved, checkOutboundUrl refuses what is bad on its face (a literal
 * IP in a refused range, `localhost`, credentials, another scheme) without DNS, so a name that does
 * not resolve yet can still be saved. When it is called, safeFetch resolves the name, refuses it if
 * ANY address is refused, and connects to exactly the addresses it checked (a pinned lookup), so a
 * second resolution cannot rebind the name to 127.0.0.1. Redirects are followed by hand, each hop
 * checked the same way.
 *
 * Operator settings (BATON_LLM_URL, fake-service base URLs) are trusted and do not go through here.
 */

/** What an operator sets to let user-entered URLs reach private addresses (on-prem deploy hooks). */
export const ALLOW_PRIVATE_URLS_HINT = 'set BATON_ALLOW_PRIVATE_URLS=true to allow it';

export interface OutboundPolicy {
  /** Allow loopback, private (RFC 1918, CGNAT, ULA) and link-local targets. Metadata endpoints stay refused. */
  allowPrivate: boolean;
}

export interface OutboundRefusal {
  /** e.g. "address 10.0.0.5 is private", "host localhost is loopback", "must use http or https". */
  reason: string;
  /** True when BATON_ALLOW_PRIVATE_URLS=true would allow it. */
  overridable: boolean;
}

export type OutboundCheck = ({ ok: true; url: URL } | ({ ok: false } & OutboundRefusal));

/** A refused outbound call; its message is safe to show to the user who configured the URL. */
export class OutboundUrlError extends Error {
  override readonly name = 'OutboundUrlError';
  readonly reason: string;
  readonly overridable: boolean;
  constructor(
    refusal: OutboundRefusal,
    readonly url: string,
  ) {
    super(describeRefusal(refusal));
    this.reason = refusal.reason;
    this.overridable = refusal.overridable;
  }
}

/** "address 10.0.0.5 is private; set BATON_ALLOW_PRIVATE_URLS=true to allow it" (the hint only where it would help). */
export function describeRefusal(r: OutboundRefusal): string {
  return r.overridable ? `${r.reason}; ${ALLOW_PRIVATE_URLS_HINT}` : r.reason;
}

type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'private (carrier-grade NAT)'
  | 'private (unique local)'
  | 'link-local'
  | 'a cloud metadata endpoint'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** Ranges an operator may open with allowPrivate; everything else that is not public is never reachable. */
const OVERRIDABLE: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'private (carrier-grade NAT)', 'private (unique local)', 'link-local']);

// AWS/GCP/Azure/OpenStack (169.254.169.254), AWS ECS task metadata, AWS IPv6 IMDS, Alibaba Cloud.
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200']);
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
const LOOPBACK_HOSTS = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

const V4_CLASS: Record<string, AddressClass> = {
  unicast: 'public',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'private (carrier-grade NAT)',
  private: 'private',
  // reserved, as112, amt and anything a later ipaddr.js adds: not a place a hook lives.
};

const V6_CLASS: Record<string, AddressClass> = {
  unicast: 'public',
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'private (unique local)',
  deprecatedSiteLocal: 'private',
};

/** Classifies one IP address (v4 or v6, any textual form ipaddr.js accepts). */
export function classifyAddress(address: string): AddressClass {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'reserved';
  }
  if (METADATA_ADDRESSES.has(ip.toNormalizedString()) || METADATA_ADDRESSES.has(ip.toString())) return 'a cloud metadata endpoint';
  if (ip.kind() === 'ipv4') return V4_CLASS[ip.range()] ?? 'reserved';
  const v6 = ip as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) return classifyAddress(embedded.toString());
  const range = v6.range();
  if (range === 'rfc6052') return 'private'; // the local-use NAT64 prefix 64:ff9b:1::/48
  // IPv4-compatible ::a.b.c.d (deprecated) is not matched by any ipaddr.js range; never public.
  if (range === 'unicast' && v6.parts.slice(0, 6).every((p) => p === 0)) return 'reserved';
  return V6_CLASS[range] ?? 'reserved';
}

/** The IPv4 address a v6 address stands for: mapped (::ffff:a.b.c.d), SIIT, NAT64 (64:ff9b::/96) and 6to4. */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  switch (ip.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return fromWords(p[6]!, p[7]!);
    case 'rfc6052':
      return p[0] === 0x64 && p[1] === 0xff9b && p[2] === 0 ? fromWords(p[6]!, p[7]!) : null;
    case '6to4':
      return fromWords(p[1]!, p[2]!);
    default:
      return null;
  }
}

/** Null when `address` may be called under `policy`, else why not. */
export function checkAddress(address: string, policy: OutboundPolicy): OutboundRefusal | null {
  const cls = classifyAddress(address);
  if (cls === 'public') return null;
  const overridable = OVERRIDABLE.has(cls);
  if (overridable && policy.allowPrivate) return null;
  return { reason: `address ${address} is ${cls}`, overridable };
}

/** Lower-case, without the trailing dots that make "localhost." the same name as "localhost". */
function normalizeHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '');
}

function checkHostname(hostname: string, policy: OutboundPolicy): OutboundRefusal | null {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return checkAddress(bare, policy);
  const name = normalizeHostname(bare);
  if (!name) return { reason: 'has no host', overridable: false };
  if (METADATA_HOSTS.has(name)) return { reason: `host ${name} is a cloud metadata endpoint`, overridable: false };
  // RFC 6761: *.localhost always means this machine.
  if (LOOPBACK_HOSTS.has(name) || name.endsWith('.localhost')) return policy.allowPrivate ? null : { reason: `host ${name} is loopback`, overridable: true };
  return null;
}

/**
 * Save-time check, without DNS: the scheme, credentials, literal addresses (in any form the WHATWG
 * parser accepts: http://2130706433/, http://0x7f.1/, http://[::ffff:127.0.0.1]/) and names that
 * always mean this machine or the metadata service.
 */
export function checkOutboundUrl(input: string | URL, policy: OutboundPolicy): OutboundCheck {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'is not a valid URL', overridable: false };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'must use http or https', overridable: false };
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials (user:password@)', overridable: false };
  const refused = checkHostname(url.hostname, policy);
  return refused ? { ok: false, ...refused } : { ok: true, url };
}

export type ResolvedAddress = { address: string; family: number };
/** Resolves a host name to every address it has (like dns.lookup with all: true). */
export type OutboundResolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: OutboundResolver = (hostname) => dnsLookup(hostname, { all: true });
let defaultResolver: OutboundResolver = systemResolver;

/**
 * Replaces the resolver safeFetch uses when none is passed; null restores the system's. For tests
 * (and the machines they run on, which may have no DNS): the code under test stays the real one.
 */
export function setOutboundResolver(resolver: OutboundResolver | null): void {
  defaultResolver = resolver ?? systemResolver;
}

export interface SafeFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
}

export interface SafeFetchOptions extends OutboundPolicy {
  signal?: AbortSignal;
  /** Defaults to the system resolver (dns.lookup), or the one set with setOutboundResolver. */
  resolver?: OutboundResolver;
  /** Redirects followed, each hop checked like the first; 0 returns the 3xx response itself. Default 5. */
  maxRedirects?: number;
  /** The body is read up to this many bytes and cut there. Default 1 MiB. */
  maxResponseBytes?: number;
  /**
   * Origins ("http://127.0.0.1:8080") an operator configured, not a user: they skip the address
   * check. A redirect away from them is checked like any other hop.
   */
  trustedOrigins?: readonly string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);
const CROSS_ORIGIN_DROPPED = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * fetch for user-entered URLs. Throws OutboundUrlError when the URL, any address its host resolves
 * to, or any redirect hop is refused; network failures throw as they would from fetch. Answers a
 * standard Response (with `url` set to the last hop), its body read into memory up to the cap.
 */
export async function safeFetch(input: string | URL, init: SafeFetchInit, opts: SafeFetchOptions): Promise<Response> {
  const maxRedirects = opts.maxRedirects ?? 5;
  const trusted = new Set((opts.trustedOrigins ?? []).map((o) => new URL(o).origin));
  let url = new URL(input);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body ?? null;
  let headers: Record<string, string> = { ...init.headers };
  for (let hop = 0; ; hop++) {
    const addresses = await resolveChecked(url, opts, trusted.has(url.origin)).catch((e: unknown) => {
      if (hop > 0 && e instanceof OutboundUrlError) throw new OutboundUrlError({ reason: `${e.reason} (after a redirect)`, overridable: e.overridable }, e.url);
      throw e;
    });
    const res = await requestOnce(url, addresses, { method, headers, body }, opts);
    const location = res.headers.get('location');
    if (!REDIRECTS.has(res.status) || !location || maxRedirects === 0) return res;
    if (hop >= maxRedirects) throw new Error(`too many redirects (more than ${maxRedirects})`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new OutboundUrlError({ reason: `redirect to an invalid URL (${location.slice(0, 200)})`, overridable: false }, url.href);
    }
    // As fetch does: 303, and 301/302 after a POST, turn into a body-less GET.
    if (res.status === 303 ? method !== 'HEAD' : (res.status === 301 || res.status === 302) && method === 'POST') {
      method = 'GET';
      body = null;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-/i.test(k)));
    }
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CROSS_ORIGIN_DROPPED.includes(k.toLowerCase())));
    url = next;
  }
}

/** The addresses to connect to: all of them checked, or the call is refused. */
async function resolveChecked(url: URL, opts: SafeFetchOptions, trusted: boolean): Promise<ResolvedAddress[]> {
  const checked = checkOutboundUrl(url, trusted ? { allowPrivate: true } : opts);
  if (!checked.ok) throw new OutboundUrlError(checked, url.href);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  if (family) return [{ address: host, family }];
  const resolve = opts.resolver ?? defaultResolver;
  const addresses = await abortable(resolve(host.toLowerCase()), opts.signal);
  if (addresses.length === 0) throw new Error(`${host} did not resolve to any address`);
  if (!trusted) {
    for (const a of addresses) {
      const refused = checkAddress(a.address, opts);
      if (refused) throw new OutboundUrlError({ reason: `${refused.reason} (${host} resolves to it)`, overridable: refused.overridable }, url.href);
    }
  }
  return addresses;
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A dns.lookup stand-in that answers only the addresses already checked: no second resolution, no rebinding. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const list = family ? addresses.filter((a) => a.family === family) : addresses;
    const first = list[0];
    if (!first) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return (callback as (e: Error) => void)(err);
    }
    // Node 20 asks for every address (happy eyeballs) unless autoSelectFamily is off.
    if (options.all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, list);
    else callback(null, first.address, first.family);
  };
}

function requestOnce(url: URL, addresses: ResolvedAddress[], init: { method: string; headers: Record<string, string>; body: string | Uint8Array | null }, opts: SafeFetchOptions): Promise<Response> {
  const maxBytes = opts.maxResponseBytes ?? 1024 * 1024;
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const req = mod.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: url.pathname + url.search,
        method: init.method,
        headers: init.headers,
        lookup: pinnedLookup(addresses),
        // A fresh connection every time: a pooled socket may lead somewhere this call did not check.
        agent: false,
        signal: opts.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 599) return reject(new Error(`invalid HTTP status ${status}`));
          const headers = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            try {
              headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
            } catch {
              /* a header fetch would refuse too */
            }
          }
          const response = new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers });
          Object.defineProperty(response, 'url', { value: url.href });
          resolve(response);
        };
        res.on('data', (c: Buffer) => {
          if (done) return;
          const room = maxBytes - size;
          chunks.push(c.length > room ? c.subarray(0, room) : c);
          size += Math.min(c.length, room);
          if (size >= maxBytes) {
            finish();
            res.destroy();
          }
        });
        res.on('end', finish);
        const fail = (e: Error) => {
          if (done) return;
          done = true;
          reject(e);
        };
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new Error('the response was cut off'));
        });
      },
    );
    req.on('error', reject);
    req.end(init.body ?? undefined);
  });
}
