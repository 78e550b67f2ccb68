import { describe, expect, it } from 'vitest';
import { initTRPC, TRPCError, type AnyProcedure } from '@trpc/server';
import { z } from 'zod';
import { callProcedure } from '../src/rest.ts';

/*
 * The REST handler calls procedures through its own copy of tRPC's caller (rest.ts callProcedure),
 * which only copies the call options more cheaply. Whatever tRPC's caller does, it must do too: an
 * upgrade of @trpc/server that changes the middleware protocol fails here first.
 */
const t = initTRPC.context<{ user: string | null; seen: string[] }>().create();

const authed = t.procedure.use(async ({ ctx, next, type, path }) => {
  ctx.seen.push(`authed ${type} ${path}`);
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'who are you?' });
  return next({ ctx: { role: ctx.user === 'root' ? 'admin' : 'member' } });
});

const procedures = {
  echo: authed
    .input(z.object({ n: z.coerce.number().int(), tag: z.string().default('none') }))
    .output(z.object({ doubled: z.number(), tag: z.string(), role: z.string(), path: z.string() }))
    .query(({ input, ctx, path }) => {
      ctx.seen.push('resolver');
      return { doubled: input.n * 2, tag: input.tag, role: ctx.role, path, extra: 'dropped by the output parser' };
    }),
  chained: authed
    .use(async ({ next, input }) => {
      const result = await next({ input: { ...(input as object), stamped: true } });
      return result;
    })
    .input(z.object({ id: z.string() }))
    .mutation(({ input }) => ({ input })),
  broken: authed.output(z.object({ ok: z.literal(true) })).query(() => ({ ok: false }) as never),
  throws: authed.query(() => {
    throw new Error('boom');
  }),
  forgetful: t.procedure.use((async () => undefined) as never).query(() => 'never reached'),
};
const router = t.router(procedures);

type Outcome = { ok: true; data: unknown; seen: string[] } | { ok: false; code: string; message: string; cause?: string; seen: string[] };

async function both(name: keyof typeof procedures, user: string | null, rawInput: unknown): Promise<[Outcome, Outcome]> {
  const procedure = router._def.procedures[name] as AnyProcedure;
  const run = async (call: (opts: Parameters<AnyProcedure>[0]) => Promise<unknown>): Promise<Outcome> => {
    const ctx = { user, seen: [] as string[] };
    try {
      const data = await call({ path: name, type: procedure._def.type, ctx, getRawInput: async () => rawInput } as Parameters<AnyProcedure>[0]);
      return { ok: true, data, seen: ctx.seen };
    } catch (e) {
      const err = e as TRPCError;
      return { ok: false, code: err.code, message: err.message, cause: (err.cause as Error | undefined)?.message, seen: ctx.seen };
    }
  };
  return [await run((opts) => procedure(opts)), await run((opts) => callProcedure(procedure, opts as never))];
}

describe("callProcedure behaves as tRPC's own caller", () => {
  it('passes ctx added by a middleware, the parsed input, path and type, and applies the output parser', async () => {
    const [theirs, ours] = await both('echo', 'root', { n: '21' });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ ok: true, data: { doubled: 42, tag: 'none', role: 'admin', path: 'echo' }, seen: ['authed query echo', 'resolver'] });
  });

  it('merges an input a middleware passes on with the parsed one', async () => {
    const [theirs, ours] = await both('chained', 'ann', { id: 'x' });
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject({ ok: true, data: { input: { id: 'x', stamped: true } } });
  });

  it('gives the same errors: a guard refusing, bad input, output that fails its schema, a resolver that throws, no result', async () => {
    for (const [name, user, input, code] of [
      ['echo', null, { n: 1 }, 'UNAUTHORIZED'],
      ['echo', 'ann', { n: 'many' }, 'BAD_REQUEST'],
      ['broken', 'ann', undefined, 'INTERNAL_SERVER_ERROR'],
      ['throws', 'ann', undefined, 'INTERNAL_SERVER_ERROR'],
      ['forgetful', 'ann', undefined, 'INTERNAL_SERVER_ERROR'],
    ] as const) {
      const [theirs, ours] = await both(name, user, input);
      expect(ours, name).toEqual(theirs);
      expect(ours, name).toMatchObject({ ok: false, code });
    }
  });
});
