import { isTransaction, readCachesEnabled, type DB } from '@baton/db';
import { deepFreeze } from '../util/deep-freeze.ts';
import { Lru } from '../util/lru.ts';
import { isTerminal } from './finish-run.ts';
import type { TApproval, TRun, TRunEvent } from './run.types.ts';

/**
 * Rendered finished runs, reused by GET /runs/{id} and GET /runs.
 *
 * Once a run is completed, failed or cancelled nothing about it changes: events are append-only and
 * finishing appends the last one, pending approvals are expired in the same transaction, and
 * deciding or expiring an approval of a finished run is refused. The one later change is
 * `projectId` becoming null when the project is deleted. So a rendered finished run stays right as
 * long as (status, projectId) are what the database says now — and, for a detail with its events,
 * lastSeq too, as a second guard. Every read takes those from the run's row or the list index,
 * scoped to the caller's org — or, for a detail, from `confirmedVersion` below while the org's
 * run-list version has not moved — and only then uses the cache.
 * Nothing is cached inside a transaction, which could still roll back, nor with
 * BATON_READ_CACHES=false.
 *
 * Cached values are deep-frozen. Bounded by weight (one per run, plus one per event and approval
 * of a cached detail), least recently used first out.
 */
export interface RunVersion {
  status: string;
  /** Checked for details only: a list item (TRun) holds nothing that depends on the events. */
  lastSeq?: number;
  projectId: string | null;
}

interface Entry<T> {
  version: RunVersion;
  value: T;
}

export interface RunDetailParts {
  events: TRunEvent[];
  approvals: TApproval[];
}

/** About 20,000 rendered runs, or fewer runs with their events: some megabytes at most. */
const RUNS_MAX_WEIGHT = 20_000;
const DETAILS_MAX_WEIGHT = 50_000;

interface Caches {
  runs: Lru<string, Entry<TRun>>;
  details: Lru<string, Entry<RunDetailParts>>;
}
const perDb = new WeakMap<DB, Caches>();

function cachesOf(db: DB): Caches {
  let c = perDb.get(db);
  if (!c) perDb.set(db, (c = { runs: new Lru(RUNS_MAX_WEIGHT), details: new Lru(DETAILS_MAX_WEIGHT) }));
  return c;
}

const cacheable = (db: DB, v: RunVersion) => isTerminal(v.status) && !isTransaction(db) && readCachesEnabled(db);

/** The cached value if `v` is still what it was cached under; a stale entry is dropped. */
function valid<T>(lru: Lru<string, Entry<T>>, id: string, v: RunVersion, checkLastSeq: boolean): T | undefined {
  const e = lru.get(id);
  if (!e) return undefined;
  if (e.version.status !== v.status || e.version.projectId !== v.projectId || (checkLastSeq && e.version.lastSeq !== v.lastSeq)) {
    lru.delete(id);
    return undefined;
  }
  return e.value;
}

const snapshot = (v: RunVersion): RunVersion => ({ status: v.status, lastSeq: v.lastSeq, projectId: v.projectId });

export function cachedRun(db: DB, id: string, v: RunVersion): TRun | undefined {
  return isTerminal(v.status) && readCachesEnabled(db) ? valid(cachesOf(db).runs, id, v, false) : undefined;
}

export function rememberRun(db: DB, v: RunVersion, run: TRun) {
  if (cacheable(db, v)) cachesOf(db).runs.set(run.id, { version: snapshot(v), value: deepFreeze(run) });
}

export function cachedDetail(db: DB, id: string, v: RunVersion): RunDetailParts | undefined {
  return isTerminal(v.status) && readCachesEnabled(db) ? valid(cachesOf(db).details, id, v, true) : undefined;
}

export function rememberDetail(db: DB, id: string, v: RunVersion, parts: RunDetailParts) {
  const weight = 1 + parts.events.length + parts.approvals.length;
  // One huge run must not push out thousands of others.
  if (cacheable(db, v) && weight <= DETAILS_MAX_WEIGHT / 10) cachesOf(db).details.set(id, { version: snapshot(v), value: deepFreeze(parts) }, weight);
}

/**
 * "At list version L of its org, this finished run was (status, lastSeq, projectId)": lets a detail
 * read skip re-reading the row. The org's unfiltered run-list version (change-epochs.ts) moves when
 * any run of the org is inserted, deleted, or changes status or project — the only changes a
 * finished run can see — so while it stands still, so does the run.
 */
const confirmedPerDb = new WeakMap<DB, Lru<string, { orgId: string; listVersion: number; version: RunVersion }>>();
const CONFIRMED_MAX = 20_000;

export function confirmedVersion(db: DB, runId: string, orgId: string, listVersion: number | null): RunVersion | undefined {
  if (listVersion === null) return undefined;
  const e = confirmedPerDb.get(db)?.get(runId);
  return e && e.orgId === orgId && e.listVersion === listVersion ? e.version : undefined;
}

export function confirmVersion(db: DB, runId: string, orgId: string, listVersion: number | null, version: RunVersion) {
  if (listVersion === null || !cacheable(db, version)) return;
  let m = confirmedPerDb.get(db);
  if (!m) confirmedPerDb.set(db, (m = new Lru(CONFIRMED_MAX)));
  m.set(runId, { orgId, listVersion, version: snapshot(version) });
}

/** For tests and the bench: how many runs and details are held. */
export function finishedRunCacheSize(db: DB) {
  const c = cachesOf(db);
  return { runs: c.runs.size, details: c.details.size };
}
