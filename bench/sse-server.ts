// The SSE fan-out harness: the real server (bootstrap + createApp, the same code main.ts runs,
// bundled the same way) in this process, plus an IPC channel through which scripts/bench.mjs asks
// it to append run events through core, the way the engine appends them inside the server. The
// server has no HTTP "append" endpoint, so this is the honest way to time append -> SSE arrival.
//
//   node --expose-gc bench/dist/sse-server.js   (spawned with an IPC channel; env as for main.js)
//
// Messages in:  {cmd:'createRuns', n} | {cmd:'append', runIds, rate, duration} | {cmd:'rss', gc}
//               | {cmd:'subscribers'} | {cmd:'finish', runIds} | {cmd:'exit'}
// Messages out: {type:'listening', port} and one {type:'reply', id, ...} per command.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { appendRunEvents, createRun, finishRun, withTransaction, type Actor } from '@baton/core';
import { parseEnv } from '../apps/server/src/env.ts';
import { bootstrap } from '../apps/server/src/bootstrap.ts';
import { createApp } from '../apps/server/src/app.ts';
import type { BenchManifest } from './seed.ts';

const env = parseEnv();
const baton = await bootstrap(env);
const server = createServer(createApp({ deps: baton.deps, webDist: null }));
server.keepAliveTimeout = 65_000;
baton.start(); // a no-op under BATON_ENGINE_PAUSED=true, as in the measured server

const manifest = JSON.parse(readFileSync(join(env.dataDir, 'bench-manifest.json'), 'utf8')) as BenchManifest;
const owner: Actor = { userId: manifest.orgs[0]!.ownerUserId, via: 'session' };
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const send = (msg: Record<string, unknown>) => process.send?.(msg);

function rssKb(): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Appends `rate` events a second, round-robin over runIds, for `duration` seconds; one commit each. */
async function append(runIds: string[], rate: number, durationS: number) {
  const interval = 1000 / rate;
  const total = Math.max(1, Math.round(rate * durationS));
  const start = performance.now();
  const commitMs: number[] = [];
  const flushMs: number[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const runId = runIds[i % runIds.length]!;
    const t = nowMs();
    // Commit; once it is durable (before the promise settles) the bus calls every stream's res.write.
    await appendRunEvents(baton.core, runId, [{ eventType: 'message', data: { role: 'agent', stage: 'build', text: `progress ${i}`, t } }]);
    commitMs.push(nowMs() - t);
    // The writes are corked until the next tick; after setImmediate every socket's writev is done.
    await new Promise((r) => setImmediate(r));
    flushMs.push(nowMs() - t);
  }
  const pct = (xs: number[], p: number) => {
    const s = xs.slice().sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * p) - 1))] ?? null;
  };
  return {
    appended: total,
    seconds: (performance.now() - start) / 1000,
    appendP50Ms: pct(commitMs, 0.5),
    appendP99Ms: pct(commitMs, 0.99),
    flushP50Ms: pct(flushMs, 0.5),
    flushP99Ms: pct(flushMs, 0.99),
  };
}

process.on('message', (msg: { id: number; cmd: string; [k: string]: unknown }) => {
  const reply = (body: Record<string, unknown>) => send({ type: 'reply', id: msg.id, ...body });
  void (async () => {
    try {
      switch (msg.cmd) {
        case 'createRuns': {
          const ids = await withTransaction(baton.core, async (core) => {
            const created: string[] = [];
            for (let i = 0; i < Number(msg.n); i++) created.push((await createRun(core, owner, manifest.orgs[0]!.id, { requestText: `SSE fan-out run ${i}` })).id);
            return created;
          }, 'bench: create runs');
          return reply({ runIds: ids });
        }
        case 'append':
          return reply(await append(msg.runIds as string[], Number(msg.rate), Number(msg.duration)));
        case 'rss':
          if (msg.gc && typeof globalThis.gc === 'function') {
            globalThis.gc();
            await new Promise((r) => setTimeout(r, 50));
            globalThis.gc();
          }
          return reply({ rssKb: rssKb(), heapUsedKb: Math.round(process.memoryUsage().heapUsed / 1024) });
        case 'subscribers':
          return reply({ subscribers: baton.core.bus?.subscriberCount() ?? 0 });
        case 'finish':
          await withTransaction(baton.core, async (core) => {
            for (const id of msg.runIds as string[]) await finishRun(core, id, 'completed');
          }, 'bench: finish runs');
          return reply({ ok: true });
        case 'exit':
          reply({ ok: true });
          server.closeAllConnections();
          server.close();
          await baton.close();
          process.exit(0);
          return;
        default:
          return reply({ error: `unknown command ${msg.cmd}` });
      }
    } catch (e) {
      reply({ error: String((e as Error).stack ?? e) });
    }
  })();
});

server.listen(env.PORT, env.HOST, () => send({ type: 'listening', port: (server.address() as AddressInfo).port }));
