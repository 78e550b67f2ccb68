import type { ServerResponse } from 'node:http';

/** A JSON answer on a plain node:http response, as Express's res.json writes it (for requests served before Express). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
}
