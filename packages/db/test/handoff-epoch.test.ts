import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../../../test/helpers/embedded-postgres.ts';
import { readHandoffEpoch, setReadCaches } from '../src/change-epochs.ts';
import { SCHEMA_DIALECT } from '../src/dialect.ts';
import { rawStatement } from '../src/query.ts';
import { openStore, type Store } from '../src/store.ts';

/**
 * The number the Flow Relay handoff pages are cached under (core relay/handoffs.ts), on the engine
 * this test project runs, as two nodes see it: `node` writes, and `other` (a store of its own on the
 * same database, as another process or node has) must see every change it makes at its next read.
 * On Postgres the number is a row moved by triggers (migration 0006); on SQLite it is kept in
 * process (TEMP triggers, and PRAGMA data_version for other connections).
 */
let dir: string;
let node: Store;
let other: Store;

const NOW = '2026-12-06T00:00:00.000Z';
const exec = (text: string, ...params: unknown[]) => node.unit((tx) => rawStatement(text).run(tx, ...params));
const epochs = async () => [await readHandoffEpoch(node.reader), await readHandoffEpoch(other.reader)];

let handoffs = 0;
const insertHandoff = (projectId: string) =>
  exec(
    `INSERT INTO handoffs (id, org_id, project_id, title, summary, status, sources, key_changes, decisions, open_questions, next_steps, related_event_ids, scope_type, created_at, updated_at)
     VALUES (?, 'org1', ?, 'T', 'S', 'active', '[]', '[]', '[]', '[]', '[]', '[]', 'project', ?, ?)`,
    `ho_${++handoffs}`,
    projectId,
    NOW,
    NOW,
  );

/** Runs `write` through `node`, and expects both nodes' numbers to have moved past what they were. */
async function expectMovedBy(write: () => Promise<unknown>) {
  const [before, beforeOther] = await epochs();
  await write();
  const [after, afterOther] = await epochs();
  expect(after).not.toBe(before);
  expect(afterOther).not.toBe(beforeOther);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-handoff-epoch-'));
  const file = join(dir, 'baton.db');
  const databaseUrl = SCHEMA_DIALECT === 'postgres' ? await createTestDatabase(inject('pgAdminUrl'), 'baton_handoff_epoch') : null;
  node = await openStore({ databaseUrl, file, synchronous: 'NORMAL' });
  other = await openStore({ databaseUrl, file, synchronous: 'NORMAL', migrate: false });
  await exec(`INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES ('org1', 'Org', 'org', ?, ?)`, NOW, NOW);
  for (const id of ['p1', 'p2']) await exec(`INSERT INTO projects (id, org_id, name, slug, created_at, updated_at) VALUES (?, 'org1', ?, ?, ?, ?)`, id, `Project ${id}`, id, NOW, NOW);
});
afterAll(async () => {
  await other?.close();
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the handoff epoch, on two nodes of one database', () => {
  it('stands still while nothing changes, so a cached page is served', async () => {
    const [a, b] = await epochs();
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(await epochs()).toEqual([a, b]);
  });

  it('moves for both nodes when a handoff is written, edited, archived or deleted', async () => {
    await expectMovedBy(() => insertHandoff('p1'));
    await expectMovedBy(() => exec("UPDATE handoffs SET title = 'Edited' WHERE id = ?", `ho_${handoffs}`));
    await expectMovedBy(() => exec("UPDATE handoffs SET status = 'archived' WHERE id = ?", `ho_${handoffs}`));
    await expectMovedBy(() => exec('DELETE FROM handoffs WHERE id = ?', `ho_${handoffs}`));
  });

  it('moves when a project is renamed (pages show its name) and when a deleted project takes its handoffs along', async () => {
    await insertHandoff('p2');
    await expectMovedBy(() => exec("UPDATE projects SET name = 'Renamed' WHERE id = 'p2'"));
    await expectMovedBy(() => exec("DELETE FROM projects WHERE id = 'p2'"));
    const left = await rawStatement<{ n: number }>("SELECT count(*) AS n FROM handoffs WHERE project_id = 'p2'").get(other.reader);
    expect(Number(left?.n)).toBe(0);
  });

  it('stands still for the writing node when what changed is not on a handoff page', async () => {
    // Seen from the node that wrote it. (A SQLite node sees another process's commit only as "the
    // file changed", and drops every cache then: too often, never too rarely.)
    const before = await readHandoffEpoch(node.reader);
    await exec("UPDATE projects SET description = 'Not shown on handoffs' WHERE id = 'p1'");
    await exec(`INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ('u1', 'u1@example.test', 'U', 'x', ?, ?)`, NOW, NOW);
    expect(await readHandoffEpoch(node.reader)).toBe(before);
  });

  it('is null with the read caches off, so nothing is cached', async () => {
    setReadCaches(other.reader, false);
    try {
      expect(await readHandoffEpoch(other.reader)).toBeNull();
    } finally {
      setReadCaches(other.reader, true);
    }
    expect(await readHandoffEpoch(other.reader)).not.toBeNull();
  });
});
