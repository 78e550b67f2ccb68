import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { client } from '../../../test/helpers/client.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { freePort, waitForHealthy } from '../../../test/helpers/process.ts';
import { openSideStore, sqlOn, testDatabaseEnv } from '../../../test/helpers/server.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the real built server exactly as the README says (`npm start`) and talks to it over HTTP. */
describe('npm start', () => {
  let child: ChildProcess;
  let dataDir: string;
  // The database on the test project's engine: none on SQLite (the quick start's file under
  // BATON_DATA_DIR), a fresh one on the run's PostgreSQL (BATON_DATABASE_URL) on Postgres.
  let dbEnv: Record<string, string>;
  let url: string;
  let output = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'baton-start-'));
    dbEnv = await testDatabaseEnv();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn('npm', ['start'], {
      cwd: root,
      env: { ...process.env, ...dbEnv, PORT: String(port), HOST: '127.0.0.1', BATON_DATA_DIR: dataDir },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await waitForHealthy(url, child, () => output, { timeoutMs: 90_000, intervalMs: 100 });
  });

  afterAll(async () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the SPA, both APIs and the docs, with the database where the configuration says (BATON_DATA_DIR, or BATON_DATABASE_URL)', async () => {
    const home = await fetch(url + '/');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<div id="root">');
    const deep = await fetch(url + '/login', { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);

    const call = client(url);
    const user = await createUser(call);
    const orgs = await call('GET', '/api/v1/orgs', { cookie: user.cookie });
    expect(orgs.status).toBe(200);
    expect(orgs.body.data.organizations[0].id).toBe(user.orgId);
    expect((await call('GET', '/relay/api/v1/projects')).status).toBe(401);
    expect((await fetch(url + '/docs')).status).toBe(200);
    // The data is in the configured database: the SQLite file under BATON_DATA_DIR, or the Postgres
    // database BATON_DATABASE_URL names (and then no SQLite file beside it).
    expect(existsSync(join(dataDir, 'baton.db'))).toBe(!dbEnv.BATON_DATABASE_URL);
    const side = await openSideStore({ databaseUrl: dbEnv.BATON_DATABASE_URL ?? null, dataDir });
    try {
      expect(await sqlOn(side.reader).get('SELECT id, email FROM users WHERE id = ?', user.id)).toEqual({ id: user.id, email: user.email });
    } finally {
      await side.close();
    }
    expect(output).toMatch(/Baton listening on/);
  });

  it('the CLI reads the same data: the mail outbox', async () => {
    const call = client(url);
    const user = await createUser(call);
    await call('POST', '/api/v1/auth/forgot-password', { body: { email: user.email } });
    const r = spawnSync(process.execPath, ['apps/server/dist/cli.js', 'outbox', '--limit', '5'], {
      cwd: root,
      env: { ...process.env, ...dbEnv, BATON_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`to: ${user.email}`);
    expect(r.stdout).toMatch(/reset-password\?token=/);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    // The signal goes to the whole group, as a terminal's Ctrl-C or a supervisor would send it;
    // npm itself may die of the signal, so the server's own log line is what proves a clean stop.
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    await expect.poll(() => output, { timeout: 5000 }).toMatch(/received SIGTERM, shutting down/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
