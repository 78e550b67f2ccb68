import { eq } from 'drizzle-orm';
import { users } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { requireRole } from '../orgs/access.ts';
import { finishRun, isTerminal } from './finish-run.ts';
import { loadRunFor } from './load-run.ts';
import { renderRun } from './render-run.ts';

/** Stops an active run now: a tool process running for it is killed. A finished run is a 400. */
export async function cancelRun(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string, reason?: string) {
  const { run, access } = await loadRunFor(ctx, actor, activeOrgId, runId);
  requireRole(access, 'member');
  if (isTerminal(run.status)) throw badRequest(`The run is already ${run.status}`);
  const who = (await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, actor.userId)))[0]?.name ?? 'a user';
  const updated = await finishRun(ctx, runId, 'cancelled', { errorMessage: `Cancelled by ${who}${reason ? `: ${reason}` : ''}` });
  if (!updated) throw badRequest('The run has already finished');
  return renderRun(updated);
}
