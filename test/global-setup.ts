import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Builds the SPA and the server bundle once, so the start-up test and the browser test run the
 * same artifacts `npm start` serves. The build is incremental-free but quick (a few seconds).
 */
export default function setup() {
  // For quick local runs of tests that need neither the SPA nor the server bundle; never set in CI.
  if (process.env.BATON_TEST_SKIP_BUILD === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed; see the output above');
}
