// Seeds a benchmark database through the real core functions (registerUser, createProject,
// createApiKey, createRun, appendRunEvents, finishRun, ingestContextEvents, and the handoff
// generator the job runs: draftProjectHandoff, insertHandoff). Bundled by scripts/bench.mjs into bench/dist.
//
//   node bench/dist/seed.js --data-dir DIR --runs N [--context-events M --handoff-every K] [--orgs 10] [--events-per-run 10] [--batch 500]
//
// Idempotent top-up: the first call creates users, orgs, projects and keys and writes
// DIR/bench-manifest.json; every call then adds seeded runs until N exist in the ten read orgs,
// and ingested context events until M exist there, with a handoff generated after every K of a
// project's (--handoff-every K, default 100; a top-up must keep the same K).
// The job worker is never started, so no seeded run is advanced by the engine.
//
// With BATON_DATABASE_URL=postgres://… (and BATON_SECRET_KEY) set, the same core code seeds that
// Postgres database (the schema's dialect follows BATON_DATABASE_URL at start-up); DIR then holds
// only the manifest. The engine-specific parts (--clone-to, the final checkpoint) have a Postgres
// version each.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { contextEvents, handoffs, rawStatement, runs } from '@baton/db';
import {
  appendRunEvents,
  BATON_SOURCE,
  createApiKey,
  createOrg,
  createProject,
  createRun,
  draftProjectHandoff,
  finishRun,
  ingestContextEvents,
  insertHandoff,
  registerUser,
  withTransaction,
  type Actor,
  type NewRunEvent,
} from '@baton/core';
import { generateApiKey, hashPassword } from '@baton/auth';
import { parseEnv } from '../apps/server/src/env.ts';
import { bootstrap } from '../apps/server/src/bootstrap.ts';

export interface BenchManifest {
  createdAt: string;
  password: string;
  orgs: Array<{ id: string; ownerUserId: string; email: string; projectIds: string[] }>;
  /** Org that POST /runs (and POST /relay/api/v1/events, into its project) writes into, so the read orgs stay the same size during a bench. */
  writeOrg: { id: string; ownerUserId: string; projectId: string };
  /** mk_live key bound to orgs[0] (the org every read scenario reads). */
  mkKey: string;
  /** mk_live key bound to writeOrg. */
  mkWriteKey: string;
  /** fr key of orgs[0]'s owner, for the Flow Relay scenario. */
  frKey: string;
}

const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    runs: { type: 'string' },
    'context-events': { type: 'string', default: '0' },
    'handoff-every': { type: 'string', default: '100' },
    orgs: { type: 'string', default: '10' },
    'events-per-run': { type: 'string', default: '10' },
    batch: { type: 'string', default: '500' },
    synchronous: { type: 'string', default: 'NORMAL' },
    // Scale check only: grow the read orgs to this many runs by cloning core-seeded rows (see cloneRuns).
    'clone-to': { type: 'string' },
  },
});

const dataDir = args['data-dir'];
if (!dataDir || (!args.runs && !args['clone-to'])) {
  process.stderr.write('usage: seed.js --data-dir DIR (--runs N | --clone-to N) [--orgs 10] [--events-per-run 10]\n');
  process.exit(2);
}
const targetRuns = Number(args.runs ?? 0);
const cloneTo = args['clone-to'] ? Number(args['clone-to']) : 0;
const orgCount = Number(args.orgs);
const eventsPerRun = Math.max(3, Number(args['events-per-run']));
const batchSize = Number(args.batch);
const targetContextEvents = Number(args['context-events']);

const baton = await bootstrap(
  parseEnv({
    ...process.env,
    BATON_DATA_DIR: dataDir,
    // Seeding only: NORMAL skips the per-commit fsync. The measured server runs with FULL.
    BATON_SQLITE_SYNCHRONOUS: args.synchronous === 'FULL' ? 'FULL' : 'NORMAL',
    BATON_LOG_LEVEL: 'error',
    BATON_ENGINE_PAUSED: 'true',
  }),
);
const core = baton.core;

// A synthetic clock: seeded runs are spread over the past, 20 s apart, so lists have a realistic
// created_at order and completed_at > created_at. Runs created later by the bench get the real time.
const DAY = 86_400_000;
const T0 = Date.now() - 400 * DAY;
let clock = T0;
core.now = () => new Date(clock);

