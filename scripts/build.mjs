#!/usr/bin/env node
// Builds the SPA (Vite) and bundles the server and CLI (esbuild) into apps/*/dist.
// Workspace packages are bundled from TypeScript source; npm dependencies stay external.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const quiet = process.argv.includes('--quiet');
const t0 = Date.now();

await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });

const externalNpm = {
  name: 'external-npm',
  setup(b) {
    // Bare imports that are not our own @baton/* workspaces resolve from node_modules at run time.
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@baton/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

await esbuild({
  entryPoints: { main: join(root, 'apps/server/src/main.ts'), cli: join(root, 'apps/server/src/cli.ts') },
  outdir: join(root, 'apps/server/dist'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: quiet ? 'error' : 'warning',
  plugins: [externalNpm],
  define: { 'process.env.NODE_ENV': '"production"' },
});

mkdirSync(join(root, 'apps/server/dist'), { recursive: true });
writeFileSync(join(root, 'apps/server/dist/.build-stamp'), new Date().toISOString() + '\n');
if (!quiet) console.log(`built in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
