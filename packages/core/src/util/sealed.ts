import type { z } from 'zod';
import { deepFreeze } from './deep-freeze.ts';

/**
 * Sealed values: a response validated against its output schema once, frozen, and serialized once,
 * for read caches whose pages are large (a page of 50 handoffs is 100–200 KB of JSON). Serving one
 * from the cache then costs neither a second validation nor a second JSON.stringify.
 *
 * - `seal(schema, value)` parses the value with the schema (so what is kept is exactly what output
 *   validation would produce), deep-freezes it and keeps its JSON bytes beside it.
 * - `trustSealed(schema)` is the schema a procedure declares as its output: a copy of it that lets a
 *   value sealed against that very schema through as is, and validates anything else in full.
 * - `sealedBody(value)` gives the REST adapter the bytes to send.
 *
 * Both maps are weak: a sealed value lives exactly as long as the cache entry holding it.
 */
const sealedWith = new WeakMap<object, { schema: z.ZodType; body: Buffer }>();

export function seal<S extends z.ZodType>(schema: S, value: z.input<S>): z.output<S> {
  const parsed = deepFreeze(schema.parse(value));
  if (typeof parsed === 'object' && parsed !== null) sealedWith.set(parsed, { schema, body: Buffer.from(JSON.stringify(parsed)) });
  return parsed;
}

export function sealedBody(value: unknown): Buffer | undefined {
  return typeof value === 'object' && value !== null ? sealedWith.get(value)?.body : undefined;
}

export function trustSealed<S extends z.ZodType>(schema: S): S {
  const copy = schema.clone() as S;
  const parse = copy.parse.bind(copy);
  const parseAsync = copy.parseAsync.bind(copy);
  const isSealed = (v: unknown) => typeof v === 'object' && v !== null && sealedWith.get(v)?.schema === schema;
  Object.assign(copy, {
    parse: (v: unknown, params?: Parameters<S['parse']>[1]) => (isSealed(v) ? v : parse(v, params)),
    parseAsync: (v: unknown, params?: Parameters<S['parseAsync']>[1]) => (isSealed(v) ? Promise.resolve(v) : parseAsync(v, params)),
  });
  return copy;
}