// Deterministic pseudo-random numbers, so two seeds of the same size hold the same mix.
let rngState = 0x9e3779b9;
const rand = () => {
  rngState ^= rngState << 13;
  rngState ^= rngState >>> 17;
  rngState ^= rngState << 5;
  return (rngState >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const manifestFile = join(dataDir, 'bench-manifest.json');

async function setUp(): Promise<BenchManifest> {
  if (existsSync(manifestFile)) return JSON.parse(readFileSync(manifestFile, 'utf8')) as BenchManifest;
  const password = 'bench-password-123';
  // One argon2id hash serves every bench user (they share the password); hashing is not what we measure.
  const passwordHash = await hashPassword(password);
  const orgs: BenchManifest['orgs'] = [];
  for (let i = 0; i < orgCount; i++) {
    const email = `bench-owner-${i}@example.test`;
    const { user, organization } = await registerUser(core, { email, name: `Bench Owner ${i}`, passwordHash, orgName: `Bench Org ${i}` });
    const actor: Actor = { userId: user.id, via: 'session' };
    const projectIds: string[] = [];
    for (let p = 0; p < 5; p++) {
      const project = await createProject(core, actor, organization.id, {
        name: `Service ${i}-${p}`,
        description: `Benchmark project ${p} of org ${i}`,
        githubRepoUrl: `https://github.com/bench/service-${i}-${p}`,
      });
      projectIds.push(project.id);
    }
    orgs.push({ id: organization.id, ownerUserId: user.id, email, projectIds });
  }
  const owner0: Actor = { userId: orgs[0]!.ownerUserId, via: 'session' };
  const writeOrg = await createOrg(core, { name: 'Bench Writes', ownerUserId: owner0.userId });
  const writeProject = await createProject(core, owner0, writeOrg.id, { name: 'Bench ingest', description: 'Context events ingested during the bench land here' });
  const mkKey = (await createApiKey(core, owner0, orgs[0]!.id, { name: 'bench reads', kind: 'mk_live' }, generateApiKey('mk_live'))).key;
  const mkWriteKey = (await createApiKey(core, owner0, writeOrg.id, { name: 'bench writes', kind: 'mk_live' }, generateApiKey('mk_live'))).key;
  const frKey = (await createApiKey(core, owner0, orgs[0]!.id, { name: 'bench relay', kind: 'fr' }, generateApiKey('fr'))).key;
  const manifest: BenchManifest = {
    createdAt: new Date().toISOString(),
    password,
    orgs,
    writeOrg: { id: writeOrg.id, ownerUserId: owner0.userId, projectId: writeProject.id },
    mkKey,
    mkWriteKey,
    frKey,
  };
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return manifest;
}

const REQUESTS = [
  'Add rate limiting to the public webhooks endpoint',
  'Fix the flaky checkout test on CI',
  'Upgrade the payments service to Node 20',
  'Write a migration that adds an index on orders(created_at)',
  'Rename the user settings page and update its links',
  'Investigate the memory growth in the ingest worker (PAY-12)',
  'Add a dark mode toggle to the dashboard',
  'Document the deploy runbook for the billing service',
];
const TOOLS = ['read_file', 'list_files', 'write_file', 'run_command', 'http_request'];

/** The story of one finished run, like the local driver writes it: stage changes, messages, tool calls, cost. */
function runStory(n: number): NewRunEvent[] {
  const events: NewRunEvent[] = [
    { eventType: 'message', data: { role: 'system', stage: 'intake', text: 'Request received; the local driver will work offline.', driver: 'local' } },
    { eventType: 'stage_transition', data: { from: 'intake', to: 'clarify' } },
    { eventType: 'message', data: { role: 'agent', stage: 'clarify', text: 'Assuming: the change is limited to one service.', assumptions: ['one service'], questions: [] } },
    { eventType: 'artifact_created', data: { kind: 'scope', artifact: { summary: 'Touch the handler and its tests', files: ['src/handler.ts', 'test/handler.test.ts'] } } },
  ];
  while (events.length < n - 1) {
    const tool = pick(TOOLS);
    const key = `step-${events.length}`;
    events.push({ eventType: 'tool_call', data: { stage: 'build', tool, args: { path: 'src/handler.ts' }, risk: 'read', description: `Run ${tool}`, key } });
    if (events.length < n - 1) events.push({ eventType: 'tool_result', data: { stage: 'build', tool, key, ok: true, summary: 'ok', output: 'export function handler() {}\n' } });
  }
  events.push({ eventType: 'cost_update', data: { inputTokens: 1200, outputTokens: 340, credits: '0.008700' }, modelUsed: 'local', tokensUsed: 1540 });
  return events.slice(0, n);
}

/** completed 80 %, failed 10 %, cancelled 6 %, still active 4 % (left in intake with its job queued). */
function pickOutcome(): 'completed' | 'failed' | 'cancelled' | 'active' {
  const r = rand();
  if (r < 0.8) return 'completed';
  if (r < 0.9) return 'failed';
  if (r < 0.96) return 'cancelled';
  return 'active';
}

const seededCount = async (orgIds: string[]) => (await core.db.select({ n: count() }).from(runs).where(inArray(runs.orgId, orgIds)))[0]?.n ?? 0;

/**
 * The scale check's big database. Seeding 900,000 more runs through core would take a quarter of an
 * hour here (drizzle builds and prepares every statement: about 1 ms a run), so the read orgs are
 * grown by copying finished runs that core already wrote (doubling each pass), with new ids and
 * created_at moved further into the past than anything existing (older history: the newest page
 * is unchanged). Copies carry no events and last_seq 0: the list query and its count read only the
 * runs table and its indexes.
 */
async function cloneRuns(orgIds: string[], target: number): Promise<number> {
  if (baton.store.dialect === 'postgres') return cloneRunsPostgres(orgIds, target);
  // Plain SQL on SQLite's two connections: counted on the reader, copied in units of work on the
  // writer (the units' own connection, so the insert is prepared on it once).
  const writer = baton.store.sqliteWriter;
  if (!writer) throw new Error('the bench seeds a SQLite database');
  const cols =
    'org_id, project_id, user_id, status, stage_started_at, stage_history, request_text, scope_artifact, plan_artifact, total_credits_used, total_tokens_input, total_tokens_output, parent_run_id, model_used, error_message, driver, engine_state';
  const uuid =
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-a' || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))";
  const stats = baton.store.reader.$client.prepare(
    'SELECT count(*) AS n, max(rowid) AS maxRowid, julianday(max(created_at)) - julianday(min(created_at)) AS days FROM runs WHERE org_id = ?',
  );
  const insert = writer.$client.prepare(
    `INSERT INTO runs (id, ${cols}, last_seq, created_at, completed_at)
     SELECT ${uuid}, ${cols}, 0,
       strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '-' || ? || ' days'),
       strftime('%Y-%m-%dT%H:%M:%fZ', completed_at, '-' || ? || ' days')
     FROM runs
     WHERE org_id = ? AND rowid <= ? AND status IN ('completed', 'failed', 'cancelled')
     LIMIT ?`,
  );
  let added = 0;
  for (const [i, orgId] of orgIds.entries()) {
    // The same share for every org, as the core seeding deals runs round-robin.
    const orgTarget = Math.floor(target / orgIds.length) + (i < target % orgIds.length ? 1 : 0);
    for (;;) {
      const { n, maxRowid, days } = stats.get(orgId) as { n: number; maxRowid: number; days: number };
      if (n >= orgTarget) break;
      const shift = Math.ceil(days) + 1;
      added += await baton.store.unit(async () => insert.run(shift, shift, orgId, maxRowid, orgTarget - n).changes, 'bench: clone runs');
    }
    process.stderr.write(`  clone: org ${i + 1}/${orgIds.length} at ${orgTarget} runs\n`);
  }
  return added;
}

/** The pool behind the store on Postgres (the reader is typed as SQLite's DB in name only, store.ts). */
type PgPool = { query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }> };
const pgPool = () => (baton.store.reader as unknown as { $client: PgPool }).$client;

/**
 * cloneRuns on Postgres: the same copies (new ids, created_at and completed_at moved further into
 * the past than anything existing, no events, last_seq 0), one INSERT … SELECT per pass, each its
 * own transaction. A statement reads the snapshot it started with, so a pass never copies its own
 * copies. The run_counts triggers keep the counts exact, as on SQLite.
 */
async function cloneRunsPostgres(orgIds: string[], target: number): Promise<number> {
  const pool = pgPool();
  const cols =
    'org_id, project_id, user_id, status, stage_started_at, stage_history, request_text, scope_artifact, plan_artifact, total_credits_used, total_tokens_input, total_tokens_output, parent_run_id, model_used, error_message, driver, engine_state';
  // The same text form as JavaScript's toISOString() (what core writes): 2025-01-02T03:04:05.678Z.
  const shifted = (col: string) => `to_char((${col}::timestamptz - make_interval(days => ?::int)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const insertClones = rawStatement<{ n: number }>(
    `WITH copied AS (
       INSERT INTO runs (id, ${cols}, last_seq, created_at, completed_at)
       SELECT gen_random_uuid()::text, ${cols}, 0, ${shifted('created_at')}, CASE WHEN completed_at IS NULL THEN NULL ELSE ${shifted('completed_at')} END
       FROM runs
       WHERE org_id = ? AND status IN ('completed', 'failed', 'cancelled')
       LIMIT ?
       RETURNING 1)
     SELECT count(*)::int AS n FROM copied`,
  );
  let added = 0;
  for (const [i, orgId] of orgIds.entries()) {
    const orgTarget = Math.floor(target / orgIds.length) + (i < target % orgIds.length ? 1 : 0);
    for (;;) {
      const { rows } = await pool.query(
        'SELECT count(*)::int AS n, extract(epoch FROM max(created_at::timestamptz) - min(created_at::timestamptz)) / 86400 AS days FROM runs WHERE org_id = $1',
        [orgId],
      );
      const n = Number(rows[0]!.n);
      const days = Number(rows[0]!.days ?? 0);
      if (n >= orgTarget) break;
      const shift = Math.ceil(days) + 1;
      // Outside a unit the pool only reads (packages/db/src/postgres.ts): the copy is a unit of its own.
      const r = await baton.store.unit((tx) => insertClones.get(tx, shift, shift, orgId, orgTarget - n), 'bench: clone runs');
      added += Number(r?.n ?? 0);
    }
    process.stderr.write(`  clone: org ${i + 1}/${orgIds.length} at ${orgTarget} runs\n`);
  }
  return added;
}


const manifest = await setUp();
const orgIds = manifest.orgs.map((o) => o.id);
const actors = manifest.orgs.map((o) => ({ actor: { userId: o.ownerUserId, via: 'session' } as Actor, org: o }));
const have = await seededCount(orgIds);
clock = T0 + have * 20_000;
let created = 0;
let events = 0;
let cloned = 0;
const t0 = performance.now();
if (cloneTo) cloned = await cloneRuns(orgIds, cloneTo);
let lastReport = t0;
while (have + created < targetRuns) {
  const n = Math.min(batchSize, targetRuns - have - created);
  // One unit of work per batch: every core call below joins it (withTransaction nests).
  await withTransaction(core, async (core) => {
    for (let i = 0; i < n; i++) {
      const idx = have + created + i;
      const { actor, org } = actors[idx % actors.length]!;
      const projectId = rand() < 0.85 ? pick(org.projectIds) : undefined;
      clock = T0 + idx * 20_000;
      const run = await createRun(core, actor, org.id, { requestText: `${pick(REQUESTS)} (#${idx})`, ...(projectId ? { projectId } : {}) });
      events++; // createRun's own stage_transition to intake
      const outcome = pickOutcome();
      if (outcome === 'active') continue;
      clock += 1000;
      // Finishing appends 1 event (2 for failed); the story fills the rest up to eventsPerRun.
      const story = runStory(eventsPerRun - 1 - (outcome === 'failed' ? 2 : 1));
      await appendRunEvents(core, run.id, story);
      events += story.length;
      clock += 15_000;
      await finishRun(core, run.id, outcome, outcome === 'failed' ? { errorMessage: 'verify: 2 tests failed' } : outcome === 'cancelled' ? { errorMessage: 'Cancelled by Bench Owner' } : {});
      events += outcome === 'failed' ? 2 : 1;
    }
  }, 'bench: seed runs');
  created += n;
  const now = performance.now();
  if (now - lastReport > 5000) {
    lastReport = now;
    process.stderr.write(`  seed: ${have + created}/${targetRuns} runs (${Math.round(created / ((now - t0) / 1000))} runs/s)\n`);
  }
}
const seconds = (performance.now() - t0) / 1000;

