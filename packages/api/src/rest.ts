import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  coerceSchema,
  createProcedureCache,
  getBody,
  getErrorFromUnknown,
  getInputOutputParsers,
  instanceofZodTypeLikeVoid,
  instanceofZodTypeObject,
  instanceofZodTypeOptional,
  normalizePath,
  TRPC_ERROR_CODE_HTTP_STATUS,
  unwrapZodType,
  zodSupportsCoerce,
} from 'trpc-to-openapi';
import { TRPCError, type AnyProcedure, type AnyRouter } from '@trpc/server';
import { getTRPCErrorFromUnknown, middlewareMarker, type AnyMiddlewareFunction, type MiddlewareResult, type ProcedureCallOptions } from '@trpc/server/unstable-core-do-not-import';
import { ZodArray } from 'zod/v4';
import { describeError, knownError, sealedBody } from '@baton/core';
import { createSameOriginPolicy, CROSS_SITE_REFUSED, isCrossSiteRequest, isJsonContentType } from '@baton/auth';
import { createContext, type ApiDeps, type Surface } from './context.ts';
import type { BatonMeta } from './trpc.ts';

type Next = (err?: unknown) => void;

const MAX_BODY_BYTES = 1024 * 1024;
const NOT_JSON = 'Request body must be JSON (Content-Type: application/json)';

/** The contracts' error body: `{"error": "..."}`, with the status the contract documents. */
export function toErrorBody(error: TRPCError): { status: number; error: string } {
  const status = TRPC_ERROR_CODE_HTTP_STATUS[error.code] ?? 500;
  const cause = error.cause as { name?: string; issues?: Array<{ path: PropertyKey[]; message: string }> } | undefined;
  // Input validation: every issue as "field: reason".
  if (error.code === 'BAD_REQUEST' && cause?.name === 'ZodError' && cause.issues?.length) {
    return { status, error: cause.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ') };
  }
  switch (error.code) {
    case 'PARSE_ERROR':
      return { status: 400, error: 'Malformed JSON in request body' };
    case 'UNSUPPORTED_MEDIA_TYPE':
      return { status: 400, error: NOT_JSON };
    case 'PAYLOAD_TOO_LARGE':
      return { status, error: 'Request body too large' };
    case 'INTERNAL_SERVER_ERROR':
      return { status, error: 'Internal server error' };
    default:
      return { status, error: error.message };
  }
}

/** What trpc-to-openapi's adapter works out about a procedure on every request, worked out once. */
interface RouteInfo {
  hasInput: boolean;
  /** Query parameters whose schema is an array: a single value is wrapped. */
  arrayKeys: string[];
  successStatus: number;
}

function describeProcedure(procedure: AnyProcedure): RouteInfo {
  const { inputParser } = getInputOutputParsers(procedure);
  const schema = unwrapZodType(inputParser, true);
  const arrayKeys: string[] = [];
  if (zodSupportsCoerce && instanceofZodTypeObject(schema)) {
    for (const [key, shape] of Object.entries(schema.shape)) {
      if (shape instanceof ZodArray || (instanceofZodTypeOptional(shape) && shape.unwrap() instanceof ZodArray)) arrayKeys.push(key);
    }
    // The adapter does this on every request; it marks the schema's scalars as coercible, once is enough.
    coerceSchema(schema);
  }
  const meta = procedure._def.meta as BatonMeta | undefined;
  return { hasInput: !instanceofZodTypeLikeVoid(schema), arrayKeys, successStatus: meta?.successStatus ?? 200 };
}

function send(res: ServerResponse, status: number, body: unknown) {
  // A sealed value (core/src/util/sealed.ts) was serialized when it was cached.
  const buf = sealedBody(body) ?? Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}

type CallOptions = ProcedureCallOptions<unknown>;
interface ProcedureDef {
  middlewares: AnyMiddlewareFunction[];
  meta?: unknown;
}

/**
 * Calls a procedure as tRPC's own caller does (createProcedureCaller and callRecursive in
 * @trpc/server 11.22.1, pinned): the same middlewares in the same order, each given the same
 * options, with the same result. Only the copying differs: tRPC's build copies the call options
 * with a transpiled spread helper (a defineProperty per key), twice per middleware level, which was
 * a tenth of the CPU time of a GET /runs/{id} on SQLite (bench/profile-summary.mjs on a
 * --cpu-prof of the bench). Here they are plain object spreads. Tested against tRPC's caller in
 * packages/api/test/call-procedure.test.ts.
 */
export async function callProcedure(procedure: AnyProcedure, opts: CallOptions): Promise<unknown> {
  const result = await callMiddlewares(procedure._def as unknown as ProcedureDef, 0, opts);
  if (!result) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'No result from middlewares - did you forget to `return next()`?' });
  if (!result.ok) throw result.error;
  return result.data;
}

async function callMiddlewares(def: ProcedureDef, index: number, opts: CallOptions): Promise<MiddlewareResult<unknown>> {
  try {
    const middleware = def.middlewares[index]!;
    return await middleware({
      ...opts,
      meta: def.meta,
      input: opts.input,
      next: (nextOpts?: { ctx?: object; input?: unknown; getRawInput?: CallOptions['getRawInput'] }) =>
        callMiddlewares(def, index + 1, {
          ...opts,
          ctx: nextOpts?.ctx ? { ...(opts.ctx as object), ...nextOpts.ctx } : opts.ctx,
          input: nextOpts && 'input' in nextOpts ? nextOpts.input : opts.input,
          getRawInput: nextOpts?.getRawInput ?? opts.getRawInput,
        }),
    } as Parameters<AnyMiddlewareFunction>[0]);
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker } as MiddlewareResult<unknown>;
  }
}

