import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { createSameOriginPolicy, isCrossSiteRequest, isJsonContentType, ownOrigin } from '../src/csrf.ts';

/** Just the parts of a request the check reads. */
const req = (headers: Record<string, string>, encrypted = false) => ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

const direct = createSameOriginPolicy({ trustProxy: false, publicUrl: 'https://baton.example/app/' });
const proxied = createSameOriginPolicy({ trustProxy: true, publicUrl: null });

describe('isCrossSiteRequest', () => {
  it('believes the browser’s Sec-Fetch-Site over everything else', () => {
    expect(isCrossSiteRequest(req({ host: 'a.example', 'sec-fetch-site': 'same-origin', origin: 'https://elsewhere.example' }), direct)).toBe(false);
    expect(isCrossSiteRequest(req({ host: 'a.example', 'sec-fetch-site': 'none' }), direct)).toBe(false);
    expect(isCrossSiteRequest(req({ host: 'a.example', 'sec-fetch-site': 'cross-site', origin: 'http://a.example' }), direct)).toBe(true);
  });

  it('same-site passes only with our own origin', () => {
    expect(isCrossSiteRequest(req({ host: 'a.example', 'sec-fetch-site': 'same-site', origin: 'https://b.example' }), direct)).toBe(true);
    expect(isCrossSiteRequest(req({ host: 'a.example', 'sec-fetch-site': 'same-site' }), direct)).toBe(true);
    expect(isCrossSiteRequest(req({ host: 'a.example', 'sec-fetch-site': 'same-site', origin: 'https://baton.example' }), direct)).toBe(false);
  });

  it('without Sec-Fetch-Site, Origin decides; without either, it is not a browser', () => {
    expect(isCrossSiteRequest(req({ host: 'a.example' }), direct)).toBe(false);
    expect(isCrossSiteRequest(req({ host: 'a.example', origin: 'http://a.example' }), direct)).toBe(false);
    expect(isCrossSiteRequest(req({ host: 'A.Example:80', origin: 'http://a.example' }), direct)).toBe(false);
    expect(isCrossSiteRequest(req({ host: 'a.example:443', origin: 'https://a.example' }, true), direct)).toBe(false);
    expect(isCrossSiteRequest(req({ host: 'a.example', origin: 'https://a.example' }), direct)).toBe(true);
    expect(isCrossSiteRequest(req({ host: 'a.example', origin: 'http://a.example:8080' }), direct)).toBe(true);
    expect(isCrossSiteRequest(req({ host: 'a.example', origin: 'null' }), direct)).toBe(true);
    expect(isCrossSiteRequest(req({ host: 'a.example', origin: 'not a url' }), direct)).toBe(true);
    // BATON_PUBLIC_URL's origin, whatever its path.
    expect(isCrossSiteRequest(req({ host: '10.0.0.5:3000', origin: 'https://baton.example' }), direct)).toBe(false);
  });

  it('reads X-Forwarded-Host and -Proto only from a trusted proxy', () => {
    const headers = { host: '10.0.0.5:3000', 'x-forwarded-host': 'baton.example', 'x-forwarded-proto': 'https', origin: 'https://baton.example' };
    expect(isCrossSiteRequest(req(headers), proxied)).toBe(false);
    expect(isCrossSiteRequest(req(headers), { trustProxy: false, publicOrigin: null })).toBe(true);
    expect(ownOrigin(req({ ...headers, 'x-forwarded-host': 'baton.example, inner.example', 'x-forwarded-proto': 'https,http' }), true)).toBe('https://baton.example');
  });
});

describe('isJsonContentType', () => {
  it('takes application/json with parameters, nothing else', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonContentType(undefined)).toBe(false);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType('application/jsonp')).toBe(false);
    expect(isJsonContentType('multipart/form-data; boundary=x')).toBe(false);
  });
});