// -- Flow Relay: context events from the outside sources, ingested CHUNK at a time per project, with
// a handoff generated after each chunk (covering the activity since the project's previous one).
const OUTSIDE = ['github', 'github', 'slack', 'linear', 'discord'] as const;
const PEOPLE = ['ana', 'ben', 'chen', 'dara', 'eli', 'fay'];
const SAYINGS = [
  'We decided to keep the retry budget at three attempts.',
  'Should the backfill run before or after the deploy?',
  'Next step: add a dashboard panel for the queue depth.',
  'Need to update the runbook once this lands.',
  'Merged after review, the flaky test is fixed.',
  'Agreed to ship behind a feature flag first.',
  'TBD whether the old endpoint can be removed this quarter.',
  'Looks good to me.',
];
function outsideEvent(orgIdx: number, projIdx: number, n: number, at: number): Parameters<typeof ingestContextEvents>[2]['events'][number] {
  const source = OUTSIDE[n % OUTSIDE.length]!;
  const ticket = `SVC${orgIdx}${projIdx}-${100 + Math.floor(rand() * 40)}`;
  const pr = 1000 + Math.floor(rand() * 300);
  const who = pick(PEOPLE);
  const said = pick(SAYINGS);
  const repo = `bench/service-${orgIdx}-${projIdx}`;
  const base = { author: who, created_at: new Date(at).toISOString(), external_id: `${source}-${orgIdx}-${projIdx}-${n}` };
  switch (source) {
    case 'github':
      return rand() < 0.5
        ? { ...base, source, event_type: 'push', title: `Push to ${repo}`, content: `${ticket}: ${pick(REQUESTS)}. ${said}`, resource: repo, branch: rand() < 0.6 ? 'main' : `feature/${ticket.toLowerCase()}` }
        : { ...base, source, event_type: 'pull_request', title: `PR #${pr} ${ticket}: ${pick(REQUESTS)}`, content: said, resource: repo, branch: `feature/${ticket.toLowerCase()}` };
    case 'slack':
      return { ...base, source, event_type: 'message', title: `#service-${projIdx} message from ${who}`, content: `About ${ticket}: ${said}`, resource: `#service-${projIdx}` };
    case 'linear':
      return { ...base, source, event_type: rand() < 0.3 ? 'issue_closed' : 'issue', title: `${ticket} ${pick(REQUESTS)}`, content: said, resource: `team-${orgIdx}`, priority: pick(['low', 'medium', 'high', 'urgent']) };
    default:
      return { ...base, source, event_type: 'message', title: `Discord message in #dev from ${who}`, content: `Re PR #${pr}: ${said}`, resource: 'dev' };
  }
}
const ingestedCount = async () =>
  (await core.db.select({ n: count() }).from(contextEvents).where(and(inArray(contextEvents.orgId, orgIds), sql`${contextEvents.source} <> ${BATON_SOURCE}`)))[0]?.n ?? 0;
