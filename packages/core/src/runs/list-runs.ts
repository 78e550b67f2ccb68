import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { inJsonArray, preparedQuery, runCounts, runs, unindexed } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { resolveActiveOrg } from '../orgs/access.ts';
import { renderRun } from './render-run.ts';
import type { TListRunsInput, TRun } from './run.types.ts';
import { cachedRun, rememberRun } from './finished-run-cache.ts';
import { checkpointFor, type ListKeyPos } from './list-checkpoints.ts';
import { cachedPage, rememberPage, type ListId, type PageEntry } from './list-page-cache.ts';

type Filter = 'all' | 'project' | 'status' | 'projectStatus';

const P = {
  fromCreatedAt: sql.placeholder('fromCreatedAt'),
  fromId: sql.placeholder('fromId'),
  orgId: sql.placeholder('orgId'),
  projectId: sql.placeholder('projectId'),
  status: sql.placeholder('status'),
  limit: sql.placeholder('limit'),
  offset: sql.placeholder('offset'),
};

function rowFilter(f: Filter): SQL {
  const parts: SQL[] = [eq(runs.orgId, P.orgId)];
  if (f === 'project' || f === 'projectStatus') parts.push(eq(runs.projectId, P.projectId));
  if (f === 'status' || f === 'projectStatus') parts.push(eq(runs.status, P.status));
  return and(...parts)!;
}

function countFilter(f: Filter): SQL {
  const parts: SQL[] = [eq(runCounts.orgId, P.orgId)];
  if (f === 'project' || f === 'projectStatus') parts.push(eq(runCounts.projectKey, P.projectId));
  if (f === 'status' || f === 'projectStatus') parts.push(eq(runCounts.status, P.status));
  return and(...parts)!;
}

/** Newest first, so "at or after" a position is (created_at, id) at or below its key. */
const atOrAfter = () => sql`(${runs.createdAt}, ${runs.id}) <= (${P.fromCreatedAt}, ${P.fromId})`;

/** The run `step` places after `from` (or after the list's start), for list-checkpoints.ts. */
async function walkList(ctx: CoreContext, f: Filter, params: Record<string, unknown>, from: ListKeyPos | null, step: number): Promise<ListKeyPos | undefined> {
  if (!from) {
    return preparedQuery(ctx.db, `walkRuns:${f}`, (db) =>
      db.select({ createdAt: runs.createdAt, id: runs.id }).from(runs).where(rowFilter(f)).orderBy(desc(runs.createdAt), desc(runs.id)).limit(1).offset(P.offset),
    ).get({ ...params, offset: step });
  }
  return preparedQuery(ctx.db, `walkRunsFrom:${f}`, (db) =>
    db
      .select({ createdAt: runs.createdAt, id: runs.id })
      .from(runs)
      .where(and(rowFilter(f), atOrAfter()))
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(1)
      .offset(P.offset),
  ).get({ ...params, offset: step, fromCreatedAt: from.createdAt, fromId: from.id });
}

/**
 * A page served whole from the caches, composed once and kept beside its cache entry (so exactly as
 * long as it is): repeated reads get the same frozen object while the page and its runs' renderings
 * stand, which the API layer validates and serializes once (util/sealed.ts), as for a run's detail.
 */
const composedPages = new WeakMap<PageEntry, { runs: readonly TRun[]; result: Readonly<{ runs: TRun[]; count: number }> }>();

function composedPage(entry: PageEntry, runsOnPage: TRun[], count: number) {
  const memo = composedPages.get(entry);
  if (memo && memo.runs.length === runsOnPage.length && memo.runs.every((r, i) => r === runsOnPage[i])) return memo.result;
  const result = Object.freeze({ runs: Object.freeze(runsOnPage) as TRun[], count });
  composedPages.set(entry, { runs: runsOnPage, result });
  return result;
}

/**
 * Newest first, within the actor's active org; `count` is the total matching the filters, read
 * from the trigger-maintained run_counts table rather than counted.
 */
export async function listRuns(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TListRunsInput) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  const f: Filter = input.projectId ? (input.status ? 'projectStatus' : 'project') : input.status ? 'status' : 'all';
  const params = { orgId: access.org.id, projectId: input.projectId ?? '', status: input.status ?? '', limit: input.limit, offset: input.offset };
  const list = { orgId: access.org.id, projectId: input.projectId ?? null, status: input.status ?? null };
  // Which runs the page holds, and the count, only change with the list's version (list-page-cache.ts).
  const { hit, version } = cachedPage(ctx.db, list, input.limit, input.offset);
  const { page, count } = hit ?? (await readPage(ctx, f, params, list));
  if (!hit) rememberPage(ctx.db, list, input.limit, input.offset, version, { page, count });
  const out: Array<TRun | undefined> = page.map((v) => cachedRun(ctx.db, v.id, v));
  const missing = page.filter((_, i) => out[i] === undefined).map((v) => v.id);
  if (hit && !missing.length) return composedPage(hit, out as TRun[], count);
  if (missing.length) {
    const rows = await preparedQuery(ctx.db, 'runsByIds', (db) =>
      db
        .select()
        .from(runs)
        // By primary key: SQLite must not walk the org's index instead (unindexed).
        .where(sql`${inJsonArray(runs.id, sql.placeholder('ids'))} AND ${unindexed(runs.orgId)} = ${P.orgId}`),
    ).all({ orgId: access.org.id, ids: JSON.stringify(missing) });
    const byId = new Map(rows.map((row) => [row.id, row]));
    page.forEach((v, i) => {
      if (out[i]) return;
      const row = byId.get(v.id);
      if (!row) return; // deleted between the two reads
      const run = renderRun(row);
      rememberRun(ctx.db, { status: row.status, projectId: row.projectId }, run);
      out[i] = run;
    });
  }
  return { runs: out.filter((r): r is TRun => r !== undefined), count };
}

/**
 * The page as (id, status, projectId) from the list index alone (it carries both), and the count
 * from run_counts. Finished runs already rendered then come from the cache (finished-run-cache.ts),
 * the rest are read in full by primary key. A deep offset starts from a checkpoint (list-checkpoints.ts).
 */
async function readPage(ctx: CoreContext, f: Filter, params: Record<string, unknown> & { offset: number }, list: ListId): Promise<PageEntry> {
  const cp = await checkpointFor(ctx.db, list, params.offset, (from, step) => walkList(ctx, f, params, from, step));
  const page = cp
    ? await preparedQuery(ctx.db, `listRunVersionsFrom:${f}`, (db) =>
        db
          .select({ id: runs.id, status: runs.status, projectId: runs.projectId })
          .from(runs)
          .where(and(rowFilter(f), atOrAfter()))
          .orderBy(desc(runs.createdAt), desc(runs.id))
          .limit(P.limit)
          .offset(P.offset),
      ).all({ ...params, offset: params.offset - cp.position, fromCreatedAt: cp.at.createdAt, fromId: cp.at.id })
    : await preparedQuery(ctx.db, `listRunVersions:${f}`, (db) =>
        db
          .select({ id: runs.id, status: runs.status, projectId: runs.projectId })
          .from(runs)
          .where(rowFilter(f))
          .orderBy(desc(runs.createdAt), desc(runs.id))
          .limit(P.limit)
          .offset(P.offset),
      ).all(params);
  const total = await preparedQuery(ctx.db, `countRuns:${f}`, (db) =>
    db.select({ n: sql<number>`coalesce(sum(${runCounts.n}), 0)` }).from(runCounts).where(countFilter(f)),
  ).get(params);
  return { page, count: Number(total?.n ?? 0) };
}
