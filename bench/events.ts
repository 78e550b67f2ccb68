// Event-append throughput through core's appendRunEvents, in-process (no HTTP: the server has no
// append endpoint; the engine appends in the server's own process exactly like this).
//
//   node bench/dist/events.js --data-dir DIR --synchronous FULL|NORMAL --mode single|group --duration S [--runs 100]
//
// 100 runs are appended to "concurrently": one async task per run appends one event, waits, and
// repeats, like 100 agent runs sharing the server's thread.
//   single: every appendRunEvents is its own transaction and fsync (what an API-driven append such as
//           approve/deny/cancel does; the engine did this before group commit).
//   group:  every append goes through core's GroupCommitter, as the job worker commits run steps:
//           appends that become ready in the same tick share one transaction (a savepoint each) and
//           one fsync; each task awaits its commit before appending again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterCommit, appendRunEvents, createRun, finishRun, GroupCommitter, withTransaction, type Actor } from '@baton/core';
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
const baton = bootstrap(parseEnv({ ...process.env, BATON_DATA_DIR: dataDir, BATON_SQLITE_SYNCHRONOUS: synchronous, BATON_LOG_LEVEL: 'error', BATON_ENGINE_PAUSED: 'true' }));
const core = baton.core;
const owner: Actor = { userId: manifest.writeOrg.ownerUserId, via: 'session' };
const runIds = Array.from({ length: runCount }, (_, i) => createRun(core, owner, manifest.writeOrg.id, { requestText: `event throughput run ${i}` }).id);

const event = (i: number) => ({
  eventType: 'tool_result' as const,
  data: { stage: 'build', tool: 'run_command', key: `step-${i}`, ok: true, summary: 'exit 0', output: 'PASS test/handler.test.ts (4 tests)\n' },
});

const yieldLoop = () => new Promise<void>((r) => setImmediate(r));
let appended = 0;
let commits = 0;
const t0 = performance.now();
const deadline = t0 + durationMs;

if (mode === 'single') {
  await Promise.all(
    runIds.map(async (runId) => {
      let i = 0;
      while (performance.now() < deadline) {
        appendRunEvents(core, runId, [event(i++)]);
        appended++;
        commits++;
        await yieldLoop();
      }
    }),
  );
} else {
  const committer = new GroupCommitter(core);
  // Count real COMMITs: the first unit of each transaction registers one after-commit callback.
  let hooked = false;
  const countCommit = () => {
    if (hooked) return;
    hooked = true;
    afterCommit(() => {
      commits++;
      hooked = false;
    });
  };
  await Promise.all(
    runIds.map(async (runId) => {
      let i = 0;
      while (performance.now() < deadline) {
        await committer.commit(() => {
          countCommit();
          return appendRunEvents(core, runId, [event(i++)]);
        });
        appended++;
      }
    }),
  );
}
const seconds = (performance.now() - t0) / 1000;
withTransaction(core, () => {
  for (const runId of runIds) finishRun(core, runId, 'completed');
});
await baton.close();
process.stdout.write(
  JSON.stringify({
    mode,
    synchronous,
    runs: runCount,
    appended,
    commits,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(appended / seconds),
    commitsPerSecond: Math.round(commits / seconds),
  }) + '\n',
);
