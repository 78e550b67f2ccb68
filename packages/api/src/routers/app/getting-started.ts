import { z } from 'zod';
import { appViews } from '@baton/core';
import { mkProcedure, router } from '../../trpc.ts';

const T = appViews.appViewTypes;

/**
 * Views only the SPA asks for (over /trpc; no REST path), each about the active org (X-Org-Id):
 * mkProcedure requires a session or an mk key, and core resolves the org and checks membership.
 */
export const appViewsRouter = router({
  /** The overview's first-use checklist, ticked from the org's data. */
  gettingStarted: mkProcedure.input(z.void()).output(T.ZGettingStarted).query(async ({ ctx }) => await appViews.getGettingStarted(ctx.core, ctx.actor, ctx.requestedOrgId)),

  /** The shell's "N waiting for approval", exact, however many runs the org has. */
  pendingApprovals: mkProcedure.input(z.void()).output(T.ZPendingApprovals).query(async ({ ctx }) => await appViews.countPendingApprovals(ctx.core, ctx.actor, ctx.requestedOrgId)),

  /** A handoff's related events and which of them each item came from (the handoff page's links). */
  handoffSources: mkProcedure.input(T.ZHandoffSourcesInput).output(T.ZHandoffSources).query(async ({ ctx, input }) => await appViews.getHandoffSources(ctx.core, ctx.actor, input.id)),
});