/**
 * The query string as trpc-to-openapi's getQuery shapes it behind Express (a repeated key becomes an
 * array, an empty value is left out), parsed once: Express 5's `req.query` getter parses again on
 * every read, and getQuery reads it twice.
 */
function parseQuery(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!search) return out;
  for (const [key, value] of new URLSearchParams(search)) {
    if (!value) continue;
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/**
 * Serves a router's procedures at their OpenAPI paths, speaking the contracts' dialect: JSON bodies
 * even when a bearer-key client omits or decorates the content type, `{"error": "..."}` on failure,
 * and 201/202 where the procedure says so.
 *
 * A state change without a bearer key (the mk_session cookie, or none yet, as for login) is refused
 * with 403 when a browser says another site sent it, and with 400 when its body is not declared as
 * JSON: a form post or a `no-cors` fetch can send a cookie, but cannot declare JSON without a CORS
 * preflight, which Baton never grants. See packages/auth/src/csrf.ts.
 *
 * This is trpc-to-openapi's node-http adapter put together from the package's own exported parts
 * (route table, body and query parsing, schema coercion, error mapping), minus the work its
 * `createOpenApiNodeHttpHandler` repeats per request and Baton never uses: a WHATWG Request and
 * AbortSignal built for every request, a fresh caller proxy, the input schema re-walked for
 * coercion, and an error body that had to be re-parsed to be rewritten. Measured in
 * docs/PERFORMANCE.md.
 */
export function createRestHandler(router: AnyRouter, deps: ApiDeps, surface: Exclude<Surface, 'trpc'>) {
  const findProcedure = createProcedureCache(router);
  const originPolicy = createSameOriginPolicy({ trustProxy: deps.trustProxy, publicUrl: deps.core.config.publicUrl });
  // Worked out at start-up for every procedure with a REST path (the route table holds no others).
  const routes = new Map<AnyProcedure, RouteInfo>();
  for (const proc of Object.values(router._def.procedures as Record<string, AnyProcedure>)) {
    if ((proc._def.meta as BatonMeta | undefined)?.openapi) routes.set(proc, describeProcedure(proc));
  }

  return async (req: IncomingMessage, res: ServerResponse, next: Next) => {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const found = findProcedure(method as never, normalizePath(q < 0 ? rawUrl : rawUrl.slice(0, q)));
    if (!found?.procedure) return next();
    const { procedure: entry, pathInput } = found;
    const procedure = entry.procedure as AnyProcedure;
    const info = routes.get(procedure)!;
    try {
      let input: Record<string, unknown> | undefined;
      // One header read on the bearer path; the cross-site check is for credentials a browser adds itself.
      const bearer = req.headers.authorization !== undefined;
      if (!bearer && method !== 'GET' && isCrossSiteRequest(req, originPolicy)) return send(res, 403, { error: CROSS_SITE_REFUSED });
      if (method !== 'GET' && method !== 'DELETE') {
        const ct = req.headers['content-type'];
        const len = req.headers['content-length'];
        const bodyless = !req.headers['transfer-encoding'] && (len === undefined || len === '0');
        // The contracts' clients send JSON, sometimes without saying so or with a charset. Only a
        // bearer-key request may leave it unsaid: an undeclared body is what a no-cors fetch sends.
        if (ct ? !isJsonContentType(ct) : !bodyless && !bearer && surface === 'mk') return send(res, 400, { error: NOT_JSON });
        req.headers['content-type'] = 'application/json';
        // No body at all (e.g. POST /auth/logout): nothing to parse.
        if (bodyless) (req as { body?: unknown }).body = undefined;
        if (info.hasInput) input = { ...((await getBody(req, MAX_BODY_BYTES)) as object), ...pathInput };
      } else if (info.hasInput) {
        const query: Record<string, unknown> = parseQuery(q < 0 ? '' : rawUrl.slice(q + 1));
        for (const key of info.arrayKeys) if (query[key] !== undefined && !Array.isArray(query[key])) query[key] = [query[key]];
        input = { ...query, ...pathInput };
      }
      const ctx = await createContext(deps, surface, req, res);
      const data = await callProcedure(procedure, { path: entry.path, getRawInput: async () => input, ctx, type: entry.type } as CallOptions);
      send(res, info.successStatus, data);
    } catch (cause) {
      // Outside a procedure (credentials are resolved first): the database out of reach is a 503 too.
      const known = knownError(cause);
      if (known && !res.headersSent) {
        if (known.details?.retryAfterSeconds) res.setHeader('Retry-After', String(known.details.retryAfterSeconds));
        return send(res, known.status, { error: known.message });
      }
      const { status, error } = toErrorBody(getErrorFromUnknown(cause));
      if (status >= 500 && !(cause instanceof Error && cause.name === 'TRPCError')) {
        deps.core.logger.error('unhandled REST error', { path: entry.path, error: describeError(cause), stack: (cause as Error)?.stack });
      }
      if (res.headersSent) return void res.end();
      send(res, status, { error });
    }
  };
}
