import type { z } from 'zod';
import { deepFreeze } from './deep-freeze.ts';

/**
 * Sealed values: a response validated against its output schema once, frozen, and serialized once,
 * for what read caches serve (a page of 50 handoffs is 100–300 KB of JSON; a finished run's detail
 * is read far more often than it is written). Serving one then costs neither a second validation
 * nor a second JSON.stringify.
 *
 * - `seal(schema, value)` parses the value with the schema, keeps exactly what output validation
 *   would produce (the value itself when parsing changed nothing), deep-freezes it and keeps its
 *   JSON bytes beside it.
 * - `trustSealed(schema)` is the schema a procedure declares as its output: a copy of it that lets a
 *   value sealed against that very schema through as is, and validates anything else in full.
 * - `sealedBody(value)` gives the REST adapter the bytes to send.
 *
 * Both maps are weak: a sealed value lives exactly as long as the cache entry holding it.
 */
const sealedWith = new WeakMap<object, { schema: z.ZodType; body: Buffer }>();

export function seal<S extends z.ZodType>(schema: S, value: z.input<S>): z.output<S> {
  const parsed = schema.parse(value);
  const json = JSON.stringify(parsed);
  // When validation changed nothing (the usual case: renderers emit exactly the schema's keys), keep
  // the value itself rather than a second copy of it; cached values are shared already.
  const kept = (JSON.stringify(value) === json ? value : parsed) as z.output<S>;
  deepFreeze(kept);
  if (typeof kept === 'object' && kept !== null) sealedWith.set(kept, { schema, body: Buffer.from(json) });
  return kept;
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
