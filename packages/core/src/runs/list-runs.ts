import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { runs } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { resolveActiveOrg } from '../orgs/access.ts';
import { renderRun } from './render-run.ts';
import type { TListRunsInput } from './run.types.ts';

/** Newest first, within the actor's active org; `count` is the total matching the filters. */
export function listRuns(ctx: CoreContext, actor: Actor, activeOrgId: string | null, input: TListRunsInput) {
  const access = resolveActiveOrg(ctx, actor, activeOrgId);
  const filters: SQL[] = [eq(runs.orgId, access.org.id)];
  if (input.projectId) filters.push(eq(runs.projectId, input.projectId));
  if (input.status) filters.push(eq(runs.status, input.status));
  const where = and(...filters);
  const rows = ctx.db.select().from(runs).where(where).orderBy(desc(runs.createdAt), desc(runs.id)).limit(input.limit).offset(input.offset).all();
  const total = ctx.db.select({ n: count() }).from(runs).where(where).get()?.n ?? 0;
  return { runs: rows.map(renderRun), count: total };
}
