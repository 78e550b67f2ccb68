#!/usr/bin/env node
// A quick A/B loop for speed work: the built server and bare Express on a database the bench kept,
// measured in interleaved rounds, with ratios. Much faster than a bench run, for trying a change.
//
//   npm run bench -- --quick --keep            (prints "data kept in <dir>")
//   node bench/ab.mjs <dir>/main [seconds=3] [rounds=2] [scenario ...]
//
// Scenarios: get_run, list, list_off (default: all). PROFILE=1 runs the server with --cpu-prof
// (profiles in bench/results/profiles/; summarise with bench/profile-summary.mjs).
// Rebuild first (node scripts/build.mjs) when sources changed: this uses apps/server/dist as is.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [dataDir, secs = '3', rounds = '2', ...only] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 10).join('\n').replace(/^\/\/ ?/gm, '') + '\n');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(dataDir, 'bench-manifest.json'), 'utf8'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The run every bench GET /runs/{id} reads: the newest finished run with events in the key's org.
const db = new Database(join(dataDir, 'baton.db'), { readonly: true });
const orgId = db.prepare('SELECT org_id FROM api_keys WHERE key_hash = ?').pluck().get(createHash('sha256').update(manifest.mkKey).digest('hex'));
const runId = db.prepare("SELECT id FROM runs WHERE org_id = ? AND status = 'completed' AND last_seq > 0 ORDER BY created_at DESC LIMIT 1").pluck().get(orgId);
db.close();
if (!runId) throw new Error('no finished run with events in the bench key’s org');

const port0 = 20000 + Math.floor(Math.random() * 20000);
const start = (args, env) => spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
async function waitFor(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} never answered`);
}
const prof = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench/results/profiles')}`] : [];
const baton = start([...prof, 'apps/server/dist/main.js'], {
  PORT: String(port0),
  HOST: '127.0.0.1',
  BATON_DATA_DIR: dataDir,
  BATON_LOG_LEVEL: 'error',
  BATON_RELAY_RATE_LIMIT: '0',
  BATON_RELAY_USER_RATE_LIMIT: '0',
  BATON_ENGINE_PAUSED: 'true',
});
const express = start(['bench/baseline-express.mjs', join(dataDir, 'baton.db'), String(port0 + 1)], {});
const B = `http://127.0.0.1:${port0}`;
const E = `http://127.0.0.1:${port0 + 1}`;
try {
  await waitFor(`${B}/healthz`);
  await waitFor(`${E}/runs/none`);
  const auth = { authorization: `Bearer ${manifest.mkKey}` };
  const S = {
    express: { url: `${E}/runs/${runId}` },
    get_run: { url: `${B}/api/v1/runs/${runId}`, headers: auth },
    list: { url: `${B}/api/v1/runs?limit=25`, headers: auth },
    list_off: { url: `${B}/api/v1/runs?status=completed&limit=25&offset=1000`, headers: auth },
  };
  const names = ['express', ...(only.length ? only : ['get_run', 'list', 'list_off'])];
  const rps = {};
  for (let r = 0; r < Number(rounds); r++) {
    for (const n of names) {
      const out = execFileSync(process.execPath, ['bench/load.mjs', 'http', JSON.stringify({ ...S[n], connections: 10, duration: Number(secs), warmup: 1 })], { cwd: root }).toString();
      const m = JSON.parse(out.trim().split('\n').at(-1));
      (rps[n] ??= []).push(m.rps);
      process.stdout.write(`round ${r + 1} ${n.padEnd(9)} ${Math.round(m.rps)} req/s  p99 ${m.p99} ms  non-2xx ${m.non2xx ?? 0}\n`);
    }
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  for (const n of names.slice(1)) process.stdout.write(`${n.padEnd(9)} ${(sum(rps[n]) / sum(rps.express)).toFixed(3)} × Express\n`);
} finally {
  baton.kill('SIGTERM');
  express.kill('SIGTERM');
  await sleep(1000);
}
