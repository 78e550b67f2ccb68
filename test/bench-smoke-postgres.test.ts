import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { latest, latestPostgres, root, runBench, SCENARIO_KEYS } from './helpers/bench-smoke.ts';

/** The Postgres smoke bench (it starts its own PostgreSQL); runs in the postgres project only (vite.config.ts). */
/**
 * `npm run bench -- --smoke --engine postgres` end to end: its own PostgreSQL (durable settings),
 * seeding through core with BATON_DATABASE_URL set, the scenarios against baselines on a pg Pool,
 * one node against two, SSE across nodes (a commit on one node, the streams on another), the scale
 * check's Postgres copies, and the side-by-side report. Shape only, never speed.
 */
describe('npm run bench -- --smoke --engine postgres', () => {
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
    for (const name of ['get_run/express', 'list/express', 'create_run_rps', 'two_nodes/get_run', 'two_nodes/create_run', 'events_per_s', 'sse_cross_node_p99_ms', 'sse_floor_p99_ms', 'sse_same_node_p99_ms', 'scale', 'cold_start_ms']) {
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
    for (const layout of ['crossNode', 'crossNodeSpread', 'sameNode', 'floor']) {
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
