import { eq, sql } from 'drizzle-orm';
import { creditLedger, organizations, runs } from '@baton/db';
import { withTransaction, type CoreContext } from '../context.ts';
import type { Usage } from '../engine/drivers/driver.ts';
import { appendRunEvent } from '../runs/append-events.ts';
import { newTimeOrderedId } from '../util/ids.ts';
import { formatMicros } from '../util/money.ts';

export function priceMicros(ctx: CoreContext, usage: Usage): number {
  const prices = ctx.config.engine.prices;
  const p = prices[usage.model] ?? prices['*'] ?? { input: 0, output: 0 };
  return Math.round(usage.tokensInput * p.input + usage.tokensOutput * p.output);
}

/**
 * Charges one model call: a cost_update event, a ledger row, the org balance and the run totals,
 * all in one transaction (the caller's, when there is one) so none can exist without the others.
 */
export async function chargeUsage(ctx: CoreContext, run: { id: string; orgId: string }, usage: Usage): Promise<void> {
  const cost = priceMicros(ctx, usage);
  await withTransaction(ctx, async (ctx) => {
    const org = (
      await ctx.db
        .update(organizations)
        .set({ creditBalance: sql`${organizations.creditBalance} - ${cost}` })
        .where(eq(organizations.id, run.orgId))
        .returning({ balance: organizations.creditBalance })
    )[0];
    await ctx.db
      .update(runs)
      .set({
        totalCreditsUsed: sql`${runs.totalCreditsUsed} + ${cost}`,
        totalTokensInput: sql`${runs.totalTokensInput} + ${usage.tokensInput}`,
        totalTokensOutput: sql`${runs.totalTokensOutput} + ${usage.tokensOutput}`,
        modelUsed: usage.model,
      })
      .where(eq(runs.id, run.id));
    const event = await appendRunEvent(ctx, run.id, {
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
    await ctx.db
      .insert(creditLedger)
      .values({
        id: newTimeOrderedId(),
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
      });
  });
}

export async function orgBalanceMicros(ctx: CoreContext, orgId: string): Promise<number> {
  return (await ctx.db.select({ b: organizations.creditBalance }).from(organizations).where(eq(organizations.id, orgId)))[0]?.b ?? 0;
}
