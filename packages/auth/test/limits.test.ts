import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../src/login-throttle.ts';
import { RateLimiter } from '../src/rate-limit.ts';
import { generateApiKey, hashApiKey, surfaceOfKey } from '../src/api-keys.ts';
import { hashPassword, verifyPassword } from '../src/passwords.ts';

describe('LoginThrottle', () => {
  it('blocks an email after 5 failures until the window moves on', () => {
    const t = new LoginThrottle({ windowMs: 60_000, maxPerEmail: 5, maxPerIp: 100 });
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) {
      expect(t.retryAfter('a@x', '1.1.1.1', t0 + i)).toBe(0);
      t.recordFailure('a@x', '1.1.1.1', t0 + i);
    }
    expect(t.retryAfter('a@x', '2.2.2.2', t0 + 10)).toBe(60);
    expect(t.retryAfter('b@x', '1.1.1.1', t0 + 10)).toBe(0);
    expect(t.retryAfter('a@x', '1.1.1.1', t0 + 60_001)).toBe(0);
  });

  it('blocks an IP spraying many emails', () => {
    const t = new LoginThrottle({ windowMs: 60_000, maxPerEmail: 5, maxPerIp: 3 });
    for (let i = 0; i < 3; i++) t.recordFailure(`u${i}@x`, '9.9.9.9', 1000);
    expect(t.retryAfter('new@x', '9.9.9.9', 1000)).toBeGreaterThan(0);
    expect(t.retryAfter('new@x', '8.8.8.8', 1000)).toBe(0);
  });
});

describe('RateLimiter', () => {
  it('allows the limit per window per key, then says how long to wait', () => {
    const r = new RateLimiter(2, 60_000);
    expect(r.hit('k', 0)).toBe(0);
    expect(r.hit('k', 1)).toBe(0);
    expect(r.hit('k', 30_000)).toBe(30);
    expect(r.hit('other', 30_000)).toBe(0);
    expect(r.hit('k', 60_000)).toBe(0);
  });

  it('0 turns the limit off', () => {
    const r = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(r.hit('k')).toBe(0);
  });
});

describe('API keys and passwords', () => {
  it('keys carry their kind, and their surface is read from the prefix', () => {
    const k = generateApiKey('mk_live');
    expect(k.key).toMatch(/^mk_live_[A-Za-z0-9_-]{32}$/);
    expect(k.keyHash).toBe(hashApiKey(k.key));
    expect(surfaceOfKey(k.key)).toBe('mk');
    expect(surfaceOfKey(generateApiKey('fr').key)).toBe('relay');
    expect(surfaceOfKey('sk_live_abc')).toBeNull();
  });

  it('hashes passwords with argon2id at the OWASP baseline', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, 'correct horse')).toBe(true);
    expect(await verifyPassword(h, 'wrong horse')).toBe(false);
    expect(await verifyPassword(null, 'anything')).toBe(false);
  });
});
