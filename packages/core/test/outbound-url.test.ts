import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOutboundUrl, OutboundUrlError, safeFetch, type OutboundResolver } from '../src/net/outbound-url.ts';

const DENY = { allowPrivate: false };
const ALLOW = { allowPrivate: true };

// [url, why it is refused (regex), would BATON_ALLOW_PRIVATE_URLS=true allow it]
const REFUSED: Array<[string, RegExp, boolean]> = [
  // loopback, in every spelling the WHATWG parser turns into 127.0.0.1
  ['http://127.0.0.1/', /^address 127\.0\.0\.1 is loopback$/, true],
  ['http://127.9.8.7:8080/x', /^address 127\.9\.8\.7 is loopback$/, true],
  ['http://2130706433/', /^address 127\.0\.0\.1 is loopback$/, true],
  ['http://0x7f.1/', /^address 127\.0\.0\.1 is loopback$/, true],
  ['http://0x7f000001/', /^address 127\.0\.0\.1 is loopback$/, true],
  ['http://0177.0.0.1/', /^address 127\.0\.0\.1 is loopback$/, true],
  ['http://127.1/', /^address 127\.0\.0\.1 is loopback$/, true],
  ['http://127.0.0.1./', /^address 127\.0\.0\.1 is loopback$/, true],
  ['http://[::1]/', /^address ::1 is loopback$/, true],
  ['http://localhost/', /^host localhost is loopback$/, true],
  ['http://LOCALHOST./', /^host localhost is loopback$/, true],
  ['http://localhost../hook', /^host localhost is loopback$/, true],
  ['http://app.localhost:3000/', /^host app\.localhost is loopback$/, true],
  ['http://localhost.localdomain/', /is loopback$/, true],
  // private networks
  ['http://10.0.0.5/deploy', /^address 10\.0\.0\.5 is private$/, true],
  ['http://172.16.0.1/', /^address 172\.16\.0\.1 is private$/, true],
  ['http://172.31.255.255/', /is private$/, true],
  ['http://192.168.1.10/', /^address 192\.168\.1\.10 is private$/, true],
  ['http://3232235786/', /^address 192\.168\.1\.10 is private$/, true],
  ['http://100.64.0.1/', /^address 100\.64\.0\.1 is private \(carrier-grade NAT\)$/, true],
  ['http://[fc00::1]/', /^address fc00::1 is private \(unique local\)$/, true],
  ['http://[fd12:3456:789a::1]/', /is private \(unique local\)$/, true],
  ['http://169.254.1.1/', /^address 169\.254\.1\.1 is link-local$/, true],
  ['http://[fe80::1]/', /^address fe80::1 is link-local$/, true],
  // IPv6 forms that carry an IPv4 address
  ['http://[::ffff:127.0.0.1]/', /^address ::ffff:7f00:1 is loopback$/, true],
  ['http://[::ffff:10.0.0.5]/', /is private$/, true],
  ['http://[::ffff:0:a00:5]/', /is private$/, true], // SIIT
  ['http://[64:ff9b::a00:5]/', /is private$/, true], // NAT64
  ['http://[2002:7f00:1::]/', /is loopback$/, true], // 6to4
  // cloud metadata: refused even when private targets are allowed
  ['http://169.254.169.254/latest/meta-data/', /^address 169\.254\.169\.254 is a cloud metadata endpoint$/, false],
  ['http://2852039166/latest/meta-data/', /^address 169\.254\.169\.254 is a cloud metadata endpoint$/, false],
  ['http://[::ffff:169.254.169.254]/', /is a cloud metadata endpoint$/, false],
  ['http://[fd00:ec2::254]/latest/meta-data/', /^address fd00:ec2::254 is a cloud metadata endpoint$/, false],
  ['http://169.254.170.2/v2/credentials', /is a cloud metadata endpoint$/, false],
  ['http://100.100.100.200/latest/meta-data/', /is a cloud metadata endpoint$/, false],
  ['http://metadata.google.internal/computeMetadata/v1/', /^host metadata\.google\.internal is a cloud metadata endpoint$/, false],
  ['http://Metadata.Google.Internal./computeMetadata/v1/', /^host metadata\.google\.internal is a cloud metadata endpoint$/, false],
  // never a target
  ['http://0.0.0.0/', /^address 0\.0\.0\.0 is unspecified$/, false],
  ['http://0/', /^address 0\.0\.0\.0 is unspecified$/, false],
  ['http://[::]/', /^address :: is unspecified$/, false],
  ['http://224.0.0.1/', /^address 224\.0\.0\.1 is multicast$/, false],
  ['http://[ff02::1]/', /^address ff02::1 is multicast$/, false],
  ['http://255.255.255.255/', /^address 255\.255\.255\.255 is broadcast$/, false],
  ['http://240.0.0.1/', /^address 240\.0\.0\.1 is reserved$/, false],
  ['http://192.0.2.1/', /is reserved$/, false],
  ['http://[2001:db8::1]/', /is reserved$/, false],
  ['http://[::7f00:1]/', /is reserved$/, false], // IPv4-compatible ::127.0.0.1
  // scheme and credentials
  ['ftp://example.com/', /^must use http or https$/, false],
  ['file:///etc/passwd', /^must use http or https$/, false],
  ['gopher://example.com:70/', /^must use http or https$/, false],
  ['http://user:pass@example.com/', /^must not contain credentials/, false],
  ['https://token@hooks.example.com/', /^must not contain credentials/, false],
  ['not a url', /^is not a valid URL$/, false],
];

