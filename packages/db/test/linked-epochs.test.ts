import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store.ts';
import { accessEpoch, handoffEpoch } from '../src/change-epochs.ts';
import { users } from '../src/schema/index.ts';

/**
 * The reader connection's read caches follow the writer's change triggers (store.ts links them):
 * a commit made through the lane is seen by the next read at once, not a macrotask later, and a
 * number moved by a transaction still open moves again when it ends.
 */
let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-epochs-'));
  store = await openStore({ file: join(dir, 'baton.db'), synchronous: 'NORMAL' });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = (n: number) => ({ id: `u${n}`, email: `u${n}@example.test`, name: 'U', passwordHash: 'x', createdAt: 'now', updatedAt: 'now' });

describe('linked read caches', () => {
  it('a committed write moves the reader’s number before the next read, in the same macrotask', async () => {
    const before = accessEpoch(store.reader);
    expect(before).not.toBeNull();
    await store.unit(async (tx) => void (await tx.insert(users).values(user(1))));
    // No setImmediate has run since the commit: the per-macrotask data_version check cannot be what saw it.
    expect(accessEpoch(store.reader)).not.toBe(before);
  });

  it('a number read while the transaction is open moves again when it ends', async () => {
    expect(accessEpoch(store.reader)).not.toBeNull(); // the triggers are installed outside any transaction
    let during: number | null = null;
    await store.unit(async (tx) => {
      await tx.insert(users).values(user(2));
      during = accessEpoch(store.reader); // what a cache filled now, from the committed past, would carry
    });
    expect(during).not.toBeNull();
    expect(accessEpoch(store.reader)).not.toBe(during);
  });

  it('a rolled-back unit still moves the number (too often, never too rarely), and an unrelated one does not', async () => {
    const h = handoffEpoch(store.reader);
    const a = accessEpoch(store.reader);
    await expect(
      store.unit(async (tx) => {
        await tx.insert(users).values(user(3));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(accessEpoch(store.reader)).not.toBe(a);
    expect(handoffEpoch(store.reader)).toBe(h);
  });
});
