import { generateOpenApiDocument, type OpenAPIObject, type OpenApiMeta } from 'trpc-to-openapi';
import type { AnyRouter } from '@trpc/server';
import { procedureMetas, type BatonMeta } from './trpc.ts';
import { mkRouter, relayRouter } from './root.ts';

type Op = { operationId?: string; responses?: Record<string, unknown>; tags?: string[]; [k: string]: unknown };

/**
 * Post-processes the generated document: success responses under their real status (201/202),
 * operations beyond the published contract flagged with `x-baton-extension: true`, and each
 * operation's credentials as the contract states them (`security: []` for register, login and the
 * password reset; the session cookie alone for logout; none or the cookie for accepting an invitation).
 */
function finish(doc: OpenAPIObject, router: AnyRouter): OpenAPIObject {
  const metaByOpId = new Map<string, OpenApiMeta<BatonMeta>>();
  for (const [, meta] of procedureMetas(router)) {
    if (meta?.openapi?.operationId) metaByOpId.set(meta.openapi.operationId, meta);
  }
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item as Record<string, Op>)) {
      const meta = op.operationId ? metaByOpId.get(op.operationId) : undefined;
      if (!meta) continue;
      if (meta.successStatus && meta.successStatus !== 200 && op.responses?.['200']) {
        op.responses[String(meta.successStatus)] = op.responses['200'];
        delete op.responses['200'];
      }
      if (meta.extension) op['x-baton-extension'] = true;
      // trpc-to-openapi leaves `security` out for an unprotected operation, which a client generator
      // may read as "the document's default"; say outright that it takes no credentials.
      if (meta.openapi?.protect === false) op.security = meta.sessionOptional ? [{}, { sessionCookie: [] }] : [];
      else if (meta.sessionOnly) op.security = [{ sessionCookie: [] }];
    }
  }
  return doc;
}

let mkDoc: OpenAPIObject | null = null;
let relayDoc: OpenAPIObject | null = null;

export function mightyKeyOpenApi(): OpenAPIObject {
  mkDoc ??= finish(
    generateOpenApiDocument(mkRouter, {
      title: 'MightyKey v1 (served by Baton)',
      description:
        'Agent runs, organizations, projects, billing, webhooks and integrations. Operations marked `x-baton-extension` are Baton additions beyond the MightyKey contract.',
      version: '1.0.0',
      baseUrl: '/api/v1',
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key starting with mk_live_ or mk_test_' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'mk_session', description: 'Session cookie set by POST /auth/login' },
      },
    }),
    mkRouter,
  );
  // SSE is a plain Express route (a stream, not a procedure); document it by hand.
  (mkDoc.paths ??= {})['/runs/{id}/stream'] = {
    get: {
      operationId: 'streamRunEvents',
      tags: ['Runs'],
      summary: 'Stream run events via SSE',
      description:
        'Server-Sent Events. Each event has `id: <sequenceNumber>`, `event: <eventType>` and the RunEvent as JSON data. Send Last-Event-ID to resume after that number. A heartbeat comment every 15 s; the stream closes when the run has ended.',
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'SSE stream of run events', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        '401': { description: 'Unauthorized' },
        '404': { description: 'Run not found' },
      },
    },
  };
  return mkDoc;
}

export function flowRelayOpenApi(): OpenAPIObject {
  relayDoc ??= finish(
    generateOpenApiDocument(relayRouter, {
      title: 'Flow Relay v1 (served by Baton)',
      description: 'Project-scoped context handoffs and insights. Bearer fr_ keys; 60 requests a minute per key.',
      version: '1.0.0',
      baseUrl: '/relay/api/v1',
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'Flow Relay API key, prefixed with fr_' } },
    }),
    relayRouter,
  );
  return relayDoc;
}
