#!/usr/bin/env node
// Builds the SPA (Vite) and bundles the server and CLI (esbuild) into apps/*/dist.
// Workspace packages are bundled from TypeScript source; npm dependencies stay external.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const quiet = process.argv.includes('--quiet');
const t0 = Date.now();
/** What a visitor downloads before the first page shows (the entry chunk and its static imports), gzipped. */
const FIRST_PAGE_BUDGET_GZIP = 250 * 1024;

const spa = await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
writeBuildReport(spa);

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

/**
 * Every JS chunk of the SPA with its gzipped size, and the first-page total (what index.html
 * loads), printed and written to apps/web/dist/build-report.json. Over budget fails the build.
 */
function writeBuildReport(result) {
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
  const chunks = outputs.filter((o) => o.type === 'chunk');
  const byFile = new Map(chunks.map((c) => [c.fileName, c]));
  const firstPage = new Set();
  const visit = (file) => {
    const c = byFile.get(file);
    if (!c || firstPage.has(file)) return;
    firstPage.add(file);
    c.imports.forEach(visit);
  };
  chunks.filter((c) => c.isEntry).forEach((c) => visit(c.fileName));

  const rows = chunks
    .map((c) => ({
      file: c.fileName,
      source: c.facadeModuleId ? relative(root, c.facadeModuleId) : null,
      bytes: Buffer.byteLength(c.code),
      gzipBytes: gzipSync(c.code, { level: 9 }).length,
      entry: c.isEntry,
      firstPage: firstPage.has(c.fileName),
    }))
    .sort((a, b) => Number(b.firstPage) - Number(a.firstPage) || b.gzipBytes - a.gzipBytes);
  const firstPageJsGzipBytes = rows.filter((r) => r.firstPage).reduce((n, r) => n + r.gzipBytes, 0);
  const report = { generatedAt: new Date().toISOString(), firstPageJsGzipBytes, firstPageBudgetGzipBytes: FIRST_PAGE_BUDGET_GZIP, chunks: rows };
  writeFileSync(join(root, 'apps/web/dist/build-report.json'), JSON.stringify(report, null, 2) + '\n');

  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  if (!quiet) {
    console.log('SPA chunks (gzipped):');
    for (const r of rows) console.log(`  ${kb(r.gzipBytes).padStart(9)}  ${r.file}${r.firstPage ? '  [first page]' : ''}${r.source ? `  ← ${r.source}` : ''}`);
    console.log(`First-page JS: ${kb(firstPageJsGzipBytes)} gzipped (budget ${kb(FIRST_PAGE_BUDGET_GZIP)}); report in apps/web/dist/build-report.json`);
  }
  if (firstPageJsGzipBytes > FIRST_PAGE_BUDGET_GZIP) {
    throw new Error(`first-page JS is ${kb(firstPageJsGzipBytes)} gzipped, over the ${kb(FIRST_PAGE_BUDGET_GZIP)} budget (see apps/web/dist/build-report.json)`);
  }
}
