import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, rateCounters, SCHEMA_DIALECT, type Store } from '@baton/db';
import { DbLoginThrottle, DbRateLimiter } from '../src/db-limits.ts';
import { createTestDatabase } from '../../../test/helpers/embedded-postgres.ts';

/**
 * Limits counted in the database: two stores on one database stand for two nodes of a cluster,
 * and must count against one limit.
 */
let dir: string;
let nodeA: Store;
let nodeB: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-limits-'));
  const databaseUrl = SCHEMA_DIALECT === 'postgres' ? await createTestDatabase(inject('pgAdminUrl'), 'baton_limits') : null;
  const file = join(dir, 'baton.db');
  nodeA = await openStore({ databaseUrl, file, synchronous: 'NORMAL' });
  nodeB = await openStore({ databaseUrl, file, synchronous: 'NORMAL', migrate: false });
});
afterAll(async () => {
  await nodeA?.close();
  await nodeB?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`limits counted in the database (${SCHEMA_DIALECT})`, () => {
  it('one per-key limit across two nodes, reset by the next window', async () => {
    const a = new DbRateLimiter(nodeA, 'relay-key', 5);
    const b = new DbRateLimiter(nodeB, 'relay-key', 5);
    const t0 = 1_800_000_000_000; // a window boundary (a multiple of 60 s)
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await (i % 2 ? b : a).hit('key-1', t0 + 1000 + i));
    expect(waits).toEqual([0, 0, 0, 0, 0, 59]);
    // Another key, and another limit on the same key, count on their own.
    expect(await a.hit('key-2', t0 + 2000)).toBe(0);
    expect(await new DbRateLimiter(nodeB, 'relay-user', 5).hit('key-1', t0 + 2000)).toBe(0);
    // The next window starts from zero, and the windows before the last are pruned.
    expect(await b.hit('key-1', t0 + 60_000)).toBe(0);
    expect(await a.hit('key-1', t0 + 180_000)).toBe(0);
    const windows = await nodeA.reader.select({ k: rateCounters.key, w: rateCounters.windowStart }).from(rateCounters);
    const own = windows.filter((r) => r.k.startsWith('relay-key:'));
    expect(Math.min(...own.map((r) => r.w))).toBeGreaterThanOrEqual(t0 + 120_000);
    // Another limit's counters are left for it to prune, by its own window.
    expect(windows.some((r) => r.k.startsWith('relay-user:'))).toBe(true);
  });

  it('a limit of 0 is off', async () => {
    const off = new DbRateLimiter(nodeA, 'off', 0);
    for (let i = 0; i < 3; i++) expect(await off.hit('k')).toBe(0);
  });

  it('failed logins on either node count toward one throttle, and a success clears the email', async () => {
    const a = new DbLoginThrottle(nodeA, { windowMs: 60_000, maxPerEmail: 3, maxPerIp: 10 });
    const b = new DbLoginThrottle(nodeB, { windowMs: 60_000, maxPerEmail: 3, maxPerIp: 10 });
    const t0 = 5_000_000;
    await a.recordFailure('x@example.test', '10.0.0.1', t0);
    await b.recordFailure('x@example.test', '10.0.0.2', t0 + 10);
    expect(await a.retryAfter('x@example.test', '10.0.0.3', t0 + 20)).toBe(0);
    await a.recordFailure('x@example.test', '10.0.0.3', t0 + 20);
    // Three failures within the window: refused on both nodes until the first leaves it.
    expect(await b.retryAfter('x@example.test', '10.0.0.9', t0 + 30)).toBe(60);
    expect(await a.retryAfter('x@example.test', '10.0.0.9', t0 + 60_001)).toBe(0);
    expect(await a.retryAfter('other@example.test', '10.0.0.9', t0 + 30)).toBe(0);
    await b.recordSuccess('x@example.test');
    expect(await a.retryAfter('x@example.test', '10.0.0.9', t0 + 40)).toBe(0);
  });

  it('counts failures per address across emails', async () => {
    const a = new DbLoginThrottle(nodeA, { windowMs: 60_000, maxPerEmail: 5, maxPerIp: 2 });
    await a.recordFailure('p@example.test', '10.9.9.9', 7_000_000);
    await new DbLoginThrottle(nodeB, { windowMs: 60_000, maxPerEmail: 5, maxPerIp: 2 }).recordFailure('q@example.test', '10.9.9.9', 7_000_001);
    expect(await a.retryAfter('new@example.test', '10.9.9.9', 7_000_002)).toBeGreaterThan(0);
    expect(await a.retryAfter('new@example.test', '10.8.8.8', 7_000_002)).toBe(0);
  });
});
