// Event-append throughput through core's appendRunEvents, in-process (no HTTP: the server has no
// append endpoint; the engine appends in the server's own process exactly like this).
//
//   node bench/dist/events.js --data-dir DIR --synchronous FULL|NORMAL --mode single|group --duration S [--runs 100]
//
// 100 runs are appended to.
//   single: one unit of work (withTransaction) per append, each awaited before the next one starts,
//           round-robin over the runs: every append is its own transaction and fsync (a lone
//           API-driven append such as approve/deny/cancel; the engine did this before group commit).
//   group:  one async task per run appends one event in a unit of its own, awaits its commit, and
//           repeats, like 100 agent runs sharing the server's thread: the units wait concurrently,
//           and core's SQLite writer lane commits the ones queued together in one transaction (a
//           savepoint each) and one fsync; each task awaits its durable commit before appending again.
//           On Postgres (BATON_DATABASE_URL set) each unit is its own transaction on a pooled
//           connection; --synchronous is SQLite's and ignored there (the session's synchronous_commit
//           decides: the server's, or the connecting role's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterCommit, appendRunEvents, createRun, finishRun, withTransaction, type Actor } from '@baton/core';
import { parseEnv } from '../apps/server/src/env.ts';
import { bootstrap } from '../apps/server/src/bootstrap.ts';
import type { BenchManifest } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    synchronous: { type: 'string', default: 'FULL' },
    mode: { type: 'string', default: 'single' },
    duration: { type: 'string', default: '5' },
    runs: { type: 'string', default: '100' },
  },
});
const dataDir = args['data-dir']!;
const synchronous = args.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL';
const mode = args.mode === 'group' ? 'group' : 'single';
const durationMs = Number(args.duration) * 1000;
const runCount = Number(args.runs);

const manifest = JSON.parse(readFileSync(join(dataDir, 'bench-manifest.json'), 'utf8')) as BenchManifest;
const baton = await bootstrap(parseEnv({ ...process.env, BATON_DATA_DIR: dataDir, BATON_SQLITE_SYNCHRONOUS: synchronous, BATON_LOG_LEVEL: 'error', BATON_ENGINE_PAUSED: 'true' }));
const core = baton.core;
const owner: Actor = { userId: manifest.writeOrg.ownerUserId, via: 'session' };
const runIds = await withTransaction(core, async (core) => {
  const ids: string[] = [];
  for (let i = 0; i < runCount; i++) ids.push((await createRun(core, owner, manifest.writeOrg.id, { requestText: `event throughput run ${i}` })).id);
  return ids;
}, 'bench: create runs');

const event = (i: number) => ({
  eventType: 'tool_result' as const,
  data: { stage: 'build', tool: 'run_command', key: `step-${i}`, ok: true, summary: 'exit 0', output: 'PASS test/handler.test.ts (4 tests)\n' },
});

let appended = 0;
let commits = 0;
const t0 = performance.now();
const deadline = t0 + durationMs;

if (mode === 'single') {
  // One unit at a time: none waits while another commits, so none shares a commit.
  for (let i = 0; performance.now() < deadline; i++) {
    await withTransaction(core, (core) => appendRunEvents(core, runIds[i % runIds.length]!, [event(Math.floor(i / runIds.length))]));
    appended++;
    commits++;
  }
} else if (baton.store.dialect === 'postgres') {
  // On Postgres every unit is a transaction of its own on a pooled connection (BATON_DB_POOL_SIZE of
  // them run at once); Postgres itself lets commits that wait on the WAL flush together share it.
  await Promise.all(
    runIds.map(async (runId) => {
      let i = 0;
      while (performance.now() < deadline) {
        await withTransaction(core, (core) => appendRunEvents(core, runId, [event(i++)]));
        appended++;
        commits++;
      }
    }),
  );
} else {
  // Count real COMMITs: the first unit of each transaction registers one after-commit callback (the
  // callbacks of a batch run when it has committed, before the lane starts the next one).
  let hooked = false;
  const countCommit = (unit: typeof core) => {
    if (hooked) return;
    hooked = true;
    afterCommit(unit, () => {
      commits++;
      hooked = false;
    });
  };
  await Promise.all(
    runIds.map(async (runId) => {
      let i = 0;
      while (performance.now() < deadline) {
        await withTransaction(core, (core) => {
          countCommit(core);
          return appendRunEvents(core, runId, [event(i++)]);
        });
        appended++;
      }
    }),
  );
}
const seconds = (performance.now() - t0) / 1000;
// On Postgres the durability is the session's synchronous_commit (the server's setting, or the
// connecting role's: ALTER ROLE … SET synchronous_commit = off): report what the pool ran with.
const durability =
  baton.store.dialect === 'postgres'
    ? `synchronous_commit=${String((await (baton.store.reader as unknown as { $client: { query(q: string): Promise<{ rows: Array<{ synchronous_commit: string }> }> } }).$client.query('SHOW synchronous_commit')).rows[0]?.synchronous_commit)}`
    : synchronous;
await withTransaction(core, async (core) => {
  for (const runId of runIds) await finishRun(core, runId, 'completed');
}, 'bench: finish runs');
await baton.close();
process.stdout.write(
  JSON.stringify({
    mode,
    synchronous: durability,
    runs: runCount,
    appended,
    commits,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(appended / seconds),
    commitsPerSecond: Math.round(commits / seconds),
  }) + '\n',
);
