import { and, eq, inArray, ne } from 'drizzle-orm';
import { apiKeys, approvals, contextFacets, projects, runs } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { resolveActiveOrg } from '../orgs/access.ts';
import { BATON_SOURCE } from '../relay/context-event.types.ts';
import type { TGettingStarted } from './app-views.types.ts';

/**
 * The overview's first-use checklist for the active org, worked out from its data each time, so a
 * step done anywhere (the API, another member, another tab) ticks itself. Each check stops at the
 * first row it finds. Any role may read it: it says what the org has done, not what the reader may do.
 */
export async function getGettingStarted(ctx: CoreContext, actor: Actor, activeOrgId: string | null): Promise<TGettingStarted> {
  const orgId = (await resolveActiveOrg(ctx, actor, activeOrgId)).org.id;
  const db = ctx.db;
  const project = await db.select({ id: projects.id }).from(projects).where(eq(projects.orgId, orgId)).limit(1);
  const run = await db.select({ id: runs.id }).from(runs).where(eq(runs.orgId, orgId)).limit(1);
  // The org's runs (runs_org_created_idx), each probed through approvals_run_status_idx. Approvals
  // carry no org, so an org that never decided one reads its runs' index once per check.
  const decided = await db
    .select({ id: approvals.id })
    .from(runs)
    .innerJoin(approvals, and(eq(approvals.runId, runs.id), inArray(approvals.status, ['approved', 'denied'])))
    .where(eq(runs.orgId, orgId))
    .limit(1);
  // Revoked keys count: the step was done, and the checklist should not come back.
  const key = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.orgId, orgId)).limit(1);
  // A source is connected once its events reached a project; every recorded event leaves facets
  // (at least its event type), kept per project, so this reads no events.
  const sources = await db
    .selectDistinct({ source: contextFacets.source })
    .from(projects)
    .innerJoin(contextFacets, eq(contextFacets.projectId, projects.id))
    .where(and(eq(projects.orgId, orgId), ne(contextFacets.source, BATON_SOURCE)));
  const connectedSources = sources.map((s) => s.source).sort();
  const steps = {
    createProject: project.length > 0,
    startRun: run.length > 0,
    approveAction: decided.length > 0,
    connectSource: connectedSources.length > 0,
    createApiKey: key.length > 0,
  };
  return { steps, connectedSources, complete: Object.values(steps).every(Boolean) };
}
