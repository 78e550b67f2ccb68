import type { DB } from './client.ts';

/**
 * A number that changes whenever anything an authorization decision reads may have changed: API
 * keys, users, organizations, memberships. In-process caches of those lookups (credentials, org
 * access) keep the epoch they were filled at and are dropped when it moves.
 *
 * - Writes through this connection: TEMP triggers (they live only in this connection, so other
 *   processes opening the file never see a function they lack) call back into JS on every insert,
 *   update or delete of the watched tables, FK cascades included. API keys' `last_used_at` is left
 *   out: it is a hint touched at most once a minute per key and decides nothing.
 * - Writes by any other connection or process: `PRAGMA data_version` changes after another
 *   connection commits, so every external commit moves the epoch (coarse, but exact). It is read
 *   once per macrotask: a request sees every commit made before its turn began.
 *
 * A rolled-back change has already moved the epoch: caches are dropped too often, never too rarely.
 * Callers must not fill a cache inside a transaction (it could still roll back).
 */
const WATCHED: Array<{ table: string; updateOf?: string[] }> = [
  { table: 'api_keys', updateOf: ['id', 'name', 'kind', 'key_hash', 'prefix', 'user_id', 'org_id', 'revoked_at'] },
  { table: 'users' },
  { table: 'organizations' },
  { table: 'memberships' },
];

interface EpochState {
  epoch: number;
  dataVersion: () => number;
  lastDataVersion: number;
  /** data_version was read in the current macrotask (cleared by setImmediate). */
  checked: boolean;
}

const states = new WeakMap<DB, EpochState | null>();

function install(db: DB): EpochState | null {
  const client = db.$client;
  const existing = new Set(
    (client.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name),
  );
  // Before migrations have run there is nothing to watch (and nothing to cache).
  if (!WATCHED.every((w) => existing.has(w.table))) return null;
  const state: EpochState = { epoch: 0, dataVersion: () => 0, lastDataVersion: 0, checked: false };
  client.function('baton_access_changed', { deterministic: false, varargs: false }, () => {
    state.epoch++;
    return null;
  });
  for (const { table, updateOf } of WATCHED) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) {
      const what = op === 'UPDATE' && updateOf ? `UPDATE OF ${updateOf.join(', ')}` : op;
      client.exec(
        `CREATE TEMP TRIGGER IF NOT EXISTS baton_access_${table}_${op.toLowerCase()} AFTER ${what} ON main.${table} BEGIN SELECT baton_access_changed(); END`,
      );
    }
  }
  const stmt = client.prepare('PRAGMA data_version').pluck();
  state.dataVersion = () => stmt.get() as number;
  state.lastDataVersion = state.dataVersion();
  return state;
}

/** The current access epoch of this connection, or null when the schema is not there yet (do not cache). */
export function accessEpoch(db: DB): number | null {
  let state = states.get(db);
  if (state === undefined) {
    state = install(db);
    if (state) states.set(db, state);
  }
  if (!state) return null;
  // Reading data_version costs about as much as a small query, and a request asks two or three
  // times (key, org access) within one macrotask, where no other connection's commit can become
  // visible in between that could not as well have come a moment later: read it once per macrotask.
  if (!state.checked) {
    const dv = state.dataVersion();
    if (dv !== state.lastDataVersion) {
      state.lastDataVersion = dv;
      state.epoch++;
    }
    state.checked = true;
    const s = state;
    setImmediate(() => {
      s.checked = false;
    }).unref();
  }
  return state.epoch;
}
