import type { DB } from './client.ts';

/**
 * Numbers that move whenever data an in-process cache depends on may have changed, so the caches
 * can be exact rather than merely short-lived.
 *
 * - `accessEpoch(db)`: API keys, users, organizations, memberships — what an authorization
 *   decision reads (credential and org-access caches).
 * - `runListVersion(db, key)`: which runs a list holds and in what order — a run inserted, deleted,
 *   or moved between statuses or projects (deep-page checkpoints of GET /runs).
 *
 * Writes through this connection are seen by TEMP triggers: they live only in this connection (so
 * another process opening the file never meets a function it lacks) and call back into JS on every
 * insert, update or delete, FK cascades included. Writes by any other connection or process are
 * seen through `PRAGMA data_version`, which changes after another connection commits: every
 * external commit moves every number (coarse, but exact). It is read once per macrotask, so a
 * request sees every commit made before its turn began.
 *
 * A rolled-back change has already moved the numbers: caches are dropped too often, never too
 * rarely. Callers must not fill a cache inside a transaction (it could still roll back).
 */
const ACCESS_TABLES: Array<{ table: string; updateOf?: string[] }> = [
  // last_used_at is left out: a hint touched at most once a minute per key, it decides nothing.
  { table: 'api_keys', updateOf: ['id', 'name', 'kind', 'key_hash', 'prefix', 'user_id', 'org_id', 'revoked_at'] },
  { table: 'users' },
  { table: 'organizations' },
  { table: 'memberships' },
];

interface State {
  /** Bumped by every change, local or external: the source of every version below. */
  clock: number;
  access: number;
  /** Versions of run lists by key; `floor` is where every key stands after an external commit. */
  lists: Map<string, number>;
  floor: number;
  dataVersion: () => number;
  lastDataVersion: number;
  checked: boolean;
}

// Keyed by the SQLite connection, not the drizzle wrapper: two wrappers of one connection must share
// the one set of triggers and callbacks (registering the callbacks again would orphan the first state).
const states = new WeakMap<DB['$client'], State | null>();
const disabled = new WeakSet<DB['$client']>();

/**
 * Turns Baton's read caches on or off for a connection (BATON_READ_CACHES). Off, every epoch and
 * version is null, so nothing keyed on them is kept, and readCachesEnabled() tells the caches that
 * validate against rows instead. For diagnosis and for measuring the uncached query path.
 */
export function setReadCaches(db: DB, enabled: boolean): void {
  if (enabled) disabled.delete(db.$client);
  else disabled.add(db.$client);
}

export function readCachesEnabled(db: DB): boolean {
  return !disabled.has(db.$client);
}

/** The list keys a run with (orgId, projectId, status) belongs to; see runListKey. */
function keysOf(orgId: unknown, projectId: unknown, status: unknown): string[] {
  const org = String(orgId);
  const p = projectId === null || projectId === undefined ? '' : String(projectId);
  const s = String(status);
  return [runListKey(org, null, null), runListKey(org, null, s), runListKey(org, p, null), runListKey(org, p, s)];
}

/** The identity of a run list: the org, and the project and status filters (null when not filtered). */
export function runListKey(orgId: string, projectId: string | null, status: string | null): string {
  return `${orgId}\u0000${projectId ?? '*'}\u0000${status ?? '*'}`;
}

function install(db: DB): State | null {
  const client = db.$client;
  // Not inside a transaction: a rollback would take the TEMP triggers with it. Asked again later.
  if (client.inTransaction) return null;
  const existing = new Set((client.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
  // Before migrations have run there is nothing to watch (and nothing to cache).
  if (![...ACCESS_TABLES.map((w) => w.table), 'runs'].every((t) => existing.has(t))) return null;
  const state: State = { clock: 0, access: 0, lists: new Map(), floor: 0, dataVersion: () => 0, lastDataVersion: 0, checked: false };

  client.function('baton_access_changed', { deterministic: false }, () => {
    state.access = ++state.clock;
    return null;
  });
  for (const { table, updateOf } of ACCESS_TABLES) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) {
      const what = op === 'UPDATE' && updateOf ? `UPDATE OF ${updateOf.join(', ')}` : op;
      client.exec(`CREATE TEMP TRIGGER IF NOT EXISTS baton_access_${table}_${op.toLowerCase()} AFTER ${what} ON main.${table} BEGIN SELECT baton_access_changed(); END`);
    }
  }

  client.function('baton_run_list_changed', { deterministic: false }, (orgId: unknown, projectId: unknown, status: unknown) => {
    const v = ++state.clock;
    // Bounded: past the limit every list starts over at one new version (exact, just less cached).
    if (state.lists.size > 100_000) {
      state.lists.clear();
      state.floor = v;
    }
    for (const key of keysOf(orgId, projectId, status)) state.lists.set(key, v);
    return null;
  });
  // created_at and id order a list; org_id, project_id and status decide which lists hold the run.
  client.exec(`
    CREATE TEMP TRIGGER IF NOT EXISTS baton_run_list_insert AFTER INSERT ON main.runs
      BEGIN SELECT baton_run_list_changed(NEW.org_id, NEW.project_id, NEW.status); END;
    CREATE TEMP TRIGGER IF NOT EXISTS baton_run_list_delete AFTER DELETE ON main.runs
      BEGIN SELECT baton_run_list_changed(OLD.org_id, OLD.project_id, OLD.status); END;
    CREATE TEMP TRIGGER IF NOT EXISTS baton_run_list_update AFTER UPDATE OF org_id, project_id, status, created_at, id ON main.runs
      BEGIN
        SELECT baton_run_list_changed(OLD.org_id, OLD.project_id, OLD.status);
        SELECT baton_run_list_changed(NEW.org_id, NEW.project_id, NEW.status);
      END;
  `);

  const stmt = client.prepare('PRAGMA data_version').pluck();
  state.dataVersion = () => stmt.get() as number;
  state.lastDataVersion = state.dataVersion();
  return state;
}

function stateOf(db: DB): State | null {
  if (disabled.has(db.$client)) return null;
  let state = states.get(db.$client);
  if (state === undefined) {
    state = install(db);
    if (state) states.set(db.$client, state);
  }
  if (!state) return null;
  // data_version costs about as much as a small query, and a request asks several times within
  // one macrotask, where no other connection's commit could not as well have come a moment later.
  if (!state.checked) {
    const dv = state.dataVersion();
    if (dv !== state.lastDataVersion) {
      state.lastDataVersion = dv;
      const v = ++state.clock;
      state.access = v;
      state.floor = v;
      state.lists.clear();
    }
    state.checked = true;
    const s = state;
    setImmediate(() => {
      s.checked = false;
    }).unref();
  }
  return state;
}

/** Moves when API keys, users, organizations or memberships change; null before migrations (do not cache). */
export function accessEpoch(db: DB): number | null {
  return stateOf(db)?.access ?? null;
}

/** Moves when the membership or order of the run list `key` (runListKey) may have changed; null: do not cache. */
export function runListVersion(db: DB, key: string): number | null {
  const state = stateOf(db);
  if (!state) return null;
  return state.lists.get(key) ?? state.floor;
}
