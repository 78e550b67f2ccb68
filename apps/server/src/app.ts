import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { TRPCError } from '@trpc/server';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Only the path helper: the package's main module evaluates the whole 1.4 MB browser bundle.
import swaggerUiPath from 'swagger-ui-dist/absolute-path.js';
import { createSameOriginPolicy, CROSS_SITE_REFUSED, isCrossSiteRequest, isJsonContentType, isSafeMethod } from '@baton/auth';
import { appRouter, createContext, createRestHandler, flowRelayOpenApi, mightyKeyOpenApi, mkRouter, relayRouter, type ApiDeps } from '@baton/api';
import { describeError, knownError } from '@baton/core';
import { DOCS_HTML, DOCS_INIT_JS } from './docs-page.ts';
import { notImplemented } from './not-implemented.ts';
import { sendJson } from './json-response.ts';
import { createRunStreamHandler, streamRunId } from './run-stream.ts';

export interface CreateAppOptions {
  deps: ApiDeps;
  /** Built SPA (apps/web/dist). When absent, / answers with a hint to build it. */
  webDist?: string | null;
  /** SSE heartbeat interval (15 s unless a test needs it sooner). */
  sseHeartbeatMs?: number;
}

/** apps/web/dist, resolved from this file both as source (apps/server/src) and bundled (apps/server/dist). */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

const jsonNotFound = (_req: Request, res: Response) => {
  res.status(404).json({ error: 'Not found' });
};

export function createApp({ deps, webDist = DEFAULT_WEB_DIST, sseHeartbeatMs }: CreateAppOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (deps.trustProxy) app.set('trust proxy', true);

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Readiness, for load balancers: 503 while the database cannot be reached, so traffic goes elsewhere.
  app.get('/readyz', (_req, res) => {
    deps.core.store.ping().then(
      () => res.json({ ok: true, node: deps.core.config.nodeId, engine: deps.core.store.dialect }),
      (e: unknown) => {
        deps.core.logger.warn('readiness check failed: the database did not answer', { error: String(e) });
        res.status(503).json({ error: 'The database is not reachable', node: deps.core.config.nodeId });
      },
    );
  });

  // The REST handlers take their requests before Express (withRestFirst below). Mounted here too, first,
  // for a path only Express's case-insensitive matching finds; a path no procedure serves falls through.
  const mkRest = createRestHandler(mkRouter, deps, 'mk');
  const relayRest = createRestHandler(relayRouter, deps, 'relay');
  app.use('/api/v1', mkRest);
  app.use('/relay/api/v1', relayRest);

  // The SPA's transport: the same procedures, typed end to end. The SPA's fetch sends JSON from its
  // own origin; a state change carrying no bearer key must look like that (packages/auth/src/csrf.ts).
  // tRPC itself would take a cross-site multipart form post.
  const originPolicy = createSameOriginPolicy({ trustProxy: deps.trustProxy, publicUrl: deps.core.config.publicUrl });
  app.use('/trpc', (req, res, next) => {
    if (isSafeMethod(req.method) || req.headers.authorization !== undefined) return next();
    if (isCrossSiteRequest(req, originPolicy)) return void res.status(403).json({ error: CROSS_SITE_REFUSED });
    if (!isJsonContentType(req.headers['content-type'])) {
      return void res.status(415).json({ error: 'Request body must be JSON (Content-Type: application/json)' });
    }
    next();
  });
  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext: async ({ req, res }) => {
        try {
          return await createContext(deps, 'trpc', req, res);
        } catch (e) {
          // Credentials are looked up before any procedure runs: the database out of reach is a 503 here too.
          const known = knownError(e);
          if (known?.code === 'UNAVAILABLE') throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: known.message, cause: e });
          throw e;
        }
      },
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') deps.core.logger.error('trpc error', { path, error: describeError(error.cause ?? error) });
      },
    }),
  );

  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(mightyKeyOpenApi());
  });
  app.get('/relay/api/v1/openapi.json', (_req, res) => {
    res.json(flowRelayOpenApi());
  });
  const stream = createRunStreamHandler(deps, { heartbeatMs: sseHeartbeatMs });
  // withRestFirst serves the stream before Express; this route is for a path only Express's
  // case-insensitive matching finds.
  app.get('/api/v1/runs/:id/stream', (req, res, next) => {
    stream(req, res, String(req.params.id)).catch(next);
  });
  app.use('/api/v1', notImplemented('mk'), jsonNotFound);
  app.use('/relay/api/v1', notImplemented('relay'), jsonNotFound);

  app.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  app.get('/docs/init.js', (_req, res) => {
    res.type('js').send(DOCS_INIT_JS);
  });
  app.use('/docs/assets', express.static(swaggerUiPath(), { index: false }));

  if (webDist && existsSync(join(webDist, 'index.html'))) {
    app.use(express.static(webDist, { index: false, maxAge: '1h' }));
    // Client-side routes: any other GET that wants HTML gets the SPA shell.
    app.get(/^\/(?!api\/|relay\/|trpc\/|docs\/).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.sendFile(join(webDist, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Baton is running. The web app is not built: run `npm run build`, or use `npm start`.');
    });
  }

  app.use(jsonNotFound);
  // Last resort: a malformed request that Express itself rejected, or a bug. Never leak the message.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    if (!knownError(err) && status < 500) {
      if (res.headersSent) return void res.end();
      return void res.status(status).json({ error: 'Bad request' });
    }
    answerError(res, err, deps.core.logger, 'unhandled express error');
  });
  return withRestFirst(
    app,
    [
      ['/api/v1/', mkRest],
      ['/relay/api/v1/', relayRest],
    ],
    stream,
    deps.core.logger,
  );
}

