#!/usr/bin/env node
// `npm start`: build when the sources are newer than the last build, then run the server in this process.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { needsBuild } from './build-state.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

if (needsBuild(root)) {
  process.stderr.write('Building Baton (first start, or sources changed)…\n');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(pathToFileURL(join(root, 'apps/server/dist/main.js')).href);
