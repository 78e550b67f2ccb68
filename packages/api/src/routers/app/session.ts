import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { findUserById, listActorOrgs, listOutbox } from '@baton/core';
import { mkProcedure, router } from '../../trpc.ts';

/** Procedures only the SPA uses (over /trpc); they have no REST path. */
export const sessionRouter = router({
  me: mkProcedure.input(z.void()).query(async ({ ctx }) => {
    const user = await findUserById(ctx.core, ctx.actor.userId);
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Unauthorized' });
    return {
      user: { id: user.id, email: user.email, name: user.name, isInstanceAdmin: user.isInstanceAdmin },
      organizations: (await listActorOrgs(ctx.core, ctx.actor)).map(({ org, role }) => ({ id: org.id, name: org.name, slug: org.slug, role })),
    };
  }),

  /** Mail kept locally when no SMTP server is configured; instance admins only. */
  outbox: mkProcedure.input(z.object({ limit: z.number().int().min(1).max(200).default(50) })).query(async ({ ctx, input }) => {
    const user = await findUserById(ctx.core, ctx.actor.userId);
    if (!user?.isInstanceAdmin) throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an instance admin can read the mail outbox' });
    return await listOutbox(ctx.core, input.limit);
  }),
});
