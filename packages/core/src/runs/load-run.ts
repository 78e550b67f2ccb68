import { and, eq } from 'drizzle-orm';
import { runs } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { resolveActiveOrg, type OrgAccess } from '../orgs/access.ts';

/** A run of the actor's active org. Another org's run is 404, the same as a run that does not exist. */
export function loadRunFor(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string) {
  const access = resolveActiveOrg(ctx, actor, activeOrgId);
  const run = ctx.db
    .select()
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.orgId, access.org.id)))
    .get();
  if (!run) throw notFound('Run not found');
  return { run, access } as { run: typeof run; access: OrgAccess };
}