const ALLOWED = [
  'https://hooks.example.com/deploy/abc',
  'http://example.com:8080/health?x=1',
  'https://api.vercel.com/v1/integrations/deploy/prj_123/abc',
  'http://93.184.216.34/',
  'http://8.8.8.8./',
  'http://[2606:4700:4700::1111]/',
  'http://[::ffff:8.8.8.8]/',
  // names are resolved at call time; at save time only names that always mean this machine are refused
  'http://intranet/',
  'http://localhost.example.com/',
  'http://127.0.0.1.nip.io/',
];

describe('checkOutboundUrl (save time, no DNS)', () => {
  it.each(REFUSED)('refuses %s', (url, why, overridable) => {
    const r = checkOutboundUrl(url, DENY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(why);
    expect(r.overridable).toBe(overridable);
    // The explicit setting opens exactly the overridable ones.
    expect(checkOutboundUrl(url, ALLOW).ok).toBe(overridable);
  });

  it.each(ALLOWED)('allows %s', (url) => {
    expect(checkOutboundUrl(url, DENY)).toMatchObject({ ok: true });
    expect(checkOutboundUrl(url, ALLOW)).toMatchObject({ ok: true });
  });
});

// --- call time ---------------------------------------------------------------------------------

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
interface Local {
  url: string;
  port: number;
  requests: Array<{ method: string; path: string; host: string | undefined; authorization: string | undefined; body: string }>;
  close(): Promise<void>;
}

async function startLocal(handler: Handler = (_q, _b, res) => res.end('ok')): Promise<Local> {
  const requests: Local['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method!, path: req.url!, host: req.headers.host, authorization: req.headers.authorization, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((ok) => (server.closeAllConnections(), server.close(() => ok()))),
  };
}

const redirect = (status: number, location: string): Handler => (_q, _b, res) => {
  res.writeHead(status, { location });
  res.end();
};

/** A fake DNS: these names and nothing else; counts lookups. */
function fakeDns(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolver: OutboundResolver = async (host) => {
    calls.push(host);
    const list = table[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolver, calls };
}

async function refusal(p: Promise<unknown>): Promise<OutboundUrlError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OutboundUrlError);
  return e as OutboundUrlError;
}

let target: Local;
beforeAll(async () => {
  target = await startLocal((_q, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-seen': 'yes' });
    res.end(JSON.stringify({ got: body }));
  });
});
afterAll(() => target.close());

