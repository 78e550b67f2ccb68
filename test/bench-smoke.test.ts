import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { latest, latestPostgres, root, runBench, SCENARIO_KEYS } from './helpers/bench-smoke.ts';

/** The SQLite smoke bench; the postgres project runs test/bench-smoke-postgres.test.ts instead (vite.config.ts). */
/**
 * `npm run bench -- --smoke` end to end: seeding through core, the built server, the baselines,
 * the load process, the SSE harness and the report. Only shape is asserted, never speed (the
 * machine is shared and noisy; speed is what the bench itself reports).
 */
describe('npm run bench -- --smoke', () => {
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
    expect(stdout).toMatch(/runs list first render in headless Chromium: median [\d,]+ ms of 3 \(target < 1,000 ms: (MET|MISSED)\); first-page JS [\d.]+ KB gzipped \(target < 250 KB: (MET|MISSED)\)/);
    expect(stdout).toMatch(/seed: 5,000 context events ingested through core \(\+[\d,]+ written by the runs themselves\), [\d,]+ handoffs generated/);

    // The headline is the last line.
    const last = stdout.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^bench: /);
    for (const name of ['get_run/http', 'get_run/express', 'get_run_p99/express', 'get_run_active/express', 'get_run_uncached/express', 'list_uncached/express', 'list/express', 'handoffs/express', 'handoffs/express_same_payload', 'ingest_events_per_s', 'scale', 'events_per_s', 'sse_p99_ms', 'sse_floor_p99_ms', 'sse_kb_per_conn', 'cold_start_ms', 'spa_runs_render_ms', 'spa_first_page_js_kb']) {
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
    for (const layout of ['oneRun', 'spread', 'floor']) {
      const x = results.sse[layout];
      expect(x.received, `${layout}: every appended event reaches every stream`).toBe(x.expectedArrivals);
      expect(x.gaps).toBe(0);
    }
    expect(results.sse.realServer.streams).toBeGreaterThan(0);
    expect(results.scale.largeRuns).toBeGreaterThan(results.scale.smallRuns);
    expect(typeof results.scale.p99Ratio).toBe('number');
    expect(results.coldStart.samplesMs.length).toBeGreaterThan(0);
    expect(results.spa.samplesMs).toHaveLength(3);
    expect(results.spa.samplesMs.every((ms: number) => ms > 0)).toBe(true);
    expect(results.spa.firstPageJsGzipKb).toBeGreaterThan(0);
    expect(results.seed.runs).toBeGreaterThan(0);
    expect(results.seed.contextEventsIngested).toBe(5000);
    expect(results.seed.org0Handoffs).toBeGreaterThanOrEqual(50);
    expect(results.scenarios.relay_handoffs.responseBytes).toBeGreaterThan(0);
    expect(typeof results.scenarios.relay_handoffs.vsExpressSamePayload).toBe('number');
    expect(results.headline).toBe(last);
  }, 120_000);
});

