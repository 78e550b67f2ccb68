#!/usr/bin/env node
// `npm run bench` — seeds a fresh database through core, starts the real built server, drives it
// from a separate load process, and compares it with two bare baselines on the same database file.
//
//   npm run bench                 full run (100,000 runs / ~1,000,000 events; about 11 minutes on 2 cores)
//   npm run bench -- --quick      smaller sizes, shorter rounds (about 2 minutes)
//   npm run bench -- --smoke      tiny sizes, one short round (about 25 s; used by test/bench-smoke.test.ts)
//
// Options: --rounds N, --duration S, --keep (keep the temporary data directory), --data-dir DIR
// (where to make it; default the OS temp dir), --profile (servers run with node --cpu-prof; the
// .cpuprofile files land in bench/results/profiles/). Prints a table, writes bench/results/latest.json
// (and bench/results/<mode>.json), and ends with one line: `bench: <name> <value> ...`.
// Method and results: docs/PERFORMANCE.md.
import { build as esbuild } from 'esbuild';
import { needsBuild } from './build-state.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 12).join('\n').replace(/^\/\/ ?/gm, '') + '\n');
  process.exit(0);
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

const TARGETS = { eventsPerSecond: 20000, sseP99Ms: 50, sseKbPerConnection: 64, getRunVsExpress: 0.6, getRunP99VsExpress: 2, listVsExpress: 0.4, scaleRatio: 1.5, idleRssMb: 150, coldStartMs: 2000 };
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

/** Runs a node script to completion and returns its last stdout line parsed as JSON. */
function runNodeJson(args, { env = process.env, timeoutMs = 600_000, label = args[0] } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (/^\s+(seed|clone):/m.test(String(d))) process.stderr.write(String(d));
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
  await esbuild({
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
  });
}

// ---------------------------------------------------------------------------------------------
// The SSE harness (bench/sse-server.ts): the real app in-process, commands over IPC.
async function startHarness(dataDir) {
  const port = await freePort();
  const child = spawnServer([...profileArgs('sse-harness'), '--expose-gc', join(distDir, 'sse-server.js')], bundleEnv(serverEnv(dataDir, port)), { ipc: true });
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

// ---------------------------------------------------------------------------------------------
async function main() {
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

  if (ensureBuilt()) results.notes.push('The server was rebuilt (node scripts/build.mjs) before measuring.');
  await bundleBench();

  const base = flags['data-dir'] ? (mkdirSync(flags['data-dir'], { recursive: true }), flags['data-dir']) : os.tmpdir();
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
    const seedSmall = await runNodeJson(seedArgs(mainDir, ['--runs', String(P.smallRuns)]), { env: bundleEnv(), label: 'seed' });
    for (const f of ['baton.db', 'bench-manifest.json']) copyFileSync(join(mainDir, f), join(smallDir, f));
    log(`seeding up to ${P.runs} runs through core (${P.eventsPerRun} events a run), then ${P.contextEvents} context events with a handoff per ${P.contextChunk} of a project's…`);
    const seedMain = await runNodeJson(seedArgs(mainDir, ['--runs', String(P.runs), '--context-events', String(P.contextEvents), '--handoff-every', String(P.contextChunk)]), { env: bundleEnv(), label: 'seed' });
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
    const SCENARIOS = [
      { key: 'get_run', label: 'GET /api/v1/runs/{id}', path: `/api/v1/runs/${runId}`, headers: mkAuth, expect: 200 },
      // Not a target: a run still in progress is never served from the finished-run cache, so this is the uncached path.
      {
        key: 'get_run_active',
        label: 'GET /api/v1/runs/{id} (run in progress, uncached)',
        path: `/api/v1/runs/${seedMain.activeRunIds[0]}`,
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
      ].map(([key, label, path]) => ({ key, label, path, headers: mkAuth, expect: 200, target: batonUncached })),
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

    // Probe every scenario once: a wrong answer must fail the bench, not produce a fast 4xx number.
    for (const s of SCENARIOS) {
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

    // -- 3. Rounds: baselines then scenarios, every round; ratios are taken within a round.
    const perRound = { baseline_http: [], baseline_express: [], baseline_express_handoffs: [] };
    for (const s of SCENARIOS) perRound[s.key] = [];
    for (let round = 1; round <= P.rounds; round++) {
      log(`round ${round}/${P.rounds}: baselines…`);
      perRound.baseline_http.push(await measure(httpBase, { path: `/runs/${runId}` }));
      perRound.baseline_express.push(await measure(expressBase, { path: `/runs/${runId}` }));
      perRound.baseline_express_handoffs.push(await measure(expressBase, { path: `/handoffs?org=${manifest.orgs[0].id}&limit=50` }));
      for (const s of SCENARIOS) {
        log(`round ${round}/${P.rounds}: ${s.label}…`);
        perRound[s.key].push(await measure(s.target ?? baton, s));
      }
    }
    const summarize = (key, label, extra = {}) => {
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
        streams: streams.ready.opened,
        failed: streams.ready.failed,
        subscribers,
        runs: runIds.length,
        eventsPerSecond: rate,
        appended: appended.appended,
        expectedArrivals: appended.appended * (streams.ready.opened / runIds.length),
        received: delays.received,
        gaps: delays.gaps,
        p50Ms: delays.p50,
        p90Ms: delays.p90,
        p99Ms: delays.p99,
        maxMs: delays.max,
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
    const grown = await runNodeJson([join(distDir, 'seed.js'), '--data-dir', mainDir, '--clone-to', String(P.largeRuns)], { env: bundleEnv(), label: 'clone' });
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
  add('sse_kb_per_conn', sse.realServer.kbPerConnection);
  add('cold_start_ms', results.coldStart.medianMs);
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
