import { orgEvents, ORG_EVENT_TYPES } from '@baton/db';
import { inUnit, type CoreContext } from '../context.ts';
import { newTimeOrderedId } from '../util/ids.ts';

export type OrgEventType = (typeof ORG_EVENT_TYPES)[number];

/**
 * Records an org event (`member.invited`, `member.removed`, …) in the org_events outbox, for
 * webhook delivery (not built yet) to read. It must be written in the unit of work of the change it
 * records, so that the event commits exactly when the change does: called outside a unit it throws.
 */
export async function recordOrgEvent(ctx: CoreContext, orgId: string, type: OrgEventType, payload: Record<string, unknown>): Promise<void> {
  if (!inUnit(ctx)) throw new Error(`org event ${type} must be recorded in the unit of work of its change`);
  await ctx.db.insert(orgEvents).values({ id: newTimeOrderedId(), orgId, type, payload, createdAt: ctx.now().toISOString() });
}