describe('safeFetch (call time)', () => {
  it('refuses a literal private address without connecting, and says how to allow it', async () => {
    const before = target.requests.length;
    const e = await refusal(safeFetch(`${target.url}/hook`, { method: 'POST', body: 'x' }, DENY));
    expect(e.message).toBe('address 127.0.0.1 is loopback; set BATON_ALLOW_PRIVATE_URLS=true to allow it');
    expect(e.overridable).toBe(true);
    expect(target.requests.length).toBe(before);
  });

  it('refuses a name that resolves to a private address (checked on the resolved address)', async () => {
    const dns = fakeDns({ 'hooks.example.test': ['127.0.0.1'] });
    const before = target.requests.length;
    const e = await refusal(safeFetch(`http://hooks.example.test:${target.port}/hook`, { method: 'POST' }, { ...DENY, resolver: dns.resolver }));
    expect(e.reason).toBe('address 127.0.0.1 is loopback (hooks.example.test resolves to it)');
    expect(target.requests.length).toBe(before);
  });

  it('refuses when any one of the resolved addresses is refused', async () => {
    const dns = fakeDns({ 'mixed.example.test': ['93.184.216.34', '10.0.0.5'] });
    const e = await refusal(safeFetch('http://mixed.example.test/', {}, { ...DENY, resolver: dns.resolver }));
    expect(e.reason).toMatch(/^address 10\.0\.0\.5 is private/);
  });

  it('refuses the metadata service by address even when private targets are allowed', async () => {
    const dns = fakeDns({ 'evil.example.test': ['169.254.169.254'] });
    const e = await refusal(safeFetch('http://evil.example.test/latest/meta-data/', {}, { ...ALLOW, resolver: dns.resolver }));
    expect(e.message).toBe('address 169.254.169.254 is a cloud metadata endpoint (evil.example.test resolves to it)');
    expect(e.overridable).toBe(false);
  });

  it('connects to exactly the address it checked: the name is resolved once (no rebinding)', async () => {
    // First answer 127.0.0.1 (where the server listens); any later lookup would answer 127.0.0.2,
    // where nothing listens. The request arriving proves the connection used the checked answer.
    let n = 0;
    const calls: string[] = [];
    const resolver: OutboundResolver = async (host) => {
      calls.push(host);
      return [{ address: n++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    };
    const before = target.requests.length;
    const res = await safeFetch(`http://rebind.example.test:${target.port}/hook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }, { ...ALLOW, resolver });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(await res.json()).toEqual({ got: '{"a":1}' });
    expect(res.url).toBe(`http://rebind.example.test:${target.port}/hook`);
    expect(calls).toEqual(['rebind.example.test']);
    expect(target.requests.slice(before)).toEqual([expect.objectContaining({ method: 'POST', path: '/hook', host: `rebind.example.test:${target.port}`, body: '{"a":1}' })]);
  });

  it('caps the body it reads', async () => {
    const big = await startLocal((_q, _b, res) => res.end('x'.repeat(100_000)));
    try {
      const res = await safeFetch(big.url, {}, { ...ALLOW, maxResponseBytes: 1000 });
      expect((await res.text()).length).toBe(1000);
    } finally {
      await big.close();
    }
  });
});

describe('safeFetch redirects: every hop is checked', () => {
  let inner: Local;
  beforeAll(async () => {
    inner = await startLocal();
  });
  afterAll(() => inner.close());

  it('does not follow an allowed first hop to 127.0.0.1', async () => {
    // The first hop stands for a public host: an operator-trusted origin skips the address check.
    const hop = await startLocal(redirect(302, `${inner.url}/internal`));
    try {
      const e = await refusal(safeFetch(`${hop.url}/start`, {}, { ...DENY, trustedOrigins: [hop.url] }));
      expect(e.message).toBe('address 127.0.0.1 is loopback (after a redirect); set BATON_ALLOW_PRIVATE_URLS=true to allow it');
      expect(hop.requests).toHaveLength(1);
      expect(inner.requests).toHaveLength(0);
    } finally {
      await hop.close();
    }
  });

  it('does not follow a redirect to a name that resolves to 127.0.0.1', async () => {
    const dns = fakeDns({ 'inner.example.test': ['127.0.0.1'] });
    const hop = await startLocal(redirect(307, `http://inner.example.test:${inner.port}/internal`));
    try {
      const e = await refusal(safeFetch(`${hop.url}/start`, { method: 'POST', body: 'b' }, { ...DENY, trustedOrigins: [hop.url], resolver: dns.resolver }));
      expect(e.reason).toBe('address 127.0.0.1 is loopback (inner.example.test resolves to it) (after a redirect)');
      expect(inner.requests).toHaveLength(0);
    } finally {
      await hop.close();
    }
  });

  it('does not follow a redirect to the metadata service or to another scheme, even with private targets allowed', async () => {
    for (const [location, why] of [
      ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', /cloud metadata endpoint/],
      ['http://metadata.google.internal/computeMetadata/v1/', /cloud metadata endpoint/],
      ['file:///etc/passwd', /must use http or https/],
    ] as const) {
      const hop = await startLocal(redirect(302, location));
      try {
        const e = await refusal(safeFetch(hop.url, {}, ALLOW));
        expect(e.reason).toMatch(why);
      } finally {
        await hop.close();
      }
    }
  });

  it('follows allowed hops like fetch: 302 turns a POST into a GET, 307 keeps it, credentials stay on their origin', async () => {
    const dns = fakeDns({ 'other.example.test': ['127.0.0.1'] });
    const hop302 = await startLocal(redirect(302, `${inner.url}/after-302`));
    const hop307 = await startLocal(redirect(307, `http://other.example.test:${inner.port}/after-307`));
    try {
      const before = inner.requests.length;
      const a = await safeFetch(hop302.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'payload' }, ALLOW);
      expect(a.status).toBe(200);
      expect(a.url).toBe(`${inner.url}/after-302`);
      const b = await safeFetch(hop307.url, { method: 'POST', headers: { authorization: 'Bearer s3cret' }, body: 'payload' }, { ...ALLOW, resolver: dns.resolver });
      expect(b.status).toBe(200);
      expect(hop307.requests[0]!.authorization).toBe('Bearer s3cret');
      expect(inner.requests.slice(before)).toEqual([
        expect.objectContaining({ method: 'GET', path: '/after-302', body: '' }),
        expect.objectContaining({ method: 'POST', path: '/after-307', body: 'payload', authorization: undefined }),
      ]);
    } finally {
      await hop302.close();
      await hop307.close();
    }
  });

  it('stops after maxRedirects, and maxRedirects: 0 answers the redirect itself', async () => {
    let loop: Local | undefined;
    loop = await startLocal((_q, _b, res) => redirect(302, `${loop!.url}/again`)(_q, _b, res));
    try {
      await expect(safeFetch(loop.url, {}, { ...ALLOW, maxRedirects: 3 })).rejects.toThrow('too many redirects (more than 3)');
      expect(loop.requests).toHaveLength(4);
      const res = await safeFetch(loop.url, {}, { ...ALLOW, maxRedirects: 0 });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`${loop.url}/again`);
    } finally {
      await loop.close();
    }
  });
});
