import { readCachesEnabled, RUN_TERMINAL, type DB } from '@baton/db';
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
  status: string;
  lastSeq: number | undefined;
  projectId: string | null;
  value: T;
  weight: number;
}

export interface RunDetailParts {
  events: TRunEvent[];
  approvals: TApproval[];
}

const TERMINAL = new Set<string>(RUN_TERMINAL);
export const isFinishedStatus = (status: string) => TERMINAL.has(status);

class Lru<T> {
  private entries = new Map<string, Entry<T>>();
  private weight = 0;
  constructor(
    private readonly maxWeight: number,
    private readonly checkLastSeq: boolean,
  ) {}

  get(id: string, v: RunVersion): T | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.status !== v.status || e.projectId !== v.projectId || (this.checkLastSeq && e.lastSeq !== v.lastSeq)) {
      this.delete(id);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(id);
    this.entries.set(id, e);
    return e.value;
  }

  set(id: string, v: RunVersion, value: T, weight: number) {
    if (weight > this.maxWeight / 10) return;
    this.delete(id);
    this.entries.set(id, { status: v.status, lastSeq: v.lastSeq, projectId: v.projectId, value, weight });
    this.weight += weight;
    for (const [key, e] of this.entries) {
      if (this.weight <= this.maxWeight) break;
      this.entries.delete(key);
      this.weight -= e.weight;
    }
  }

  private delete(id: string) {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.weight -= e.weight;
  }

  get size() {
    return this.entries.size;
  }
}

/** About 20,000 rendered runs, or fewer runs with their events: some megabytes at most. */
const RUNS_MAX_WEIGHT = 20_000;
const DETAILS_MAX_WEIGHT = 50_000;

interface Caches {
  runs: Lru<TRun>;
  details: Lru<RunDetailParts>;
}
const perDb = new WeakMap<DB, Caches>();

function cachesOf(db: DB): Caches {
  let c = perDb.get(db);
  if (!c) perDb.set(db, (c = { runs: new Lru(RUNS_MAX_WEIGHT, false), details: new Lru(DETAILS_MAX_WEIGHT, true) }));
  return c;
}

/** Shared between requests, so nobody may change them: a mutation throws instead of leaking. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const cacheable = (db: DB, v: RunVersion) => isFinishedStatus(v.status) && !db.$client.inTransaction && readCachesEnabled(db);

export function cachedRun(db: DB, id: string, v: RunVersion): TRun | undefined {
  return isFinishedStatus(v.status) && readCachesEnabled(db) ? cachesOf(db).runs.get(id, v) : undefined;
}

export function rememberRun(db: DB, v: RunVersion, run: TRun) {
  if (cacheable(db, v)) cachesOf(db).runs.set(run.id, v, deepFreeze(run), 1);
}

export function cachedDetail(db: DB, id: string, v: RunVersion): RunDetailParts | undefined {
  return isFinishedStatus(v.status) && readCachesEnabled(db) ? cachesOf(db).details.get(id, v) : undefined;
}

export function rememberDetail(db: DB, id: string, v: RunVersion, parts: RunDetailParts) {
  if (cacheable(db, v)) cachesOf(db).details.set(id, v, deepFreeze(parts), 1 + parts.events.length + parts.approvals.length);
}

/**
 * "At list version L of its org, this finished run was (status, lastSeq, projectId)": lets a detail
 * read skip re-reading the row. The org's unfiltered run-list version (change-epochs.ts) moves when
 * any run of the org is inserted, deleted, or changes status or project — the only changes a
 * finished run can see — so while it stands still, so does the run.
 */
const confirmedPerDb = new WeakMap<DB, Map<string, { orgId: string; listVersion: number; version: RunVersion }>>();
const CONFIRMED_MAX = 20_000;

export function confirmedVersion(db: DB, runId: string, orgId: string, listVersion: number | null): RunVersion | undefined {
  if (listVersion === null) return undefined;
  const e = confirmedPerDb.get(db)?.get(runId);
  return e && e.orgId === orgId && e.listVersion === listVersion ? e.version : undefined;
}

export function confirmVersion(db: DB, runId: string, orgId: string, listVersion: number | null, version: RunVersion) {
  if (listVersion === null || !cacheable(db, version)) return;
  let m = confirmedPerDb.get(db);
  if (!m) confirmedPerDb.set(db, (m = new Map()));
  if (m.size >= CONFIRMED_MAX) m.clear();
  m.set(runId, { orgId, listVersion, version: { status: version.status, lastSeq: version.lastSeq, projectId: version.projectId } });
}

/** For tests and the bench: how many runs and details are held. */
export function finishedRunCacheSize(db: DB) {
  const c = cachesOf(db);
  return { runs: c.runs.size, details: c.details.size };
}
