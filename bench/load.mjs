#!/usr/bin/env node
// The load generator. scripts/bench.mjs spawns it as its own process, so the load does not share a
// CPU thread with the server it measures. Two modes, both configured by one JSON argument:
//
//   node bench/load.mjs http '{"url": "...", "connections": 10, "duration": 10, "warmup": 2, ...}'
//     runs autocannon and prints one JSON line: req/s (2xx only), exact latency percentiles
//     (from every response time, not autocannon's 1 ms histogram), status codes.
//
//   node bench/load.mjs sse '{"baseUrl": "...", "token": "...", "runIds": [...], "streams": 1000}'
//     opens N Server-Sent-Events streams with raw http requests, prints {"ready": ...} once every
//     stream has its 200 and first bytes, records the arrival of every event until it reads "stop"
//     on stdin, then prints the delays. Each event carries data.t, the appender's
//     process.hrtime in ms taken just before appendRunEvents; CLOCK_MONOTONIC is shared by all
//     processes of the machine, so arrival - t is the append-to-arrival delay.
import http from 'node:http';
import autocannon from 'autocannon';

const [mode, rawConfig] = process.argv.slice(2);
const config = JSON.parse(rawConfig ?? '{}');
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
const round = (x, d = 2) => (x === null || x === undefined ? null : Number(x.toFixed(d)));

async function runHttp() {
  const base = {
    url: config.url,
    connections: config.connections ?? 10,
    pipelining: 1,
    method: config.method ?? 'GET',
    headers: config.headers ?? {},
    body: config.body,
    timeout: config.timeout ?? 30,
  };
  if (config.warmup > 0) await autocannon({ ...base, duration: config.warmup });
  const samples = [];
  const instance = autocannon({ ...base, duration: config.duration ?? 10 });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
  });
  const r = await instance;
  samples.sort((a, b) => a - b);
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  out({
    rps: round((r['2xx'] ?? 0) / r.duration, 1),
    p50: round(percentile(samples, 50), 3),
    p90: round(percentile(samples, 90), 3),
    p99: round(percentile(samples, 99), 3),
    max: round(samples.at(-1) ?? null, 3),
    ok: r['2xx'] ?? 0,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    duration: r.duration,
    connections: base.connections,
  });
}

async function runSse() {
  const url = new URL(config.baseUrl);
  const streams = config.streams ?? 1000;
  const runIds = config.runIds;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const delays = [];
  let received = 0;
  let failed = 0;
  const lastSeq = new Array(streams).fill(0);
  let gaps = 0;
  const requests = [];

  const openOne = (i) =>
    new Promise((resolve) => {
      const runId = runIds[i % runIds.length];
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: `/api/v1/runs/${runId}/stream`,
          agent,
          headers: { authorization: `Bearer ${config.token}`, accept: 'text/event-stream' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            failed++;
            res.resume();
            resolve();
            return;
          }
          res.setEncoding('utf8');
          let buf = '';
          let first = true;
          res.on('data', (chunk) => {
            const arrived = nowMs();
            if (first) {
              first = false;
              resolve();
            }
            buf += chunk;
            let end;
            while ((end = buf.indexOf('\n\n')) !== -1) {
              const msg = buf.slice(0, end);
              buf = buf.slice(end + 2);
              // Cheap parse: the load process must not be the bottleneck of what it measures.
              const t = /"t":([0-9.]+)/.exec(msg);
              if (!t) continue;
              received++;
              delays.push(arrived - Number(t[1]));
              const seq = /^id: (\d+)/.exec(msg);
              if (seq) {
                const s = Number(seq[1]);
                if (lastSeq[i] && s !== lastSeq[i] + 1) gaps++;
                lastSeq[i] = s;
              }
            }
          });
          res.on('error', () => {});
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
      requests.push(req);
    });

  const t0 = nowMs();
  // Open in waves of 100 so the server's accept queue is not the thing being measured.
  for (let i = 0; i < streams; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, streams - i) }, (_, k) => openOne(i + k)));
  }
  out({ ready: true, opened: streams - failed, failed, openMs: round(nowMs() - t0, 1) });

  let input = '';
  let stopping = false;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => {
    input += d;
    if (stopping || !input.includes('stop')) return;
    stopping = true;
    // Let in-flight writes land before the tally: wait until arrivals stop for 300 ms (at most 10 s).
    let last = -1;
    let still = 0;
    const deadline = nowMs() + 10_000;
    const poll = setInterval(() => {
      still = received === last ? still + 1 : 0;
      last = received;
      if (still < 3 && nowMs() < deadline) return;
      clearInterval(poll);
      const sorted = delays.slice().sort((a, b) => a - b);
      out({
        streams: streams - failed,
        received,
        gaps,
        p50: round(percentile(sorted, 50), 3),
        p90: round(percentile(sorted, 90), 3),
        p99: round(percentile(sorted, 99), 3),
        max: round(sorted.at(-1) ?? null, 3),
        min: round(sorted[0] ?? null, 3),
      });
      for (const r of requests) r.destroy();
      agent.destroy();
      process.exit(0);
    }, 100);
  });
}

if (mode === 'http') await runHttp();
else if (mode === 'sse') await runSse();
else {
  process.stderr.write('usage: load.mjs http|sse <json>\n');
  process.exit(2);
}
