import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseEnv } from '../src/env.ts';
import { bootstrap } from '../src/bootstrap.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The CLI as a real process. It is bundled here from source with the same esbuild settings as
 * scripts/build.mjs (so the test needs no SPA build and never runs a stale dist), into a folder
 * under node_modules so that its npm imports resolve as they do from apps/server/dist.
 */
let outDir: string;
let cliJs: string;
let tmp: string;
let serverDataDir: string;

function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  // Only what a shell would pass; no BATON_* from the test runner's environment.
  const r = spawnSync(process.execPath, [cliJs, ...args], { cwd: opts.cwd ?? root, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  outDir = mkdtempSync(join(root, 'node_modules/.cache/baton-cli-test-'));
  cliJs = join(outDir, 'cli.js');
  await build({
    entryPoints: [join(root, 'apps/server/src/cli.ts')],
    outfile: cliJs,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: [
      {
        name: 'external-npm',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@baton/') ? undefined : { path: args.path, external: true }));
        },
      },
    ],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  tmp = mkdtempSync(join(tmpdir(), 'baton-cli-'));
  // A data dir as the server leaves it after its first start.
  serverDataDir = join(tmp, 'server-data');
  const baton = await bootstrap(parseEnv({ BATON_DATA_DIR: serverDataDir, BATON_LOG_LEVEL: 'silent' }), { logger: { info() {}, warn() {}, error() {} } });
  await baton.close();
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

describe('the CLI finds the server data and never creates an empty database', () => {
  it('refuses when ./data has no database (the default, relative to where it runs), and creates nothing', () => {
    const cwd = mkdtempSync(join(tmp, 'cwd-'));
    const r = cli(['outbox'], { cwd });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`No Baton database at ${join(cwd, 'data', 'baton.db')}. Start the server once (npm start) or pass --data-dir / BATON_DATA_DIR.\n`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses for --data-dir and BATON_DATA_DIR too, leaving the directory as it was', () => {
    const empty = mkdtempSync(join(tmp, 'empty-'));
    const viaFlag = cli(['outbox', '--data-dir', empty]);
    expect(viaFlag.status).toBe(1);
    expect(viaFlag.stderr).toContain(`No Baton database at ${join(empty, 'baton.db')}.`);
    const missing = join(tmp, 'not-there');
    const viaEnv = cli(['outbox'], { env: { BATON_DATA_DIR: missing } });
    expect(viaEnv.status).toBe(1);
    expect(viaEnv.stderr).toContain(`No Baton database at ${join(missing, 'baton.db')}.`);
    expect(readdirSync(empty)).toEqual([]);
    expect(existsSync(missing)).toBe(false);
  });

  it('reads the server database through --data-dir (which wins over BATON_DATA_DIR)', () => {
    const r = cli(['--data-dir', serverDataDir, 'outbox', '--limit', '3'], { env: { BATON_DATA_DIR: join(tmp, 'elsewhere') } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('The outbox is empty.\n');
    expect(existsSync(join(tmp, 'elsewhere'))).toBe(false);
  });

  it('reads it relative to the directory it runs in, as the server does', () => {
    const r = cli(['outbox'], { cwd: tmp, env: { BATON_DATA_DIR: './server-data' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('The outbox is empty.\n');
  });
});

describe('baton doctor', () => {
  it('reports node, data dir, database, a working sandbox and the driver, and exits 0', () => {
    const r = cli(['doctor', '--data-dir', serverDataDir], { env: { BATON_LLM_URL: 'http://127.0.0.1:9/v1', BATON_LLM_MODEL: 'fake-model-1', BATON_LLM_API_KEY: 'sk-not-printed' } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`node       ok    ${process.version}`);
    expect(r.stdout).toContain(`data dir   ok    ${serverDataDir}`);
    expect(r.stdout).toContain(`database   ok    ${join(serverDataDir, 'baton.db')}`);
    expect(r.stdout).toMatch(/sandbox {4}ok {4}on: bubblewrap [\d.]+ at \/\S*bwrap works/);
    expect(r.stdout).toContain('driver     ok    openai: model fake-model-1 at http://127.0.0.1:9/v1 (with an API key)');
    expect(r.stdout).not.toContain('sk-not-printed');
    expect(r.stdout).toContain('All checks passed.');
  });

  it('fails on a missing database, with the fix, and creates nothing', () => {
    const cwd = mkdtempSync(join(tmp, 'doctor-cwd-'));
    const r = cli(['doctor'], { cwd });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`data dir   warn  ${join(cwd, 'data')} (does not exist)`);
    expect(r.stdout).toContain(`database   FAIL  No Baton database at ${join(cwd, 'data', 'baton.db')}. Start the server once (npm start) or pass --data-dir / BATON_DATA_DIR.`);
    expect(r.stdout).toContain('driver     ok    local (deterministic, offline)');
    expect(r.stdout).toContain('1 problem(s) found.');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('fails when the sandbox is on but bubblewrap is missing, saying how to install it', () => {
    const r = cli(['doctor', '--data-dir', serverDataDir], { env: { BATON_BWRAP_PATH: '/nonexistent/bwrap' } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/sandbox {4}FAIL {2}on, but unusable, so agent commands are refused: .*bwrap was not found at \/nonexistent\/bwrap/);
    expect(r.stdout).toContain('apt-get install bubblewrap');
    expect(r.stdout).toContain('BATON_SANDBOX=off');
  });

  it('warns, without failing, when the sandbox is turned off', () => {
    const r = cli(['doctor', '--data-dir', serverDataDir], { env: { BATON_SANDBOX: 'off', BATON_BWRAP_PATH: '/nonexistent/bwrap' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('sandbox    warn  off (BATON_SANDBOX=off): agent commands run on this host without the bubblewrap sandbox');
  });

  it('rejects an invalid environment and unknown commands with exit 2', () => {
    expect(cli(['doctor'], { env: { BATON_SANDBOX: 'maybe' } })).toMatchObject({ status: 2, stderr: expect.stringContaining('BATON_SANDBOX') });
    expect(cli(['frobnicate'])).toMatchObject({ status: 2, stderr: expect.stringContaining('Unknown command "frobnicate"') });
    expect(cli(['help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('doctor') });
  });
});
