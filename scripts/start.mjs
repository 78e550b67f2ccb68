#!/usr/bin/env node
// `npm start`: build when the sources are newer than the last build, then run the server in this process.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stamp = join(root, 'apps/server/dist/.build-stamp');
const SOURCES = ['apps/server/src', 'apps/web/src', 'apps/web/index.html', 'packages', 'drizzle', 'vite.config.ts', 'scripts/build.mjs', 'package-lock.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function needsBuild() {
  if (!existsSync(stamp) || !existsSync(join(root, 'apps/web/dist/index.html'))) return true;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.some((s) => newestMtime(join(root, s)) > built);
}

if (needsBuild()) {
  process.stderr.write('Building Baton (first start, or sources changed)…\n');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(pathToFileURL(join(root, 'apps/server/dist/main.js')).href);
