import type { IncomingMessage, ServerResponse } from 'node:http';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import type { AnyRouter } from '@trpc/server';
import { createContext, type ApiDeps, type Surface } from './context.ts';
import { procedureMetas } from './trpc.ts';

type Next = (err?: unknown) => void;

interface AdapterErrorBody {
  message: string;
  code: string;
  issues?: Array<{ path: PropertyKey[]; message: string }>;
}

const isAdapterError = (b: unknown): b is AdapterErrorBody =>
  typeof b === 'object' && b !== null && typeof (b as AdapterErrorBody).message === 'string' && typeof (b as AdapterErrorBody).code === 'string';

/** The contracts' error body: `{"error": "..."}`. Validation issues read "field: reason". */
export function toErrorBody(body: AdapterErrorBody): { status?: number; error: string } {
  if (body.issues?.length) {
    return { error: body.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ') };
  }
  switch (body.code) {
    case 'PARSE_ERROR':
      return { status: 400, error: 'Malformed JSON in request body' };
    case 'UNSUPPORTED_MEDIA_TYPE':
      return { status: 400, error: 'Request body must be JSON (Content-Type: application/json)' };
    case 'PAYLOAD_TOO_LARGE':
      return { error: 'Request body too large' };
    case 'INTERNAL_SERVER_ERROR':
      return { error: 'Internal server error' };
    default:
      return { error: body.message };
  }
}

function successStatuses(router: AnyRouter): Map<string, number> {
  const out = new Map<string, number>();
  for (const [path, meta] of procedureMetas(router)) {
    if (meta?.successStatus) out.set(path, meta.successStatus);
  }
  return out;
}

/**
 * Serves a router's procedures at their OpenAPI paths, speaking the contracts' dialect: JSON bodies
 * even when a client omits or decorates the content type, `{"error": "..."}` on failure, and 201/202
 * where the procedure says so.
 */
export function createRestHandler(router: AnyRouter, deps: ApiDeps, surface: Exclude<Surface, 'trpc'>) {
  const statuses = successStatuses(router);
  const handler = createOpenApiNodeHttpHandler({
    router,
    maxBodySize: 1024 * 1024,
    createContext: ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => createContext(deps, surface, req, res),
    responseMeta: ({ paths, errors }: { paths?: readonly string[]; errors: readonly unknown[] }) => {
      if (errors.length) return {};
      const status = paths?.[0] ? statuses.get(paths[0]) : undefined;
      return status ? { status } : {};
    },
  } as Parameters<typeof createOpenApiNodeHttpHandler>[0]);

  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'DELETE' && method !== 'HEAD') {
      // The adapter parses only an exact "application/json" and answers 415 to a body-less POST.
      const ct = req.headers['content-type'];
      if (!ct || /^application\/json\s*(;|$)/i.test(ct)) req.headers['content-type'] = 'application/json';
      // No body at all (e.g. POST /auth/logout): the adapter takes a preset body instead of parsing nothing.
      const len = req.headers['content-length'];
      if (!req.headers['transfer-encoding'] && (len === undefined || len === '0')) (req as { body?: unknown }).body = undefined;
    }
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (res.statusCode >= 400 && typeof chunk === 'string' && !res.headersSent) {
        try {
          const parsed: unknown = JSON.parse(chunk);
          if (isAdapterError(parsed)) {
            const { status, error } = toErrorBody(parsed);
            if (status) res.statusCode = status;
            chunk = JSON.stringify({ error });
            res.setHeader('Content-Length', Buffer.byteLength(chunk as string));
          }
        } catch {
          /* not JSON: leave as is */
        }
      }
      return end(chunk, ...rest);
    }) as typeof res.end;
    return handler(req, res, next as () => void);
  };
}
