import type { IncomingMessage, ServerResponse } from 'node:http';
import { createContext, type ApiDeps } from '@baton/api';
import { AppError, isTerminal, loadRunFor, runEventsAfter, type runTypes } from '@baton/core';
import type { z } from 'zod';
import { sendJson } from './json-response.ts';

type RunEvent = z.infer<typeof runTypes.ZRunEvent>;

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const endsRun = (e: RunEvent) => e.eventType === 'stage_transition' && TERMINAL.has(String(e.data.to));

/**
 * Open streams share one heartbeat timer rather than holding one each: an idle stream costs its
 * socket and a set entry, nothing more.
 */
class Heartbeats {
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly intervalMs: number) {}
  add(res: ServerResponse) {
    this.streams.add(res);
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const s of this.streams) s.write(': heartbeat\n\n');
      }, this.intervalMs);
      this.timer.unref();
    }
  }
  delete(res: ServerResponse) {
    this.streams.delete(res);
    if (this.streams.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
  get size() {
    return this.streams.size;
  }
}

// The bus hands every subscriber the same event object: serialise it once, not once per stream.
const frames = new WeakMap<RunEvent, string>();
function format(e: RunEvent): string {
  let frame = frames.get(e);
  if (frame === undefined) {
    frame = `id: ${e.sequenceNumber}\nevent: ${e.eventType}\ndata: ${JSON.stringify(e)}\n\n`;
    frames.set(e, frame);
  }
  return frame;
}

/** `GET /api/v1/runs/{id}/stream[?query]`: the run id, decoded; null for any other path (or an id that cannot be decoded). */
export function streamRunId(url: string): string | null {
  const m = /^\/api\/v1\/runs\/([^/?#]+)\/stream\/?(?:[?#]|$)/.exec(url);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
}

/**
 * GET /api/v1/runs/:id/stream — Server-Sent Events. Same auth and tenancy as GET /runs/{id} (another
 * tenant gets 404 before any stream starts). Sends every event after Last-Event-ID in order, then
 * live ones, and closes once the run has ended.
 *
 * It speaks node:http only, and app.ts hands it its requests before Express sees them. Express gives
 * every response object its own prototype (Object.setPrototypeOf), and V8 then gives each of them a
 * hidden class of its own: with 1,000 streams open, node:http's write path saw 1,000 shapes and its
 * inline caches went megamorphic. Writing one event to 1,000 Express responses took 4.4–5.1 ms,
 * to 1,000 plain ones 0.8–1.1 ms (docs/PERFORMANCE.md, "SSE fan-out").
 */
export function createRunStreamHandler(deps: ApiDeps, opts: { heartbeatMs?: number } = {}) {
  const heartbeats = new Heartbeats(opts.heartbeatMs ?? 15_000);
  const bus = deps.core.bus!;

  const handler = async (req: IncomingMessage, res: ServerResponse, runId: string) => {
    const ctx = await createContext(deps, 'mk', req, res);
    if (!ctx.actor || ctx.actor.via === 'fr_key') {
      sendJson(res, 401, { error: ctx.credentialError ?? 'Unauthorized' });
      return;
    }
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    const lastEventId = req.headers['last-event-id'];
    const header = (Array.isArray(lastEventId) ? lastEventId[0] : lastEventId) ?? query.get('lastEventId') ?? undefined;
    let lastSent = 0;
    if (header !== undefined && header !== '') {
      if (!/^\d{1,15}$/.test(header.trim())) {
        sendJson(res, 400, { error: 'Last-Event-ID must be an event sequence number' });
        return;
      }
      lastSent = Number(header.trim());
    }
    // EventSource cannot send headers, so the org may also come as ?orgId= (checked like X-Org-Id).
    const orgId = ctx.requestedOrgId ?? (query.get('orgId') || null);
    let run;
    try {
      run = (await loadRunFor(deps.core, ctx.actor, orgId, runId)).run;
    } catch (e) {
      if (e instanceof AppError) {
        sendJson(res, e.status, { error: e.message });
        return;
      }
      throw e;
    }

    // Subscribe before reading the backlog, holding live events back until it is sent: a commit that
    // lands while the backlog is read is then in the backlog, in the held events, or in both (`send`
    // drops what was already sent). No gap, no duplicate.
    let held: RunEvent[] | null = [];
    let send: (e: RunEvent) => void = () => {};
    const unsubscribe = bus.subscribe(run.id, (e) => (held ? held.push(e) : send(e)));
    let backlog: RunEvent[];
    try {
      backlog = await runEventsAfter(deps.core, run.id, lastSent);
    } catch (e) {
      unsubscribe();
      throw e;
    }
    if (isTerminal(run.status) && backlog.length === 0) {
      unsubscribe();
      // Nothing more will ever come. 204 tells EventSource to stop reconnecting (a closed 200 would not).
      res.writeHead(204).end();
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');

    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      unsubscribe();
      heartbeats.delete(res);
      res.end();
    };
    send = (e: RunEvent) => {
      if (ended || e.sequenceNumber <= lastSent) return;
      lastSent = e.sequenceNumber;
      res.write(format(e));
      if (endsRun(e)) end();
    };
    for (const e of backlog) send(e);
    const caughtUp = held.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    held = null;
    for (const e of caughtUp) send(e);
    if (!ended && isTerminal(run.status)) {
      // The client had already seen the end (or resumed past it): nothing more will come.
      end();
      return;
    }
    if (!ended) {
      heartbeats.add(res);
      req.on('close', end);
    }
  };
  return Object.assign(handler, { openStreams: () => heartbeats.size });
}
