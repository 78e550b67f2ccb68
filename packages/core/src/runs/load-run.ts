import { and, eq, sql } from 'drizzle-orm';
import { prepared } from '../util/prepared.ts';
import { runs } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { resolveActiveOrg, type OrgAccess } from '../orgs/access.ts';

/** A run of the actor's active org. Another org's run is 404, the same as a run that does not exist. */
export function loadRunFor(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string) {
  const access = resolveActiveOrg(ctx, actor, activeOrgId);
  const run = prepared(ctx.db, 'runOfOrg', (db) =>
    db
      .select()
      .from(runs)
      .where(and(eq(runs.id, sql.placeholder('runId')), eq(runs.orgId, sql.placeholder('orgId'))))
      .prepare(),
  ).get({ runId, orgId: access.org.id });
  if (!run) throw notFound('Run not found');
  return { run, access } as { run: typeof run; access: OrgAccess };
}