const CHUNK = Number(args['handoff-every']);
const haveContext = await ingestedCount();
const projectsInOrder = manifest.orgs.flatMap((o, orgIdx) => o.projectIds.map((projectId, projIdx) => ({ org: o, orgIdx, projectId, projIdx })));
let contextCreated = 0;
let handoffsCreated = 0;
const tCtx = performance.now();
// After the runs' own story (which also wrote run_created / run_finished lines into the streams).
const CTX_T0 = T0 + 30 * DAY;
while (haveContext + contextCreated < targetContextEvents) {
  const chunk = Math.floor((haveContext + contextCreated) / CHUNK);
  const { org, orgIdx, projectId, projIdx } = projectsInOrder[chunk % projectsInOrder.length]!;
  const n = Math.min(CHUNK, targetContextEvents - haveContext - contextCreated);
  const actor: Actor = { userId: org.ownerUserId, via: 'session' };
  // The events and the handoff drafted from them (database reads and CPU only) in one unit of work.
  await withTransaction(core, async (core) => {
    const first = chunk * CHUNK;
    const events = Array.from({ length: n }, (_, i) => outsideEvent(orgIdx, projIdx, first + i, CTX_T0 + (first + i) * 30_000));
    clock = CTX_T0 + (first + n) * 30_000;
    contextCreated += (await ingestContextEvents(core, actor, { project_id: projectId, events })).ingested;
    clock += 1000;
    const project = { id: projectId, orgId: org.id, name: `Service ${orgIdx}-${projIdx}` };
    await insertHandoff(core, project, await draftProjectHandoff(core, project, {}), actor.userId);
    handoffsCreated++;
  }, 'bench: seed context');
  const now = performance.now();
  if (now - lastReport > 5000) {
    lastReport = now;
    process.stderr.write(`  seed: ${haveContext + contextCreated}/${targetContextEvents} context events, ${handoffsCreated} handoffs\n`);
  }
}
const contextSeconds = (performance.now() - tCtx) / 1000;

