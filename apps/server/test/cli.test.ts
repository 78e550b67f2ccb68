import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import pg from 'pg';
import { parseEnv } from '../src/env.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { testDatabaseEnv } from '../../../test/helpers/server.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The CLI as a real process. It is bundled here from source with the same esbuild settings as
 * scripts/build.mjs (so the test needs no SPA build and never runs a stale dist), into a folder
 * under node_modules so that its npm imports resolve as they do from apps/server/dist.
 *
 * On the engine this test project runs: the CLI gets the server's database settings as an operator
 * would set them (testDatabaseEnv: none on SQLite, where the database is the data dir's baton.db;
 * BATON_DATABASE_URL and BATON_SECRET_KEY on Postgres). "No database" is then, on SQLite, a data dir
 * without baton.db, and on Postgres a database without Baton's tables (or one that does not exist).
 */
let outDir: string;
let cliJs: string;
let tmp: string;
let serverDataDir: string;
/** The server's database settings (empty on SQLite: the data dir says where the database is). */
let serverDb: Record<string, string>;
/** Settings for a database Baton has never started on (on Postgres an empty database; on SQLite, none). */
let emptyDb: Record<string, string>;

function cli(args: string[], opts: { cwd?: string; env?: Record<string, string>; db?: Record<string, string> } = {}) {
  // Only what a shell would pass; no BATON_* from the test runner's environment (BATON_SCHEMA_DIALECT
  // included: the CLI picks its engine from BATON_DATABASE_URL, as in production).
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(opts.db ?? serverDb), ...opts.env };
  const r = spawnSync(process.execPath, [cliJs, ...args], { cwd: opts.cwd ?? root, env, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the CLI says of a data dir / database where Baton has never started. */
function noDatabase(dataDir: string, db: Record<string, string>): string {
  return db.BATON_DATABASE_URL
    ? `No Baton database at ${db.BATON_DATABASE_URL}: it has no Baton tables yet. Start the server on it once, or copy a SQLite database into it with \`db copy\`.`
    : `No Baton database at ${join(dataDir, 'baton.db')}. Start the server once (npm start) or pass --data-dir / BATON_DATA_DIR.`;
}

async function pgQuery<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/**
 * The CLI created nothing: no file in `dir` (the folder it ran in, or the data dir it was pointed
 * at) and, on Postgres, no table in the database it was given.
 */
async function expectNothingCreated(dir: string, db: Record<string, string>): Promise<void> {
  expect(readdirSync(dir)).toEqual([]);
  if (db.BATON_DATABASE_URL) {
    const tables = await pgQuery(db.BATON_DATABASE_URL, `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`);
    expect(tables).toEqual([]);
  }
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
  // A data dir and database as the server leaves them after its first start.
  serverDataDir = join(tmp, 'server-data');
  serverDb = await testDatabaseEnv();
  emptyDb = await testDatabaseEnv();
  const baton = await bootstrap(parseEnv({ ...serverDb, BATON_DATA_DIR: serverDataDir, BATON_LOG_LEVEL: 'silent' }), { logger: { info() {}, warn() {}, error() {} } });
  await baton.close();
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

describe('the CLI finds the server data and never creates an empty database', () => {
  it('refuses when ./data has no database (the default, relative to where it runs), and creates nothing', async () => {
    const cwd = mkdtempSync(join(tmp, 'cwd-'));
    const r = cli(['outbox'], { cwd, db: emptyDb });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${noDatabase(join(cwd, 'data'), emptyDb)}\n`);
    await expectNothingCreated(cwd, emptyDb);
  });

  it('refuses for --data-dir and BATON_DATA_DIR too, leaving the directory as it was', async () => {
    const empty = mkdtempSync(join(tmp, 'empty-'));
    const viaFlag = cli(['outbox', '--data-dir', empty], { db: emptyDb });
    expect(viaFlag.status).toBe(1);
    expect(viaFlag.stderr).toBe(`${noDatabase(empty, emptyDb)}\n`);
    const missing = join(tmp, 'not-there');
    const viaEnv = cli(['outbox'], { env: { BATON_DATA_DIR: missing }, db: emptyDb });
    expect(viaEnv.status).toBe(1);
    expect(viaEnv.stderr).toBe(`${noDatabase(missing, emptyDb)}\n`);
    await expectNothingCreated(empty, emptyDb);
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
    if (serverDb.BATON_DATABASE_URL) {
      // On Postgres the server's first start leaves no data dir (it holds agent workspaces, made on
      // first use): nothing to warn about.
      expect(r.stdout).toContain(`data dir   ok    ${serverDataDir} (agent workspaces; made when a run first needs one)`);
      expect(r.stdout).toContain('engine     ok    postgres (BATON_DATABASE_URL)');
      expect(r.stdout).toContain(`database   ok    ${serverDb.BATON_DATABASE_URL} answers; migrations up to date`);
    } else {
      expect(r.stdout).toContain(`data dir   ok    ${serverDataDir}`);
      expect(r.stdout).toContain('engine     ok    sqlite (BATON_DATABASE_URL unset)');
      expect(r.stdout).toContain(`database   ok    ${join(serverDataDir, 'baton.db')}`);
    }
    expect(r.stdout).toMatch(/sandbox {4}ok {4}on: bubblewrap [\d.]+ at \/\S*bwrap works/);
    expect(r.stdout).toContain('driver     ok    openai: model fake-model-1 at http://127.0.0.1:9/v1 (with an API key)');
    expect(r.stdout).not.toContain('sk-not-printed');
    expect(r.stdout).toContain('All checks passed.');
  });

  it('fails on a missing database, with the fix, and creates nothing', async () => {
    const cwd = mkdtempSync(join(tmp, 'doctor-cwd-'));
    // Missing: on SQLite no baton.db in ./data; on Postgres a database that does not exist (a name
    // on the run's PostgreSQL that nobody created).
    const missingDb: Record<string, string> = { ...emptyDb };
    let missingName = '';
    if (emptyDb.BATON_DATABASE_URL) {
      const u = new URL(emptyDb.BATON_DATABASE_URL);
      missingName = `${u.pathname.slice(1)}_missing`;
      u.pathname = `/${missingName}`;
      missingDb.BATON_DATABASE_URL = u.toString();
    }
    const r = cli(['doctor'], { cwd, db: missingDb });
    expect(r.status).toBe(1);
    if (missingDb.BATON_DATABASE_URL) {
      expect(r.stdout).toContain(`data dir   ok    ${join(cwd, 'data')} (agent workspaces; made when a run first needs one)`);
      expect(r.stdout).toContain(
        `database   FAIL  ${missingDb.BATON_DATABASE_URL} does not answer: database "${missingName}" does not exist. Check that PostgreSQL is running and the database exists (createdb), or fix BATON_DATABASE_URL.`,
      );
    } else {
      expect(r.stdout).toContain(`data dir   warn  ${join(cwd, 'data')} (does not exist)`);
      expect(r.stdout).toContain(`database   FAIL  No Baton database at ${join(cwd, 'data', 'baton.db')}. Start the server once (npm start) or pass --data-dir / BATON_DATA_DIR.`);
    }
    expect(r.stdout).toContain('driver     ok    local (deterministic, offline)');
    expect(r.stdout).toContain('1 problem(s) found.');
    expect(readdirSync(cwd)).toEqual([]);
    if (missingName) {
      const found = await pgQuery(inject('pgAdminUrl'), 'SELECT datname FROM pg_database WHERE datname = $1', [missingName]);
      expect(found).toEqual([]);
    }
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
