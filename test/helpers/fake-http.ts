import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests received but not yet answered. */
  inFlight(): number;
  close(): Promise<void>;
}

/**
 * A local HTTP server standing in for an external service. `respond` decides each answer; every
 * request is recorded for assertions.
 */
export async function startFakeServer(
  respond: (req: RecordedRequest) => { status?: number; body?: unknown; delayMs?: number } | Promise<{ status?: number; body?: unknown; delayMs?: number }>,
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let pending = 0;
  const server: Server = createServer((req, res) => {
    pending++;
    res.on('close', () => pending--);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const recorded = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      requests.push(recorded);
      try {
        const r = await respond(recorded);
        if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
        res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? { ok: true }));
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(e) }));
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    inFlight: () => pending,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
