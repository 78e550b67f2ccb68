import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const latest = join(root, 'bench/results/latest.json');
const latestPostgres = join(root, 'bench/results/latest-postgres.json');

/**
 * Like every test, this file runs in both vitest projects (vite.config.ts): the sqlite project runs
 * the SQLite smoke bench, the postgres project the Postgres one (`--engine postgres`, which starts
 * its own PostgreSQL). Run alone, outside a project, it runs both.
 */
const project = process.env.BATON_SCHEMA_DIALECT;

function runBench(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['scripts/bench.mjs', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
}

const SCENARIO_KEYS = [
  'baseline_express',
  'baseline_express_handoffs',
  'baseline_http',
  'create_run',
  'get_run',
  'get_run_active',
  'get_run_uncached',
  'list_runs',
  'list_runs_completed_offset',
  'list_runs_completed_offset_uncached',
  'list_runs_uncached',
  'login',
  'relay_handoffs',
  'relay_ingest',
].sort();

/**
 * `npm run bench -- --smoke` end to end: seeding through core, the built server, the baselines,
 * the load process, the SSE harness and the report. Only shape is asserted, never speed (the
 * machine is shared and noisy; speed is what the bench itself reports).
 */
describe.runIf(project !== 'postgres')('npm run bench -- --smoke', () => {
  it('runs every phase, prints the table and the headline, and writes bench/results/latest.json', async () => {
    const startedAt = Date.now();
    const { code, stdout, stderr } = await runBench(['--smoke']);
    expect(code, `bench --smoke failed:\n${stderr.slice(-3000)}`).toBe(0);

    // The table.
    expect(stdout).toMatch(/scenario\s+req\/s\s+p50 ms\s+p99 ms/);
    for (const row of ['baseline (a) node:http', 'baseline (b) Express 5', 'GET /api/v1/runs/{id}', 'GET /api/v1/runs?limit=25', 'POST /api/v1/runs', 'POST /api/v1/auth/login']) {
      expect(stdout).toContain(row);
    }
    expect(stdout).toMatch(/GET \/relay\/api\/v1\/handoffs\?limit=50\s+\d/);
    expect(stdout).toMatch(/GET \/relay\/api\/v1\/handoffs\?limit=50: \S+× Express, target ≥ 0\.4: (MET|MISSED)/);
    expect(stdout).toContain('run events');
    expect(stdout).toContain('SSE fan-out');
    expect(stdout).toMatch(/scale \(read caches off\): .*×/);
    expect(stdout).toMatch(/GET \/api\/v1\/runs\/\{id\}: \S+× Express req\/s, target ≥ 0\.6: (MET|MISSED); p99 \S+× Express's, target ≤ 2: (MET|MISSED)/);
    expect(stdout).toMatch(/cold start .*median/);
    expect(stdout).toMatch(/seed: 5,000 context events ingested through core \(\+[\d,]+ written by the runs themselves\), [\d,]+ handoffs generated/);

    // The headline is the last line.
    const last = stdout.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^bench: /);
    for (const name of ['get_run/http', 'get_run/express', 'get_run_p99/express', 'get_run_active/express', 'get_run_uncached/express', 'list_uncached/express', 'list/express', 'handoffs/express', 'handoffs/express_same_payload', 'ingest_events_per_s', 'scale', 'events_per_s', 'sse_p99_ms', 'sse_kb_per_conn', 'cold_start_ms']) {
      expect(last).toMatch(new RegExp(`\\b${name.replace('/', '\\/')} \\S+`));
    }

    // The results file, written by this run.
    expect(existsSync(latest)).toBe(true);
    expect(statSync(latest).mtimeMs).toBeGreaterThanOrEqual(startedAt - 1000);
    const results = JSON.parse(readFileSync(latest, 'utf8'));
    expect(results.mode).toBe('smoke');
    expect(Object.keys(results.scenarios).sort()).toEqual(SCENARIO_KEYS);
    for (const key of Object.keys(results.scenarios)) {
      const s = results.scenarios[key];
      expect(s.rps, key).toBeGreaterThan(0);
      expect(typeof s.p50Ms, key).toBe('number');
      expect(typeof s.p99Ms, key).toBe('number');
      expect(typeof s.vsHttp, key).toBe('number');
      expect(typeof s.vsExpress, key).toBe('number');
      expect(s.non2xx, `${key} answered non-2xx`).toBe(0);
    }
    expect(Object.keys(results.events).sort()).toEqual(['group_full', 'group_normal', 'method', 'single_full', 'single_normal']);
    for (const k of ['group_full', 'group_normal', 'single_full', 'single_normal']) expect(results.events[k].appended, k).toBeGreaterThan(0);
    for (const layout of ['oneRun', 'spread']) {
      const x = results.sse[layout];
      expect(x.received, `${layout}: every appended event reaches every stream`).toBe(x.expectedArrivals);
      expect(x.gaps).toBe(0);
    }
    expect(results.sse.realServer.streams).toBeGreaterThan(0);
    expect(results.scale.largeRuns).toBeGreaterThan(results.scale.smallRuns);
    expect(typeof results.scale.p99Ratio).toBe('number');
    expect(results.coldStart.samplesMs.length).toBeGreaterThan(0);
    expect(results.seed.runs).toBeGreaterThan(0);
    expect(results.seed.contextEventsIngested).toBe(5000);
    expect(results.seed.org0Handoffs).toBeGreaterThanOrEqual(50);
    expect(results.scenarios.relay_handoffs.responseBytes).toBeGreaterThan(0);
    expect(typeof results.scenarios.relay_handoffs.vsExpressSamePayload).toBe('number');
    expect(results.headline).toBe(last);
  }, 120_000);
});

/**
 * `npm run bench -- --smoke --engine postgres` end to end: its own PostgreSQL (durable settings),
 * seeding through core with BATON_DATABASE_URL set, the scenarios against baselines on a pg Pool,
 * one node against two, SSE across nodes (a commit on one node, the streams on another), the scale
 * check's Postgres copies, and the side-by-side report. Shape only, never speed.
 */
describe.runIf(project !== 'sqlite')('npm run bench -- --smoke --engine postgres', () => {
  it('runs every phase on Postgres, prints the tables and the headline, and writes bench/results/latest-postgres.json', async () => {
    const startedAt = Date.now();
    const { code, stdout, stderr } = await runBench(['--smoke', '--engine', 'postgres']);
    expect(code, `bench --smoke --engine postgres failed:\n${stderr.slice(-3000)}`).toBe(0);

    // The settings, the tables and the targets.
    expect(stdout).toMatch(/postgres: PostgreSQL 18\.\S+ .*fsync=on synchronous_commit=on full_page_writes=on/);
    expect(stdout).toMatch(/scenario \(one node\)\s+req\/s\s+p50 ms\s+p99 ms/);
    for (const row of ['baseline (a) node:http + pg Pool', 'baseline (b) Express 5 + pg Pool', 'GET /api/v1/runs/{id}', 'GET /api/v1/runs?limit=25', 'POST /api/v1/runs', 'POST /api/v1/auth/login']) {
      expect(stdout).toContain(row);
    }
    expect(stdout).toMatch(/POST \/api\/v1\/runs, one node, 10 connections: [\d,]+ req\/s .*target ≥ 2,000: (MET|MISSED)/);
    expect(stdout).toMatch(/SSE, commit on one node → event on another node's stream, [\d,]+ streams on 1 run: p99 \S+ ms, target < 50 ms: (MET|MISSED)/);
    expect(stdout).toMatch(/one node against two/);
    expect(stdout).toMatch(/run events \(core appendRunEvents/);
    expect(stdout).toMatch(/scale \(read caches off\): .*×/);
    expect(stdout).toMatch(/cold start .*median/);
    expect(stdout).toMatch(/SQLite and PostgreSQL side by side|SQLite side by side: no bench\/results\/smoke\.json/);

    const last = stdout.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^bench-postgres: /);
    for (const name of ['get_run/express', 'list/express', 'create_run_rps', 'two_nodes/get_run', 'two_nodes/create_run', 'events_per_s', 'sse_cross_node_p99_ms', 'sse_same_node_p99_ms', 'scale', 'cold_start_ms']) {
      expect(last).toMatch(new RegExp(`\\b${name.replace('/', '\\/')} \\S+`));
    }

    expect(existsSync(latestPostgres)).toBe(true);
    expect(statSync(latestPostgres).mtimeMs).toBeGreaterThanOrEqual(startedAt - 1000);
    const results = JSON.parse(readFileSync(latestPostgres, 'utf8'));
    expect(results.engine).toBe('postgres');
    expect(results.mode).toBe('smoke');
    expect(results.postgres.settings).toMatchObject({ fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' });
    expect(Object.keys(results.scenarios).sort()).toEqual(SCENARIO_KEYS);
    for (const key of Object.keys(results.scenarios)) {
      const s = results.scenarios[key];
      expect(s.rps, key).toBeGreaterThan(0);
      expect(typeof s.vsExpress, key).toBe('number');
      expect(s.non2xx, `${key} answered non-2xx`).toBe(0);
    }
    // The smoke run compares one read and one write on one node and on two.
    expect(Object.keys(results.twoNodes).filter((k) => k !== 'method').sort()).toEqual(['create_run', 'get_run']);
    for (const key of ['get_run', 'create_run']) {
      const t = results.twoNodes[key];
      expect(t.oneNodeRps, key).toBeGreaterThan(0);
      expect(t.twoNodesRps, key).toBeGreaterThan(0);
      expect(t.non2xx, `${key} answered non-2xx on one or two nodes`).toBe(0);
    }
    for (const k of ['group_full', 'group_normal', 'single_full', 'single_normal']) expect(results.events[k].appended, k).toBeGreaterThan(0);
    expect(results.events.group_full.synchronous).toBe('synchronous_commit=on');
    expect(results.events.group_normal.synchronous).toBe('synchronous_commit=off');
    for (const k of ['conns10', 'conns10Notify', 'conns1', 'conns1Notify', 'conns10HotRow']) expect(results.events.postgresCommits[k], k).toBeGreaterThan(0);
    for (const layout of ['crossNode', 'crossNodeSpread', 'sameNode']) {
      const x = results.sse[layout];
      expect(x.streams, layout).toBeGreaterThan(0);
      expect(x.received, `${layout}: every appended event reaches every stream`).toBe(x.expectedArrivals);
      expect(x.gaps, layout).toBe(0);
    }
    expect(results.sse.realServer.streams).toBeGreaterThan(0);
    expect(results.scale.largeRuns).toBeGreaterThan(results.scale.smallRuns);
    expect(typeof results.scale.p99Ratio).toBe('number');
    expect(results.coldStart.samplesMs.length).toBeGreaterThan(0);
    expect(results.seed.runs).toBeGreaterThan(0);
    expect(results.seed.org0Handoffs).toBeGreaterThanOrEqual(50);
    expect(results.headline).toBe(last);
  }, 180_000);
});
