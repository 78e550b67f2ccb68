import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { runCounts, runs } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { resolveActiveOrg } from '../orgs/access.ts';
import { prepared } from '../util/prepared.ts';
import { renderRun } from './render-run.ts';
import type { TListRunsInput } from './run.types.ts';

type Filter = 'all' | 'project' | 'status' | 'projectStatus';

const P = {
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

/**
 * Newest first, within the actor's active org; `count` is the total matching the filters, read
 * from the trigger-maintained run_counts table rather than counted.
 */
export function listRuns(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TListRunsInput) {
  const access = resolveActiveOrg(ctx, actor, activeOrgId);
  const f: Filter = input.projectId ? (input.status ? 'projectStatus' : 'project') : input.status ? 'status' : 'all';
  const params = { orgId: access.org.id, projectId: input.projectId ?? '', status: input.status ?? '', limit: input.limit, offset: input.offset };
  const rows = prepared(ctx.db, `listRuns:${f}`, (db) =>
    db.select().from(runs).where(rowFilter(f)).orderBy(desc(runs.createdAt), desc(runs.id)).limit(P.limit).offset(P.offset).prepare(),
  ).all(params);
  const total = prepared(ctx.db, `countRuns:${f}`, (db) =>
    db.select({ n: sql<number>`coalesce(sum(${runCounts.n}), 0)` }).from(runCounts).where(countFilter(f)).prepare(),
  ).get(params);
  return { runs: rows.map(renderRun), count: Number(total?.n ?? 0) };
}
