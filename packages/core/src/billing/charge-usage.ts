import { eq, sql } from 'drizzle-orm';
import { creditLedger, organizations, runs } from '@baton/db';
import type { CoreContext } from '../context.ts';
import type { Usage } from '../engine/drivers/driver.ts';
import { appendRunEvent } from '../runs/append-events.ts';
import { newId } from '../util/ids.ts';
import { formatMicros } from '../util/money.ts';

export function priceMicros(ctx: CoreContext, usage: Usage): number {
  const prices = ctx.config.engine.prices;
  const p = prices[usage.model] ?? prices['*'] ?? { input: 0, output: 0 };
  return Math.round(usage.tokensInput * p.input + usage.tokensOutput * p.output);
}

/**
 * Charges one model call: a cost_update event, a ledger row, the org balance and the run totals,
 * all in the caller's transaction so none can exist without the others.
 */
export function chargeUsage(ctx: CoreContext, run: { id: string; orgId: string }, usage: Usage): void {
  const cost = priceMicros(ctx, usage);
  const org = ctx.db
    .update(organizations)
    .set({ creditBalance: sql`${organizations.creditBalance} - ${cost}` })
    .where(eq(organizations.id, run.orgId))
    .returning({ balance: organizations.creditBalance })
    .get();
  ctx.db
    .update(runs)
    .set({
      totalCreditsUsed: sql`${runs.totalCreditsUsed} + ${cost}`,
      totalTokensInput: sql`${runs.totalTokensInput} + ${usage.tokensInput}`,
      totalTokensOutput: sql`${runs.totalTokensOutput} + ${usage.tokensOutput}`,
      modelUsed: usage.model,
    })
    .where(eq(runs.id, run.id))
    .run();
  const event = appendRunEvent(ctx, run.id, {
    eventType: 'cost_update',
    data: {
      model: usage.model,
      tokensInput: usage.tokensInput,
      tokensOutput: usage.tokensOutput,
      creditsCharged: formatMicros(cost),
      creditBalance: formatMicros(org?.balance ?? 0),
    },
    modelUsed: usage.model,
    tokensUsed: usage.tokensInput + usage.tokensOutput,
  });
  ctx.db
    .insert(creditLedger)
    .values({
      id: newId(),
      orgId: run.orgId,
      kind: 'usage',
      amount: -cost,
      runId: run.id,
      eventId: event.id,
      eventType: 'cost_update',
      modelUsed: usage.model,
      tokensInput: usage.tokensInput,
      tokensOutput: usage.tokensOutput,
      description: `Model ${usage.model}: ${usage.tokensInput} in, ${usage.tokensOutput} out`,
      createdAt: ctx.now().toISOString(),
    })
    .run();
}

export function orgBalanceMicros(ctx: CoreContext, orgId: string): number {
  return ctx.db.select({ b: organizations.creditBalance }).from(organizations).where(eq(organizations.id, orgId)).get()?.b ?? 0;
}
