// Whether the built app (apps/server/dist, apps/web/dist) is older than its sources. Shared by
// `npm start` and `npm run bench`, which both build only when needed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

export function needsBuild(root) {
  const stamp = join(root, 'apps/server/dist/.build-stamp');
  if (!existsSync(stamp) || !existsSync(join(root, 'apps/server/dist/main.js')) || !existsSync(join(root, 'apps/web/dist/index.html'))) return true;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.some((s) => newestMtime(join(root, s)) > built);
}