type RestHandler = ReturnType<typeof createRestHandler>;
type StreamHandler = ReturnType<typeof createRunStreamHandler>;

/**
 * The last resort, for Express and for the requests served before it: an AppError (or the database
 * out of reach, a 503 with Retry-After) as it is; anything else logged and answered 500, its
 * message never sent.
 */
function answerError(res: ServerResponse, err: unknown, logger: ApiDeps['core']['logger'], what: string) {
  const known = knownError(err);
  if (!known) logger.error(what, { error: describeError(err), stack: (err as Error)?.stack });
  if (res.headersSent) return void res.end();
  if (!known) return sendJson(res, 500, { error: 'Internal server error' });
  const retryAfter = known.details?.retryAfterSeconds;
  sendJson(res, known.status, { error: known.message }, retryAfter ? { 'retry-after': String(retryAfter) } : {});
}

/**
 * The request listener. A path under a REST base goes straight to that surface's handler, which
 * needs nothing of Express: it speaks node:http, as trpc-to-openapi's node-http adapter does; so does
 * a run's SSE stream, which goes first. Express serves everything else (the SPA, /trpc, the docs),
 * and also gets a REST request that no procedure serves, with its URL as it came; the same handlers
 * are mounted in it, so a path that only Express's case-insensitive matching finds is still served
 * there.
 *
 * Express's router cost every API request more CPU than the whole of Baton's own work on a cached
 * read: on SQLite, `GET /api/v1/runs/{id}` took 0.20–0.27 ms of server CPU through Express and
 * 0.07–0.14 ms without it (docs/PERFORMANCE.md, "REST before Express").
 */
function withRestFirst(
  app: express.Express,
  surfaces: ReadonlyArray<readonly [prefix: string, handler: RestHandler]>,
  stream: StreamHandler,
  logger: ApiDeps['core']['logger'],
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    // The SSE stream, before Express too (run-stream.ts says why).
    const runId = req.method === 'GET' ? streamRunId(url) : null;
    if (runId !== null) {
      stream(req, res, runId).catch((e: unknown) => answerError(res, e, logger, 'unhandled SSE stream error'));
      return;
    }
    for (const [prefix, handler] of surfaces) {
      if (!url.startsWith(prefix)) continue;
      // The handler sees the path below its base, as under app.use(base, handler).
      req.url = url.slice(prefix.length - 1);
      const toExpress = () => {
        req.url = url;
        app(req as Request, res as Response);
      };
      // The handler answers its own errors. Should it ever reject, answer as Express's last resort
      // would for an unknown error; never hand the request on, which could run its procedure twice.
      handler(req, res, toExpress).catch((e: unknown) => {
        logger.error('unhandled REST error', { error: describeError(e), stack: (e as Error)?.stack });
        if (res.headersSent) return void res.end();
        sendJson(res, 500, { error: 'Internal server error' });
      });
      return;
    }
    app(req as Request, res as Response);
  };
}
