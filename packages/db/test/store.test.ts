import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, type Store } from '../src/store.ts';
import { insertTogether, notify, rawInsert } from '../src/query.ts';
import { users } from '../src/schema/index.ts';
import { SCHEMA_DIALECT } from '../src/dialect.ts';
import { createTestDatabase } from '../../../test/helpers/embedded-postgres.ts';

/** The same query code, awaited, on whichever engine this test project runs (vite.config.ts projects). */
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-store-'));
  const databaseUrl = SCHEMA_DIALECT === 'postgres' ? await createTestDatabase(inject('pgAdminUrl'), 'baton_store') : null;
  store = await openStore({ databaseUrl, file: join(dir, 'baton.db'), synchronous: 'NORMAL' });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const user = (n: number) => ({ id: `u${n}`, email: `u${n}@example.test`, name: `U ${n}`, passwordHash: 'x', createdAt: 'now', updatedAt: 'now' });

describe(`store on ${SCHEMA_DIALECT}`, () => {
  it('runs on the engine the project selected', () => {
    expect(store.dialect).toBe(SCHEMA_DIALECT);
  });

  it('a unit commits its rows together, and reads outside see them only after the commit', async () => {
    let seenOutside = -1;
    await store.unit(async (tx) => {
      await tx.insert(users).values(user(1));
      await tx.insert(users).values(user(2));
      // Inside: the unit sees its own writes.
      expect((await tx.select().from(users)).length).toBe(2);
      seenOutside = (await store.reader.select().from(users)).length;
    });
    expect(seenOutside).toBe(0);
    expect((await store.reader.select().from(users)).length).toBe(2);
  });

  it('a unit that throws leaves nothing behind, and concurrent units are unaffected', async () => {
    const results = await Promise.allSettled([
      store.unit(async (tx) => {
        await tx.insert(users).values(user(3));
        throw new Error('boom');
      }),
      store.unit(async (tx) => {
        await tx.insert(users).values(user(4));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    const ids = (await store.reader.select({ id: users.id }).from(users)).map((r) => r.id).sort();
    expect(ids).toEqual(['u1', 'u2', 'u4']);
  });

  it('booleans, JSON-free rows and raw SQL read back the same on both engines', async () => {
    const [row] = await store.reader.select().from(users).where(eq(users.id, 'u1'));
    expect(row).toMatchObject({ id: 'u1', isInstanceAdmin: false });
    const counted = await store.reader.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(users);
    expect(counted).toEqual([{ n: 3 }]);
  });

  it('a unique violation is an error of that unit only', async () => {
    await expect(store.unit(async (tx) => void (await tx.insert(users).values(user(1))))).rejects.toThrow();
    await store.unit(async (tx) => void (await tx.insert(users).values(user(5))));
    expect((await store.reader.select().from(users)).length).toBe(4);
  });

  it("a unit's notifications are delivered with its commit, in order and intact, and a rolled-back unit sends none", async () => {
    const heard: string[] = [];
    const stop = await store.listen('baton_store_test', (payload) => heard.push(payload));
    try {
      await expect(
        store.unit(async (tx) => {
          await notify(tx, 'baton_store_test', 'rolled back');
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      await store.unit(async (tx) => {
        await tx.insert(users).values(user(6));
        await notify(tx, 'baton_store_test', "first 'quoted' \\ one");
        await notify(tx, 'baton_store_test', 'second');
      });
      expect((await store.reader.select().from(users).where(eq(users.id, 'u6'))).length).toBe(1);
      // Postgres delivers at the commit; on SQLite one process owns the database and nothing is sent.
      const expected = store.dialect === 'postgres' ? ["first 'quoted' \\ one", 'second'] : [];
      await expect.poll(() => heard, { timeout: 5000 }).toEqual(expected);
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toEqual(expected);
    } finally {
      stop();
    }
  });

  // On Postgres a unit's inserts made before any other statement are held back: a unit that does
  // nothing else is one statement, committed on its own (postgres.ts runPgUnit). Same outcome as any unit.
  const insertUsers = rawInsert('users', ['id', 'email', 'name', 'password_hash', 'created_at', 'updated_at']);
  const userRow = (n: number) => [`u${n}`, `u${n}@example.test`, `U ${n}`, 'x', 'now', 'now'];
  const ids = async (...n: number[]) =>
    (await store.reader.select({ id: users.id }).from(users)).map((r) => r.id).filter((id) => n.map((x) => `u${x}`).includes(id)).sort();

  it('a unit that only inserts commits all of them with its notifications, or, when one fails, none and sends nothing', async () => {
    const heard: string[] = [];
    const stop = await store.listen('baton_store_held', (payload) => heard.push(payload));
    try {
      await store.unit(async (tx) => {
        await insertTogether(tx, [
          [insertUsers, [userRow(7), userRow(8)]],
          [insertUsers, [userRow(9)]],
        ]);
        await insertUsers.run(tx, [userRow(10)]);
        await notify(tx, 'baton_store_held', 'committed');
      });
      expect(await ids(7, 8, 9, 10)).toEqual(['u10', 'u7', 'u8', 'u9']);
      // u1 exists: the unit's one statement fails as a whole.
      await expect(
        store.unit(async (tx) => {
          await insertTogether(tx, [
            [insertUsers, [userRow(11)]],
            [insertUsers, [userRow(1)]],
          ]);
          await notify(tx, 'baton_store_held', 'failed');
        }),
      ).rejects.toThrow();
      expect(await ids(11)).toEqual([]);
      const expected = store.dialect === 'postgres' ? ['committed'] : [];
      await expect.poll(() => heard, { timeout: 5000 }).toEqual(expected);
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toEqual(expected);
    } finally {
      stop();
    }
  });

  it("a unit's later statements see the inserts it made first, and a unit that throws after them leaves none", async () => {
    await store.unit(async (tx) => {
      await insertUsers.run(tx, [userRow(12)]);
      expect((await tx.select().from(users).where(eq(users.id, 'u12'))).length).toBe(1);
      await tx.update(users).set({ name: 'Twelve' }).where(eq(users.id, 'u12'));
      await insertUsers.run(tx, [userRow(13)]);
    });
    expect(await store.reader.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, 'u12'))).toEqual([{ id: 'u12', name: 'Twelve' }]);
    expect(await ids(13)).toEqual(['u13']);
    await expect(
      store.unit(async (tx) => {
        await insertTogether(tx, [[insertUsers, [userRow(14)]]]);
        throw new Error('changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    // A held insert that breaks is reported by the statement that sends it, and fails the unit.
    await expect(
      store.unit(async (tx) => {
        await insertUsers.run(tx, [userRow(15), userRow(1)]);
        await tx.select().from(users);
      }),
    ).rejects.toThrow();
    expect(await ids(14, 15)).toEqual([]);
  });
});
