import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { AppError, findUserByEmail, registerUser, requestPasswordReset, resetPassword, unauthorized, userTypes, orgTypes } from '@baton/core';
import { hashPassword, verifyPassword } from '@baton/auth';
import { dataOf, mkProcedure, publicProcedure, router } from '../../trpc.ts';

const tags = ['Auth'];
const ZMessage = dataOf(z.object({ message: z.string() }));

export const authRouter = router({
  register: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/register', tags, operationId: 'register', protect: false, summary: 'Register a new account' }, successStatus: 201 })
    .input(userTypes.ZRegisterInput)
    .output(dataOf(z.object({ user: userTypes.ZUserSummary, organization: orgTypes.ZOrgSummary })))
    .mutation(async ({ ctx, input }) => {
      const passwordHash = await hashPassword(input.password);
      return { data: await registerUser(ctx.core, { email: input.email, name: input.name, orgName: input.orgName, passwordHash }) };
    }),

  login: publicProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/login', tags, operationId: 'login', protect: false, summary: 'Log in with email and password', errorResponses: { 401: 'Invalid email or password', 429: 'Too many failed attempts' } },
    })
    .input(userTypes.ZLoginInput)
    .output(dataOf(z.object({ user: userTypes.ZUserSummary })))
    .mutation(async ({ ctx, input }) => {
      const throttle = ctx.deps.loginThrottle;
      const wait = await throttle.retryAfter(input.email, ctx.ip);
      if (wait > 0) {
        throw new AppError('TOO_MANY_REQUESTS', 'Too many failed login attempts; try again later', { retryAfterSeconds: wait });
      }
      const user = await findUserByEmail(ctx.core, input.email);
      const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
      if (!user || !ok) {
        await throttle.recordFailure(input.email, ctx.ip);
        throw unauthorized('Invalid email or password');
      }
      await throttle.recordSuccess(input.email);
      ctx.appendCookie(await ctx.deps.sessions.createSessionCookie(user.id, ctx.secure));
      return { data: { user: { id: user.id, email: user.email, name: user.name } } };
    }),

  logout: mkProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/logout', tags, operationId: 'logout', summary: 'Log out (invalidate session)' }, sessionOnly: true })
    .input(z.object({}).optional())
    .output(dataOf(z.object({ loggedOut: z.boolean() })))
    .mutation(async ({ ctx }) => {
      if (ctx.actor.via !== 'session' || !ctx.actor.sessionId) {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Logging out needs the mk_session cookie' });
      }
      await ctx.deps.sessions.invalidate(ctx.actor.sessionId);
      ctx.appendCookie(ctx.deps.sessions.blankSessionCookie(ctx.secure));
      return { data: { loggedOut: true } };
    }),

  forgotPassword: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/forgot-password', tags, operationId: 'forgotPassword', protect: false, summary: 'Request a password reset email' } })
    .input(userTypes.ZForgotPasswordInput)
    .output(ZMessage)
    .mutation(async ({ ctx, input }) => {
      // Past 3 mails in 15 minutes for one address, quietly send nothing: same answer, same timing.
      if ((await ctx.deps.resetMailLimiter.hit(input.email)) === 0) await requestPasswordReset(ctx.core, input.email);
      return { data: { message: 'If an account exists for that email, a password reset link has been sent.' } };
    }),

  resetPassword: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/reset-password', tags, operationId: 'resetPassword', protect: false, summary: 'Reset password using a token' } })
    .input(userTypes.ZResetPasswordInput)
    .output(ZMessage)
    .mutation(async ({ ctx, input }) => {
      const passwordHash = await hashPassword(input.password);
      await resetPassword(ctx.core, input.token, passwordHash);
      return { data: { message: 'Password has been reset. Sign in with the new password.' } };
    }),
});
