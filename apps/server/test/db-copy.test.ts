import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { copySqliteToPostgres, migratePostgres, type CopyProgress } from '@baton/db';
import { client, type Call } from '../../../test/helpers/client.ts';
import { createApiKey, createProject, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { freePort, waitForHealthy } from '../../../test/helpers/process.ts';
import { approveUntilDone, createRunVia, setAutonomy, waitForRun } from '../../../test/helpers/runs.ts';
import { PAYMENTS_FEED } from '../../../test/helpers/relay-feed.ts';
import { createTestDatabase } from '../../../test/helpers/embedded-postgres.ts';

/**
 * `baton db copy --to URL` end to end, with the built bundles as an operator runs them: a SQLite
 * Baton (the server bundle, BATON_DATABASE_URL unset) gets real data through the HTTP API, is
 * stopped, the CLI copies its baton.db into a fresh PostgreSQL database, and the server bundle
 * started on that copy must answer the same reads with the same bodies.
 *
 * Every process gets only the environment below: the runner's BATON_SCHEMA_DIALECT (set per Vitest
 * project) must not reach them, so the file behaves the same in both projects.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(root, 'apps/server/dist/main.js');
const CLI = join(root, 'apps/server/dist/cli.js');
const SECRET = 'db-copy-test-secret-key-0123456789abcdef';
/** Never printed: the test server trusts every login, so the URL may carry any password. */
const PASSWORD = 'hunter2-Sup3rSecret';

function processEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    BATON_LOG_LEVEL: 'error',
    ...extra,
  };
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a child process (asynchronously, so a server can keep serving meanwhile). */
function cli(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root, env: processEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Server {
  url: string;
  call: Call;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd: root,
    env: processEnv({ PORT: String(port), HOST: '127.0.0.1', BATON_SQLITE_SYNCHRONOUS: 'NORMAL', BATON_RELAY_RATE_LIMIT: '0', BATON_RELAY_USER_RATE_LIMIT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitForHealthy(url, child, () => output, { timeoutMs: 30_000, intervalMs: 50 });
  return {
    url,
    call: client(url),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function pgQuery<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** Rows per Baton table of a Postgres database (drizzle's own journal lives in its own schema). */
async function pgCounts(url: string): Promise<Record<string, number>> {
  const tables = await pgQuery<{ name: string }>(url, `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`);
  const out: Record<string, number> = {};
  for (const { name } of tables) out[name] = Number((await pgQuery<{ n: string }>(url, `SELECT count(*)::text AS n FROM "${name}"`))[0]!.n);
  return out;
}

function sqliteCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations' ORDER BY 1`).pluck().all() as string[];
    return Object.fromEntries(names.map((n) => [n, Number(db.prepare(`SELECT count(*) FROM "${n}"`).pluck().get())]));
  } finally {
    db.close();
  }
}

/** The run counts the triggers keep, beside a fresh count of the runs: they must agree. */
async function runCountsAgree(url: string) {
  const kept = await pgQuery<{ org_id: string; project_key: string; status: string; n: string }>(
    url,
    // A count is the sum over its shards (Postgres spreads each change over 16).
    `SELECT org_id, project_key, status, sum(n)::text AS n FROM run_counts GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3`,
  );
  const counted = await pgQuery<{ org_id: string; project_key: string; status: string; n: string }>(
    url,
    `SELECT org_id, COALESCE(project_id, '') AS project_key, status, count(*)::text AS n FROM runs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  return { kept, counted };
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

const withPassword = (url: string) => {
  const u = new URL(url);
  u.password = PASSWORD;
  return u.toString();
};
const redacted = (url: string) => {
  const u = new URL(url);
  u.password = '***';
  return u.toString();
};

let tmp: string;
let dataDir: string;
let alice: TestUser;
let bob: TestUser;
let mkKey: string;
let frKey: string;
let bobKey: string;
let projectId: string;
let runIds: string[];
let handoffId: string;

/** The reads that must answer alike on both engines, keyed by what was asked. */
async function reads(call: Call): Promise<Record<string, { status: number; body: unknown }>> {
  const out: Record<string, { status: number; body: unknown }> = {};
  const get = async (label: string, path: string, auth: { token?: string; cookie?: string }) => {
    const r = await call('GET', path, auth);
    out[label] = { status: r.status, body: r.body };
  };
  await get('runs (mk key)', '/api/v1/runs?limit=50', { token: mkKey });
  await get('runs of the project (cookie)', `/api/v1/runs?projectId=${projectId}`, { cookie: alice.cookie });
  await get('completed runs', '/api/v1/runs?status=completed&limit=2&offset=1', { token: mkKey });
  for (const id of runIds) {
    await get(`run ${id}`, `/api/v1/runs/${id}`, { token: mkKey });
    await get(`replay ${id}`, `/api/v1/runs/${id}/replay`, { token: mkKey });
  }
  await get('orgs', '/api/v1/orgs', { cookie: alice.cookie });
  await get('projects', '/api/v1/projects', { token: mkKey });
  await get('environments', `/api/v1/projects/${projectId}/environments`, { token: mkKey });
  await get('relay projects', '/relay/api/v1/projects', { token: frKey });
  await get('handoffs', `/relay/api/v1/handoffs?project_id=${projectId}`, { token: frKey });
  await get('all handoffs', '/relay/api/v1/handoffs', { token: frKey });
  await get('handoff', `/relay/api/v1/handoffs/${handoffId}`, { token: frKey });
  await get('handoff filters', `/relay/api/v1/handoffs/filters?project_id=${projectId}`, { token: frKey });
  await get('bob runs', '/api/v1/runs', { token: bobKey });
  // Another organization's run is still 404 to bob.
  await get('bob on alice run', `/api/v1/runs/${runIds[0]}`, { token: bobKey });
  for (const [label, password] of [
    ['login', alice.password],
    ['login, wrong password', 'not-the-password'],
  ] as const) {
    const r = await call('POST', '/api/v1/auth/login', { body: { email: alice.email, password } });
    out[label] = { status: r.status, body: r.body };
  }
  return out;
}

let sqliteReads: Record<string, { status: number; body: unknown }>;
let copyUrl: string;
let copyRun: Result;

beforeAll(async () => {
  expect(existsSync(MAIN) && existsSync(CLI), 'the server bundles are missing: run node scripts/build.mjs --quiet').toBe(true);
  tmp = mkdtempSync(join(tmpdir(), 'baton-db-copy-'));
  dataDir = join(tmp, 'data');

  // A SQLite Baton, as `npm start` runs it, with real history.
  const srv = await startServer({ BATON_DATA_DIR: dataDir });
  try {
    const call = srv.call;
    alice = await createUser(call, { orgName: 'Acme' });
    bob = await createUser(call, { orgName: 'Bobco' });
    const project = await createProject(call, { cookie: alice.cookie }, { name: 'Payments' });
    projectId = project.id;
    mkKey = (await createApiKey(call, alice, 'mk_live')).key;
    frKey = (await createApiKey(call, alice, 'fr')).key;
    bobKey = (await createApiKey(call, bob, 'mk_test')).key;

    // A run at the default autonomy level: it asks twice; both approvals are recorded.
    const asked = await createRunVia(call, { token: mkKey }, { requestText: 'Add a health check endpoint', projectId });
    const { run: first, approvals } = await approveUntilDone(call, { token: mkKey }, asked.id);
    expect(first.status).toBe('completed');
    expect(approvals).toBe(2);
    // Two more under autopilot, one of them without a project.
    await setAutonomy(call, { cookie: alice.cookie }, alice.orgId, 'autopilot');
    const second = await createRunVia(call, { cookie: alice.cookie }, { requestText: 'Document the deploy steps in production', projectId });
    const third = await createRunVia(call, { token: mkKey }, { requestText: 'Write a scratch note' });
    for (const id of [second.id, third.id]) expect((await waitForRun(call, { token: mkKey }, id)).status).toBe('completed');
    // One bob starts and cancels at once: a run that ends cancelled.
    const bobs = await createRunVia(call, { token: bobKey }, { requestText: 'Something bob changes his mind about' });
    await call('POST', `/api/v1/runs/${bobs.id}/cancel`, { token: bobKey });
    await waitForRun(call, { token: bobKey }, bobs.id);
    runIds = [asked.id, second.id, third.id];

    // Flow Relay: activity, then a handoff generated from it.
    const ingested = await call('POST', '/relay/api/v1/events', { token: frKey, body: { project_id: projectId, events: PAYMENTS_FEED } });
    expect(ingested.status, JSON.stringify(ingested.body)).toBe(201);
    const accepted = await call('POST', '/relay/api/v1/handoffs', { token: frKey, body: { project_id: projectId } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    let job;
    for (const deadline = Date.now() + 20_000; ; ) {
      job = (await call('GET', `/relay/api/v1/jobs/${accepted.body.jobId}`, { token: frKey })).body.job;
      if (job.status === 'completed' || job.status === 'failed' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(job.status).toBe('completed');
    handoffId = job.result_id;
    // A password reset mail in the outbox.
    expect((await call('POST', '/api/v1/auth/forgot-password', { body: { email: alice.email } })).status).toBe(200);

    sqliteReads = await reads(call);
  } finally {
    await srv.stop();
  }

  copyUrl = withPassword(await createTestDatabase(inject('pgAdminUrl'), 'baton_copy'));
  copyRun = await cli(['db', 'copy', '--to', copyUrl], { BATON_DATA_DIR: dataDir });
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('baton db copy --to postgres://…', () => {
  it('copies every table of the SQLite database, prints progress and a summary, never the password', async () => {
    expect(copyRun.stderr).toBe('');
    expect(copyRun.status).toBe(0);
    const out = copyRun.stdout;
    expect(out).not.toContain(PASSWORD);
    expect(out).toContain(`Copying ${join(dataDir, 'baton.db')}`);
    expect(out).toContain(`to ${redacted(copyUrl)}`);
    expect(out).toContain('Verified: every table holds as many rows as the source snapshot.');

    const source = sqliteCounts(join(dataDir, 'baton.db'));
    const target = await pgCounts(copyUrl);
    expect(target).toEqual(source);
    // The data the API put in is there.
    for (const t of ['users', 'organizations', 'memberships', 'projects', 'project_environments', 'api_keys', 'runs', 'run_events', 'approvals', 'context_events', 'handoffs', 'relay_jobs', 'mail_outbox', 'sessions', 'run_counts']) {
      expect(target[t], t).toBeGreaterThan(0);
    }
    // Progress, one line per table, and the summary table, both with each table's count.
    for (const [table, n] of Object.entries(source)) {
      expect(out).toMatch(new RegExp(`\\] ${table} +${n} rows\\n`));
      expect(out).toMatch(new RegExp(`^${table} +${n}$`, 'm'));
    }
    const total = Object.values(source).reduce((a, b) => a + b, 0);
    expect(out).toMatch(new RegExp(`^total +${total}$`, 'm'));
  });

  it('keeps the run counts right: copied as they were, not counted again by the triggers', async () => {
    const { kept, counted } = await runCountsAgree(copyUrl);
    expect(kept).toEqual(counted);
    expect(counted.reduce((n, r) => n + Number(r.n), 0)).toBe(4);
    // The triggers are on again afterwards: a new run is counted.
    const triggers = await pgQuery<{ tgname: string; tgenabled: string }>(copyUrl, `SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'runs'::regclass AND NOT tgisinternal ORDER BY 1`);
    expect(triggers.length).toBeGreaterThan(0);
    for (const t of triggers) expect(t.tgenabled, t.tgname).toBe('O');
  });

  it('a Baton on the copy answers the same reads with the same bodies, with the same keys, cookie and password', async () => {
    const srv = await startServer({ BATON_DATA_DIR: join(tmp, 'pg-node'), BATON_DATABASE_URL: copyUrl, BATON_SECRET_KEY: SECRET });
    try {
      const pgReads = await reads(srv.call);
      expect(Object.keys(pgReads)).toEqual(Object.keys(sqliteReads));
      for (const [label, r] of Object.entries(sqliteReads)) expect(pgReads[label], label).toEqual(r);
      // What they say, beyond being equal.
      expect(sqliteReads['runs (mk key)']!.status).toBe(200);
      expect((sqliteReads['runs (mk key)']!.body as any).data.runs).toHaveLength(3);
      const detail = sqliteReads[`run ${runIds[0]}`]!.body as any;
      expect(detail.data.status).toBe('completed');
      expect(detail.data.events.length).toBeGreaterThan(5);
      expect(detail.data.approvals.filter((a: any) => a.status === 'approved')).toHaveLength(2);
      expect((sqliteReads['handoffs']!.body as any).handoffs).toHaveLength(1);
      expect(sqliteReads['login']!.status).toBe(200);
      expect(sqliteReads['login, wrong password']!.status).toBe(401);
      expect(sqliteReads['bob on alice run']!.status).toBe(404);

      // The copy is live: a new run on Postgres completes and is counted once.
      const run = await createRunVia(srv.call, { token: mkKey }, { requestText: 'A run after the move', projectId });
      expect((await waitForRun(srv.call, { token: mkKey }, run.id)).status).toBe('completed');
      const list = await srv.call('GET', `/api/v1/runs?projectId=${projectId}`, { token: mkKey });
      expect(list.body.data.runs.map((r: any) => r.id)).toContain(run.id);
      const { kept, counted } = await runCountsAgree(copyUrl);
      expect(kept).toEqual(counted);
    } finally {
      await srv.stop();
    }
  });

  it('outbox and doctor work on the Postgres copy through BATON_DATABASE_URL, without a SQLite file', async () => {
    const env = { BATON_DATA_DIR: join(tmp, 'no-sqlite-here'), BATON_DATABASE_URL: copyUrl, BATON_SECRET_KEY: SECRET };
    const outbox = await cli(['outbox', '--limit', '5'], env);
    expect(outbox.stderr).toBe('');
    expect(outbox.status).toBe(0);
    expect(outbox.stdout).toContain(`to: ${alice.email}`);
    expect(outbox.stdout).toMatch(/reset-password\?token=/);

    const doctor = await cli(['doctor'], { ...env, BATON_SANDBOX: 'off' });
    expect(doctor.status, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain('engine     ok    postgres');
    expect(doctor.stdout).toContain(`database   ok    ${redacted(copyUrl)} answers; migrations up to date`);
    expect(doctor.stdout + doctor.stderr).not.toContain(PASSWORD);
    expect(existsSync(join(tmp, 'no-sqlite-here', 'baton.db'))).toBe(false);

    const sqliteDoctor = await cli(['doctor', '--data-dir', dataDir], { BATON_SANDBOX: 'off' });
    expect(sqliteDoctor.stdout).toContain('engine     ok    sqlite');
    expect(sqliteDoctor.stdout).toContain(`database   ok    ${join(dataDir, 'baton.db')}`);

    const unreachable = await cli(['doctor'], { ...env, BATON_DATABASE_URL: withPassword(`postgres://baton@127.0.0.1:${await freePort()}/baton`), BATON_SANDBOX: 'off' });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stdout).toMatch(/database {3}FAIL {2}postgres:\/\/baton:\*\*\*@127\.0\.0\.1:\d+\/baton does not answer: .*ECONNREFUSED/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain(PASSWORD);
  });

  it('refuses a database that is not empty, and leaves it as it was', async () => {
    const before = await pgCounts(copyUrl);
    const r = await cli(['db', 'copy', '--to', copyUrl], { BATON_DATA_DIR: dataDir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^db copy failed: the target database is not empty: table \w+ has \d+ rows; db copy only copies into an empty database\n$/);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    noStack(r.stderr);
    expect(await pgCounts(copyUrl)).toEqual(before);
  });

  it('refuses a database where one table holds one row, copying nothing at all', async () => {
    const url = await createTestDatabase(inject('pgAdminUrl'), 'baton_copy_one');
    await migratePostgres(url);
    await pgQuery(url, `INSERT INTO mail_outbox (id, "to", subject, text, transport, created_at) VALUES ('m1', 'a@example.test', 's', 't', 'outbox', '2026-01-01T00:00:00.000Z')`);
    const r = await cli(['db', 'copy', '--to', url], { BATON_DATA_DIR: dataDir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('db copy failed: the target database is not empty: table mail_outbox has 1 rows; db copy only copies into an empty database\n');
    const counts = await pgCounts(url);
    expect(Object.entries(counts).filter(([, n]) => n > 0)).toEqual([['mail_outbox', 1]]);
  });

  it('says clearly when the URL is malformed, without echoing it', async () => {
    for (const bad of ['not-a-url', `postgres://baton:${PASSWORD}@/baton`, `mysql://baton:${PASSWORD}@127.0.0.1/baton`]) {
      const r = await cli(['db', 'copy', '--to', bad], { BATON_DATA_DIR: dataDir });
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toBe('db copy: --to must be a postgres:// URL such as postgres://baton:secret@db.internal:5432/baton\n');
      expect(r.stdout).toBe('');
    }
    const missing = await cli(['db', 'copy'], { BATON_DATA_DIR: dataDir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('db copy needs --to URL');
  });

  it('says clearly when PostgreSQL cannot be reached or the database does not exist, without a stack or the password', async () => {
    const port = await freePort();
    const down = await cli(['db', 'copy', '--to', `postgres://baton:${PASSWORD}@127.0.0.1:${port}/baton`], { BATON_DATA_DIR: dataDir });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(new RegExp(`^db copy failed: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/baton: .*ECONNREFUSED.*\\n$`));
    expect(down.stdout + down.stderr).not.toContain(PASSWORD);
    noStack(down.stderr);

    const admin = new URL(inject('pgAdminUrl'));
    admin.pathname = '/no_such_database';
    const noDb = await cli(['db', 'copy', '--to', withPassword(admin.toString())], { BATON_DATA_DIR: dataDir });
    expect(noDb.status).toBe(1);
    expect(noDb.stderr).toMatch(/^db copy failed: cannot connect to PostgreSQL at .*: database "no_such_database" does not exist\n$/);
    expect(noDb.stdout + noDb.stderr).not.toContain(PASSWORD);
  });

  it('refuses when the data dir has no SQLite database, creating nothing', async () => {
    const empty = join(tmp, 'empty-data');
    const url = await createTestDatabase(inject('pgAdminUrl'), 'baton_copy_nosrc');
    const r = await cli(['db', 'copy', '--to', url, '--data-dir', empty], {});
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`No Baton database at ${join(empty, 'baton.db')}. Start the server once (npm start) or pass --data-dir / BATON_DATA_DIR.\n`);
    expect(existsSync(empty)).toBe(false);
    // The target was not touched either: not even migrated.
    expect(await pgQuery(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).toEqual([]);
  });

  it('copies one consistent snapshot while the SQLite server keeps writing', async () => {
    const srv = await startServer({ BATON_DATA_DIR: dataDir });
    let copy: Result;
    const url = withPassword(await createTestDatabase(inject('pgAdminUrl'), 'baton_copy_live'));
    try {
      // Runs under way (autopilot: they write event after event) while the copy reads.
      const started = await Promise.all(Array.from({ length: 6 }, (_, i) => createRunVia(srv.call, { token: mkKey }, { requestText: `Live run ${i}`, projectId })));
      const copying = cli(['db', 'copy', '--to', url], { BATON_DATA_DIR: dataDir });
      const more = Promise.all(Array.from({ length: 4 }, (_, i) => createRunVia(srv.call, { token: mkKey }, { requestText: `Later run ${i}` })));
      copy = await copying;
      for (const r of [...started, ...(await more)]) await waitForRun(srv.call, { token: mkKey }, r.id);
    } finally {
      await srv.stop();
    }
    expect(copy.stderr).toBe('');
    expect(copy.status).toBe(0);
    // Whatever moment it caught, the copy holds together: every run's last sequence number is its
    // newest event, and the counts the triggers keep match the runs.
    const torn = await pgQuery(
      url,
      `SELECT r.id, r.last_seq, max(e.sequence_number) AS max_seq, count(e.id) AS events
         FROM runs r LEFT JOIN run_events e ON e.run_id = r.id
        GROUP BY r.id, r.last_seq
       HAVING r.last_seq <> COALESCE(max(e.sequence_number), 0) OR count(e.id) <> COALESCE(max(e.sequence_number), 0)`,
    );
    expect(torn).toEqual([]);
    const { kept, counted } = await runCountsAgree(url);
    expect(kept).toEqual(counted);
    // The copy's summary names the counts it verified, and the target holds exactly those.
    const target = await pgCounts(url);
    for (const [table, n] of Object.entries(target)) expect(copy.stdout).toMatch(new RegExp(`^${table} +${n}$`, 'm'));
  });
});

describe('copySqliteToPostgres', () => {
  it('reads one snapshot: rows written to the SQLite file during the copy are not in it, and the counts still agree', async () => {
    // A copy of the source (SQLite's backup), written to by another connection while the copy runs.
    const file = join(tmp, 'snapshot.db');
    const src = new Database(join(dataDir, 'baton.db'), { readonly: true });
    await src.backup(file);
    src.close();
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    const before = sqliteCounts(file);
    let written = 0;
    const write = () => {
      writer.prepare(`INSERT INTO mail_outbox (id, "to", subject, text, transport, created_at) VALUES (?, 'late@example.test', 'late', 'late', 'outbox', ?)`).run(`late-${++written}`, new Date().toISOString());
    };
    const seen: CopyProgress[] = [];
    const url = await createTestDatabase(inject('pgAdminUrl'), 'baton_copy_snap');
    try {
      const result = await copySqliteToPostgres({
        sqliteFile: file,
        postgresUrl: url,
        onProgress: (p) => {
          seen.push(p);
          // After the snapshot's first read, and again once tables are being copied (mail_outbox is among the first).
          if (p.kind === 'snapshot' || (p.kind === 'table' && p.done && p.index <= 2)) write();
        },
      });
      expect(written).toBe(3);
      expect(sqliteCounts(file).mail_outbox).toBe(before.mail_outbox! + 3);
      expect(Object.fromEntries(result.tables.map((t) => [t.table, t.rows]))).toEqual(before);
      expect(await pgCounts(url)).toEqual(before);
      expect(result.totalRows).toBe(Object.values(before).reduce((a, b) => a + b, 0));
      expect(seen[0]).toEqual({ kind: 'migrated' });
      expect(seen.at(-1)).toEqual({ kind: 'verified' });
      expect(seen.filter((p) => p.kind === 'table' && p.done).map((p) => (p as { table: string }).table).sort()).toEqual(Object.keys(before).sort());
    } finally {
      writer.close();
    }
  });
});

/** The secret key the SQLite install generated, for an operator moving to Postgres; the CLI points at it. */
describe('db copy help', () => {
  it('is listed in the usage text', async () => {
    const r = await cli(['help'], {});
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('db copy --to URL');
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
    expect(copyRun.stdout).toContain(`use the key in ${join(dataDir, 'secret.key')}`);
  });
});