const totals = {
  runs: (await core.db.select({ n: count() }).from(runs))[0]?.n ?? 0,
  readOrgRuns: await seededCount(orgIds),
  org0Runs: (await core.db.select({ n: count() }).from(runs).where(eq(runs.orgId, orgIds[0]!)))[0]?.n ?? 0,
  org0Completed: (await core.db.select({ n: count() }).from(runs).where(and(eq(runs.orgId, orgIds[0]!), eq(runs.status, 'completed'))))[0]?.n ?? 0,
  runEvents:
    baton.store.dialect === 'postgres'
      ? Number((await pgPool().query('SELECT count(*)::bigint AS n FROM run_events')).rows[0]!.n)
      : (baton.store.reader.$client.prepare('SELECT count(*) AS n FROM run_events').get() as { n: number }).n,
  contextEventsIngested: await ingestedCount(),
  contextEventsFromRuns: (await core.db.select({ n: count() }).from(contextEvents).where(eq(contextEvents.source, BATON_SOURCE)))[0]?.n ?? 0,
  handoffs: (await core.db.select({ n: count() }).from(handoffs))[0]?.n ?? 0,
  org0Handoffs: (await core.db.select({ n: count() }).from(handoffs).where(eq(handoffs.orgId, orgIds[0]!)))[0]?.n ?? 0,
  // The run every GET /runs/{id} measurement (Baton and both baselines) fetches: finished, in orgs[0].
  sampleRunId: (
    await core.db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.orgId, orgIds[0]!), eq(runs.status, 'completed'), sql`${runs.lastSeq} > 0`))
      .orderBy(desc(runs.createdAt))
      .limit(1)
  )[0]?.id,
  // Runs of orgs[0] left active (engine paused): the real server's SSE streams can stay open on them.
  activeRunIds: (
    await core.db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.orgId, orgIds[0]!), eq(runs.status, 'intake')))
      .limit(10)
  ).map((r) => r.id),
};
if (baton.store.dialect === 'postgres') {
  // What autovacuum would have done by now on a live database: statistics for the planner and the
  // visibility map (index-only scans of the covering list indexes). Then a checkpoint, so the
  // measured server does not share the disk with the seed's dirty pages being written out.
  await pgPool().query('VACUUM (ANALYZE)');
  await pgPool().query('CHECKPOINT');
} else {
  // Checkpoint so the measured server does not start with a large WAL to replay (on the writer: no
  // unit is open now, and the reader holds no snapshot between statements).
  baton.store.sqliteWriter!.$client.pragma('wal_checkpoint(TRUNCATE)');
}
await baton.close();
process.stdout.write(
  JSON.stringify({
    createdRuns: created,
    createdEvents: events,
    clonedRuns: cloned,
    seconds: Number(seconds.toFixed(2)),
    runsPerSecond: created ? Math.round(created / seconds) : 0,
    createdContextEvents: contextCreated,
    createdHandoffs: handoffsCreated,
    contextSeconds: Number(contextSeconds.toFixed(2)),
    ...totals,
  }) + '\n',
);
