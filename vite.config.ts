import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/**
 * Tests of SQLite's own machinery (the writer lane, its change triggers, its query plans) and of
 * both engines at once (schema parity): they run once, in the sqlite project. Every other test runs
 * on both engines.
 */
const SQLITE_ENGINE_TESTS = [
  '**/node_modules/**',
  'packages/db/test/sqlite-lane.test.ts',
  'packages/db/test/change-epochs.test.ts',
  'packages/db/test/linked-epochs.test.ts',
  'packages/db/test/schema-parity.test.ts',
  'test/query-plans.test.ts',
  // The SQLite smoke bench; the postgres project runs its own (bench-smoke-postgres).
  'test/bench-smoke.test.ts',
];

export default defineConfig({
  root: 'apps/web',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // scripts/build.mjs reports every chunk's gzipped size itself (dist/build-report.json).
    reportCompressedSize: false,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry explanatory comments next to @__PURE__ that Rollup cannot place; harmless.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: { '/trpc': 'http://localhost:3000', '/api': 'http://localhost:3000', '/relay': 'http://localhost:3000' },
  },
  test: {
    root: '.',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // Every test runs on SQLite and on Postgres (but for SQLITE_ENGINE_TESTS). The schema's dialect
    // is fixed when it loads, so the engine is chosen per project through the environment.
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/cluster/**', 'test/bench-smoke-postgres.test.ts'],
          env: { BATON_SCHEMA_DIALECT: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: SQLITE_ENGINE_TESTS,
          env: { BATON_SCHEMA_DIALECT: 'postgres' },
        },
      },
    ],
  },
});
