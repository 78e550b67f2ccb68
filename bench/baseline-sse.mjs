#!/usr/bin/env node
// The floor of the SSE figures: bare node:http holding the same streams and writing the same frames
// (a run event of Baton's shape, `id:`/`event:`/`data:`), with no database, no bus and no Baton
// code. scripts/bench.mjs drives it over IPC exactly as it drives the harness (bench/sse-server.ts),
// and the same client process (bench/load.mjs sse) times the arrivals. What this measures is what
// any server pays on this machine to write one event to N sockets, plus the client reading them;
// Baton's SSE delay above it is Baton's own (commit, bus or NOTIFY, the read, its writes).
//
//   node bench/baseline-sse.mjs   (spawned with an IPC channel; PORT and HOST from the environment)
//
// Messages in:  {cmd:'append', runIds, rate, duration} | {cmd:'subscribers'} | {cmd:'exit'}
// Messages out: {type:'listening', port} and one {type:'reply', id, ...} per command.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const streamsByRun = new Map();
let open = 0;

const server = http.createServer((req, res) => {
  const m = /^\/api\/v1\/runs\/([^/]+)\/stream/.exec(req.url ?? '');
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  const runId = m[1];
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  let set = streamsByRun.get(runId);
  if (!set) streamsByRun.set(runId, (set = new Set()));
  set.add(res);
  open++;
  req.on('close', () => {
    if (set.delete(res)) open--;
  });
});
server.keepAliveTimeout = 65_000;

const seqs = new Map();

/** `rate` events a second, round-robin over runIds, for `duration` seconds, as the harness appends. */
async function append(runIds, rate, durationS) {
  const interval = 1000 / rate;
  const total = Math.max(1, Math.round(rate * durationS));
  const start = performance.now();
  const flushMs = [];
  for (let i = 0; i < total; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const runId = runIds[i % runIds.length];
    const t = nowMs();
    const seq = (seqs.get(runId) ?? 1) + 1;
    seqs.set(runId, seq);
    const event = {
      id: randomUUID(),
      runId,
      sequenceNumber: seq,
      eventType: 'message',
      data: { role: 'agent', stage: 'build', text: `progress ${i}`, t },
      modelUsed: null,
      tokensUsed: null,
      replayVisible: true,
      createdAt: new Date().toISOString(),
    };
    const frame = `id: ${seq}\nevent: message\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of streamsByRun.get(runId) ?? []) res.write(frame);
    // The writes are corked until the next tick; after setImmediate every socket's writev is done.
    await new Promise((r) => setImmediate(r));
    flushMs.push(nowMs() - t);
  }
  flushMs.sort((a, b) => a - b);
  const pct = (p) => flushMs[Math.min(flushMs.length - 1, Math.max(0, Math.ceil(flushMs.length * p) - 1))] ?? null;
  return { appended: total, seconds: (performance.now() - start) / 1000, flushP50Ms: pct(0.5), flushP99Ms: pct(0.99) };
}

process.on('message', (msg) => {
  const reply = (body) => process.send?.({ type: 'reply', id: msg.id, ...body });
  void (async () => {
    try {
      switch (msg.cmd) {
        case 'append':
          return reply(await append(msg.runIds, Number(msg.rate), Number(msg.duration)));
        case 'subscribers':
          return reply({ subscribers: open });
        case 'exit':
          reply({ ok: true });
          server.closeAllConnections();
          server.close();
          process.exit(0);
          return;
        default:
          return reply({ error: `unknown command ${msg.cmd}` });
      }
    } catch (e) {
      reply({ error: String(e?.stack ?? e) });
    }
  })();
});

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => process.send?.({ type: 'listening', port: server.address().port }));
