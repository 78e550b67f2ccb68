import { describe, expect, it } from 'vitest';
import { BatchLane, type Settled } from '../src/batch-lane.ts';

/** A run function whose batches finish when the test says, recording what each batch held. */
function gatedRun(handle: (item: number) => Settled<string> | 'throw' = (n) => ({ value: `ok ${n}` })) {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((release) => gates.push(release));
    if (items.some((n) => handle(n) === 'throw')) throw new Error(`batch of ${items.length} broke`);
    return items.map((n) => handle(n) as Settled<string>);
  };
  /** Lets the oldest unreleased batch finish, then waits for the lane to move on. */
  const releaseNext = async () => {
    gates.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { run, batches, releaseNext, pending: () => gates.length };
}

describe('BatchLane', () => {
  it('runs a call on an idle lane at once and alone; calls made meanwhile form the next batch', async () => {
    const g = gatedRun();
    const lane = new BatchLane(g.run);
    const first = lane.submit(1);
    expect(g.batches).toEqual([[1]]);
    const rest = [2, 3, 4, 5].map((n) => lane.submit(n));
    // Nothing else starts while a batch is in flight.
    expect(g.batches).toEqual([[1]]);
    await g.releaseNext();
    expect(await first).toBe('ok 1');
    expect(g.batches).toEqual([[1], [2, 3, 4, 5]]);
    await g.releaseNext();
    expect(await Promise.all(rest)).toEqual(['ok 2', 'ok 3', 'ok 4', 'ok 5']);
    expect(g.pending()).toBe(0);
  });

  it('caps a batch at max items', async () => {
    const g = gatedRun();
    const lane = new BatchLane(g.run, 2);
    const all = [1, 2, 3, 4, 5].map((n) => lane.submit(n));
    while (g.pending()) await g.releaseNext();
    expect(await Promise.all(all)).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5']);
    expect(g.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it("settles each caller with its own item's outcome", async () => {
    const g = gatedRun((n) => (n % 2 ? { value: `ok ${n}` } : { error: new Error(`no ${n}`) }));
    const lane = new BatchLane(g.run);
    const outcomes = [1, 2, 3, 4].map((n) => lane.submit(n).then((v) => v, (e: Error) => e.message));
    while (g.pending()) await g.releaseNext();
    expect(await Promise.all(outcomes)).toEqual(['ok 1', 'no 2', 'ok 3', 'no 4']);
  });

  it('retries a batch that threw one item at a time, so only the item that broke it fails', async () => {
    const g = gatedRun((n) => (n === 3 ? 'throw' : { value: `ok ${n}` }));
    const lane = new BatchLane(g.run);
    const outcomes = [1, 2, 3, 4].map((n) => lane.submit(n).then((v) => v, (e: Error) => e.message));
    while (g.pending()) await g.releaseNext();
    expect(await Promise.all(outcomes)).toEqual(['ok 1', 'ok 2', 'batch of 1 broke', 'ok 4']);
    // [1] alone, then [2, 3, 4] together, which broke, then each of them alone.
    expect(g.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('keeps serving after a failure', async () => {
    const g = gatedRun((n) => (n === 1 ? 'throw' : { value: `ok ${n}` }));
    const lane = new BatchLane(g.run);
    const failed = lane.submit(1).catch((e: Error) => e.message);
    await g.releaseNext();
    expect(await failed).toBe('batch of 1 broke');
    const next = lane.submit(2);
    await g.releaseNext();
    expect(await next).toBe('ok 2');
  });
});
