import { and, eq, sql } from 'drizzle-orm';
import { preparedQuery, runs } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { resolveActiveOrg, type OrgAccess } from '../orgs/access.ts';
import type { RunVersion } from './finished-run-cache.ts';

/** A run of the actor's active org. Another org's run is 404, the same as a run that does not exist. */
export async function loadRunFor(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  const run = await runOfOrg(ctx, runId, access.org.id);
  if (!run) throw notFound('Run not found');
  return { run, access } as { run: typeof run; access: OrgAccess };
}

/** The run's row, if it belongs to the org. */
export async function runOfOrg(ctx: CoreContext, runId: string, orgId: string) {
  return preparedQuery(ctx.db, 'runOfOrg', (db) =>
    db
      .select()
      .from(runs)
      .where(and(eq(runs.id, sql.placeholder('runId')), eq(runs.orgId, sql.placeholder('orgId')))),
  ).get({ runId, orgId });
}

/**
 * What decides whether a rendered finished run is still right (see finished-run-cache.ts), read from
 * the run's row within the org: three small columns, no JSON to parse.
 */
export async function runVersion(ctx: CoreContext, runId: string, orgId: string): Promise<RunVersion | undefined> {
  return preparedQuery(ctx.db, 'runVersion', (db) =>
    db
      .select({ status: runs.status, lastSeq: runs.lastSeq, projectId: runs.projectId })
      .from(runs)
      .where(and(eq(runs.id, sql.placeholder('runId')), eq(runs.orgId, sql.placeholder('orgId')))),
  ).get({ runId, orgId });
}
