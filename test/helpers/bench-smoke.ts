/** Shared by the two smoke-bench tests (test/bench-smoke*.test.ts), one per engine. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const latest = join(root, 'bench/results/latest.json');
export const latestPostgres = join(root, 'bench/results/latest-postgres.json');


export function runBench(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['scripts/bench.mjs', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
}

export const SCENARIO_KEYS = [
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

