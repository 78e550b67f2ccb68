import { isTransaction, runListKey, runListVersion, type DB } from '@baton/db';
import { Lru } from '../util/lru.ts';

/**
 * Deep pages of GET /runs without walking the whole offset.
 *
 * SQLite serves `LIMIT 25 OFFSET 5000` by stepping over 5,000 index entries, about 30 ns each:
 * 150 µs, more than everything else the request does. A checkpoint is the (createdAt, id) of every
 * STEP-th run of a list, newest first; a deep page starts from the nearest checkpoint at or before
 * its offset (`(created_at, id) <= checkpoint`) and walks at most STEP - 1 entries. Checkpoints are
 * found lazily, each by one walk of STEP entries from the previous one.
 *
 * They hold exactly while the list's membership and order stand still: runListVersion
 * (packages/db/src/change-epochs.ts) moves when a run of that org is inserted, deleted, or moves
 * between the statuses or projects the list filters on, here or in another process. A busy list
 * (runs completing into the `completed` list) loses its checkpoints at each change and walks the
 * offset, as it would without them. Never filled inside a transaction.
 */
export const CHECKPOINT_STEP = 500;
const MAX_LISTS = 1_000;
const MAX_CHECKPOINTS = 2_000;

export interface ListKeyPos {
  createdAt: string;
  id: string;
}

interface Entry {
  version: number;
  /** checkpoints[i] is the run at position (i + 1) * STEP. */
  checkpoints: ListKeyPos[];
  /** The list ended before the next checkpoint: there is none to find. */
  complete: boolean;
}

const perDb = new WeakMap<DB, Lru<string, Entry>>();

/**
 * The nearest checkpoint for `offset`, or null to walk from the start. `walk(from, step)` returns
 * the run `step` positions after `from` (inclusive of from at 0; from null = the list's start), or
 * undefined past the end.
 */
export async function checkpointFor(
  db: DB,
  list: { orgId: string; projectId: string | null; status: string | null },
  offset: number,
  walk: (from: ListKeyPos | null, step: number) => Promise<ListKeyPos | undefined>,
): Promise<{ position: number; at: ListKeyPos } | null> {
  const want = Math.min(Math.floor(offset / CHECKPOINT_STEP), MAX_CHECKPOINTS);
  if (want === 0) return null;
  const key = runListKey(list.orgId, list.projectId, list.status);
  const version = runListVersion(db, key);
  if (version === null) return null;
  let lists = perDb.get(db);
  if (!lists) perDb.set(db, (lists = new Lru(MAX_LISTS)));
  let entry = lists.get(key);
  if (entry && entry.version !== version) entry = undefined;
  if (!entry) entry = { version, checkpoints: [], complete: false };
  const cps = entry.checkpoints;
  // Extend lazily: each new checkpoint is one walk of STEP entries from the last.
  while (cps.length < want && !entry.complete) {
    const next = await walk(cps.at(-1) ?? null, CHECKPOINT_STEP);
    if (!next) entry.complete = true;
    else cps.push(next);
  }
  if (!isTransaction(db)) lists.set(key, entry);
  const have = Math.min(want, cps.length);
  return have === 0 ? null : { position: have * CHECKPOINT_STEP, at: cps[have - 1]! };
}
