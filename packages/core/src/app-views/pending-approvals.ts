import { and, countDistinct, eq, inArray } from 'drizzle-orm';
import { approvals, RUN_STAGES, runs } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { resolveActiveOrg } from '../orgs/access.ts';
import type { TPendingApprovals } from './app-views.types.ts';

/**
 * How many of the active org's runs wait for a person. A waiting run holds a pending approval (the
 * engine parks it with that approval's id in its state, and approving, denying or ending the run
 * settles the approval in the same commit), so this counts runs in progress that have one. It reads
 * only the org's runs in progress (runs_org_status_created_idx: one range per stage), each probed
 * through approvals_run_status_idx — finished runs, however many, are never touched.
 */
export async function countPendingApprovals(ctx: CoreContext, actor: Actor, activeOrgId: string | null): Promise<TPendingApprovals> {
  const orgId = (await resolveActiveOrg(ctx, actor, activeOrgId)).org.id;
  const [row] = await ctx.db
    .select({ inProgress: countDistinct(runs.id), waiting: countDistinct(approvals.runId) })
    .from(runs)
    .leftJoin(approvals, and(eq(approvals.runId, runs.id), eq(approvals.status, 'pending')))
    .where(and(eq(runs.orgId, orgId), inArray(runs.status, [...RUN_STAGES])));
  return { count: Number(row?.waiting ?? 0), inProgress: Number(row?.inProgress ?? 0) };
}
