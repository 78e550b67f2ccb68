import { isTransaction, runListKey, runListVersion, type DB } from '@baton/db';
import { deepFreeze } from '../util/deep-freeze.ts';
import { Lru } from '../util/lru.ts';

/**
 * A page of GET /runs as (id, status, projectId) tuples plus the list's count, kept while the list's
 * version stands still. runListVersion (packages/db/src/change-epochs.ts) moves whenever a run of
 * the org is inserted, deleted, or changes status or project — here or in another process — and
 * that is everything that decides which runs a page holds, in what order, with what status and
 * project, and how many the list has. The runs themselves are not kept here: finished ones come
 * from finished-run-cache.ts (validated against these tuples), the others are read fresh by id,
 * since a run in progress changes (credits, tokens) without changing status.
 * Never filled inside a transaction. Least recently used first out.
 */
export interface PageEntry {
  page: Array<{ id: string; status: string; projectId: string | null }>;
  count: number;
}

const MAX_PAGES = 2_000;
const perDb = new WeakMap<DB, Lru<string, { version: number; entry: PageEntry }>>();

export interface ListId {
  orgId: string;
  projectId: string | null;
  status: string | null;
}

const pageKey = (list: ListId, limit: number, offset: number) => `${runListKey(list.orgId, list.projectId, list.status)}\u0000${limit}\u0000${offset}`;

/** The page if it is still exactly right, and the version to store a fresh one under (null: do not store). */
export function cachedPage(db: DB, list: ListId, limit: number, offset: number): { hit: PageEntry | undefined; version: number | null } {
  const version = runListVersion(db, runListKey(list.orgId, list.projectId, list.status));
  if (version === null) return { hit: undefined, version };
  const e = perDb.get(db)?.get(pageKey(list, limit, offset));
  return { hit: e && e.version === version ? e.entry : undefined, version };
}

export function rememberPage(db: DB, list: ListId, limit: number, offset: number, version: number | null, entry: PageEntry) {
  if (version === null || isTransaction(db)) return;
  let pages = perDb.get(db);
  if (!pages) perDb.set(db, (pages = new Lru(MAX_PAGES)));
  pages.set(pageKey(list, limit, offset), { version, entry: deepFreeze(entry) });
}
