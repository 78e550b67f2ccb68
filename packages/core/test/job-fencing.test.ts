import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { jobs, openStore, SCHEMA_DIALECT, users, type Store } from '@baton/db';
import { createConsoleLogger, createCoreContext, withTransaction, type CoreContext } from '../src/context.ts';
import { completeJob, enqueueJob, extendLease, failJob, LeaseLostError, leaseDueJobs, reclaimLeases, releaseJob } from '../src/jobs/queue.ts';
import { createTestDatabase } from '../../../test/helpers/embedded-postgres.ts';

/**
 * The job queue as several nodes see it: two stores on one database (two processes on one SQLite
 * file, or two nodes on one Postgres), each with its own clock. A lease is fenced by (locked_by,
 * attempts): a worker whose lease lapsed and was taken over commits nothing for that job.
 */
let dir: string;
let storeA: Store;
let storeB: Store;
let clock = Date.parse('2026-12-05T10:00:00Z');
const ctxFor = (store: Store): CoreContext =>
  createCoreContext({ store, logger: createConsoleLogger('silent'), now: () => new Date(clock), config: { nodeId: 'test' } as CoreContext['config'] });
let a: CoreContext;
let b: CoreContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-fence-'));
  const databaseUrl = SCHEMA_DIALECT === 'postgres' ? await createTestDatabase(inject('pgAdminUrl'), 'baton_fence') : null;
  const file = join(dir, 'baton.db');
  storeA = await openStore({ databaseUrl, file, synchronous: 'NORMAL' });
  storeB = await openStore({ databaseUrl, file, synchronous: 'NORMAL', migrate: false });
  a = ctxFor(storeA);
  b = ctxFor(storeB);
});
afterAll(async () => {
  await storeA?.close();
  await storeB?.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = (id: string) => ({ id, email: `${id}@example.test`, name: id, passwordHash: 'x', createdAt: 'now', updatedAt: 'now' });
const userIds = async () => (await storeA.reader.select({ id: users.id }).from(users)).map((r) => r.id).sort();

describe(`job leases across nodes (${SCHEMA_DIALECT})`, () => {
  it('two nodes leasing at once take different jobs', async () => {
    for (let i = 0; i < 6; i++) await enqueueJob(a, { name: 'probe', key: `split:${i}`, payload: { i } });
    const [ja, jb] = await Promise.all([leaseDueJobs(a, 3, 30_000, 'node-a'), leaseDueJobs(b, 3, 30_000, 'node-b')]);
    const ids = [...ja, ...jb].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(6);
    expect(ja.every((j) => j.lockedBy === 'node-a' && j.attempts === 1)).toBe(true);
    for (const j of ja) await completeJob(a, j);
    for (const j of jb) await completeJob(b, j);
    expect(await storeA.reader.select().from(jobs)).toEqual([]);
  });

  it('a worker whose lease was taken over commits nothing: its unit rolls back whole', async () => {
    await enqueueJob(a, { name: 'probe', key: 'fenced', payload: {} });
    const [held] = await leaseDueJobs(a, 1, 30_000, 'node-a');
    expect(held).toBeDefined();
    // Node A stalls past its lease; node B reclaims it and takes it over.
    clock += 31_000;
    expect(await reclaimLeases(b)).toBe(1);
    const [taken] = await leaseDueJobs(b, 1, 30_000, 'node-b');
    expect(taken).toMatchObject({ id: held!.id, lockedBy: 'node-b', attempts: 2 });
    // Node A wakes up: its heartbeat learns the lease is gone, and its commit is refused with its effects.
    expect(await extendLease(a, held!, 30_000)).toBe(false);
    await expect(
      withTransaction(a, async (ctx) => {
        await ctx.db.insert(users).values(user('effect-of-a'));
        await completeJob(ctx, held!);
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await failJob(a, held!, 'late failure')).toBe('lost');
    await releaseJob(a, held!); // a no-op for a lease A no longer holds
    // Node B's commit goes through, once.
    expect(await extendLease(b, taken!, 30_000)).toBe(true);
    await withTransaction(b, async (ctx) => {
      await ctx.db.insert(users).values(user('effect-of-b'));
      await completeJob(ctx, taken!);
    });
    expect(await userIds()).toEqual(['effect-of-b']);
    expect(await storeA.reader.select().from(jobs).where(eq(jobs.key, 'fenced'))).toEqual([]);
  });

  it('a live lease is not reclaimed by another node; a released job goes back without spending an attempt', async () => {
    await enqueueJob(a, { name: 'probe', key: 'live', payload: {} });
    const [held] = await leaseDueJobs(a, 1, 30_000, 'node-a');
    clock += 10_000;
    expect(await reclaimLeases(b)).toBe(0);
    expect(await leaseDueJobs(b, 1, 30_000, 'node-b')).toEqual([]);
    await releaseJob(a, held!);
    const [again] = await leaseDueJobs(b, 1, 30_000, 'node-b');
    expect(again).toMatchObject({ id: held!.id, attempts: 1, lockedBy: 'node-b' });
    // Failing with retry puts it back for later, fenced to the holder.
    expect(await failJob(b, again!, 'boom', 1000)).toBe('retry');
    const [row] = await storeA.reader.select().from(jobs).where(eq(jobs.id, held!.id));
    expect(row).toMatchObject({ status: 'queued', lockedBy: null, lastError: 'boom', runAt: clock + 1000 });
  });
});
