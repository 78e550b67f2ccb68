import { initTRPC, TRPCError, type AnyRouter } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { z } from 'zod';
import { describeError, knownError, seal, trustSealed, type AppErrorCode } from '@baton/core';
import type { Context } from './context.ts';
import { WRONG_KEY_KIND, type ResolvedActor } from '@baton/auth';

export type BatonMeta = Record<string, unknown> & {
  /** Success status for REST (201 for creation, 202 for accepted jobs); 200 when absent. */
  successStatus?: 200 | 201 | 202;
  /** Beyond the published contract; flagged as such in the served OpenAPI document. */
  extension?: boolean;
  /** Takes the mk_session cookie and no API key (logout); documented as such. `openapi.protect: false` documents no credentials at all. */
  sessionOnly?: boolean;
  /** Public (`openapi.protect: false`), but acts for the signed-in user when the mk_session cookie comes along; documented as such. */
  sessionOptional?: boolean;
};

/** [procedure path, meta] for every procedure of a router: the one place that reads tRPC's router internals. */
export function procedureMetas(router: AnyRouter): Array<[string, OpenApiMeta<BatonMeta> | undefined]> {
  const procedures = router._def.procedures as Record<string, { _def: { meta?: OpenApiMeta<BatonMeta> } }>;
  return Object.entries(procedures).map(([path, proc]) => [path, proc._def.meta]);
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta<BatonMeta>>()
  .create({
    // tRPC would decide from NODE_ENV, which a plain `npm start` leaves unset: "development", with
    // stack traces (and the server's paths) in every error. Only BATON_DEV shows them.
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      const dev = ctx?.deps.devErrors === true;
      // An error from outside the procedures' error boundary (context creation, the adapter) may carry
      // any message; like everything unexpected, it reaches the client only as "Internal server error".
      const message = error.code === 'INTERNAL_SERVER_ERROR' && !dev ? 'Internal server error' : shape.message;
      return { ...shape, message, data: dev && error.stack ? { ...shape.data, stack: error.stack } : shape.data };
    },
  });

const TRPC_CODE: Record<AppErrorCode, TRPCError['code']> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/**
 * Converts the domain's AppError into a TRPCError once, for every transport. Anything unexpected is
 * logged with its stack and reaches the client only as "Internal server error".
 */
function convertError<R extends { ok: boolean; error?: TRPCError }>(result: R, ctx: Context, path: string, type: string): R {
  if (!result.ok) {
    const error = result.error!;
    const cause = knownError(error.cause);
    if (cause) {
      if (cause.details?.retryAfterSeconds) ctx.setHeader('Retry-After', String(cause.details.retryAfterSeconds));
      throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
    }
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      ctx.core.logger.error('unhandled error', { path, type, error: describeError(error.cause ?? error), stack: (error.cause ?? error).stack });
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    }
  }
  return result;
}

const errorBoundary = t.middleware(async ({ ctx, next, path, type }) => convertError(await next(), ctx, path, type));

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorBoundary);

const unauthorized = (ctx: Context, message = ctx.credentialError ?? 'Unauthorized') => new TRPCError({ code: 'UNAUTHORIZED', message });

// The guards below also carry the error boundary: every middleware level costs each request two
// copies of tRPC's call options, so the authenticated procedures have one level, not two. They
// narrow ctx.actor by type only (`next<{ actor }>({})`): passing `{ ctx }` makes tRPC copy the
// whole context once more per request, for an object that is already right.

/** MightyKey: the mk_session cookie or an mk_live_/mk_test_ key. */
export const mkProcedure = t.procedure.use(async ({ ctx, next, path, type }) => {
  const actor = ctx.actor;
  if (!actor) throw unauthorized(ctx);
  // Over /trpc any key resolves; the REST surfaces already refused the other kind with this message.
  if (actor.via === 'fr_key') throw unauthorized(ctx, WRONG_KEY_KIND.mk);
  return convertError(await next<{ actor: ResolvedActor }>({}), ctx, path, type);
});

function tooManyRequests(ctx: Context, wait: number, message: string) {
  ctx.setHeader('Retry-After', String(wait));
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message });
}

/**
 * Flow Relay: an fr_ key (REST), or the SPA's session over /trpc. 60 requests a minute per key, as
 * the contract documents, and a ceiling per user across all of their keys, since keys are free to mint.
 */
export const relayProcedure = t.procedure.use(async ({ ctx, next, path, type }) => {
  const actor = ctx.actor;
  if (!actor) throw unauthorized(ctx);
  if (actor.via === 'mk_key') throw unauthorized(ctx, WRONG_KEY_KIND.relay);
  if (actor.keyId) {
    const { relayLimiter, relayUserLimiter } = ctx.deps;
    let wait = await relayLimiter.hit(actor.keyId);
    if (wait > 0) throw tooManyRequests(ctx, wait, `Rate limit exceeded (${relayLimiter.limit} requests a minute per key)`);
    wait = await relayUserLimiter.hit(actor.userId);
    if (wait > 0) {
      throw tooManyRequests(ctx, wait, `Rate limit exceeded (${relayUserLimiter.limit} requests a minute per user, across all of the user's Flow Relay keys)`);
    }
  }
  return convertError(await next<{ actor: ResolvedActor }>({}), ctx, path, type);
});

/** `{ data: T }`, the MightyKey success envelope. */
export const dataOf = <T extends z.ZodType>(schema: T) => z.object({ data: schema });

/**
 * The `{ data: T }` envelope for a procedure whose core function may return cached values: `output`
 * is its output schema, and `wrap` seals the envelope of a frozen value (a cache entry, which
 * cannot change) once and then hands out that same sealed envelope for as long as the value lives,
 * so such a response is validated and serialized once (core/src/util/sealed.ts). Anything else is
 * wrapped fresh and validated as usual.
 */
export function sealedDataOf<T extends z.ZodType>(schema: T) {
  const envelope = dataOf(schema);
  const sealed = new WeakMap<object, z.output<typeof envelope>>();
  return {
    output: trustSealed(envelope),
    wrap(value: z.input<T>): z.output<typeof envelope> {
      if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return { data: value } as z.output<typeof envelope>;
      let e = sealed.get(value);
      if (!e) sealed.set(value, (e = seal(envelope, { data: value } as z.input<typeof envelope>)));
      return e;
    },
  };
}

export const ZDeleted = z.object({ deleted: z.boolean(), id: z.string() });
