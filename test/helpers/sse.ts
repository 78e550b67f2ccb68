import { request } from 'node:http';

export interface SseEvent {
  id: number;
  event: string;
  data: any;
}

export interface SseStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Body of a non-200 answer. */
  body: string;
  /** True once the connection has closed, from either side. */
  closed: boolean;
  close(): void;
  waitFor(pred: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<void>;
}

/** A plain SSE client over node:http, parsing the wire format by hand so the test sees exactly what is sent. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: [],
        body: '',
        closed: false,
        ended: new Promise((ok) =>
          res.on('close', () => {
            stream.closed = true;
            ok();
          }),
        ),
        close: () => req.destroy(),
        waitFor: async (pred, timeoutMs = 15_000) => {
          const deadline = Date.now() + timeoutMs;
          while (!pred(stream.events)) {
            if (Date.now() > deadline) throw new Error(`timed out waiting on the stream; got ${stream.events.map((e) => `${e.id}:${e.event}`).join(', ')}`);
            await new Promise((ok) => setTimeout(ok, 20));
          }
        },
      };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (stream.status !== 200) {
          stream.body += chunk;
          return;
        }
        buffer += chunk;
        let idx;
        while ((idx = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
            else {
              const i = line.indexOf(':');
              if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
            }
          }
          if (fields.data !== undefined) stream.events.push({ id: Number(fields.id), event: fields.event ?? 'message', data: JSON.parse(fields.data) });
        }
      });
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}
