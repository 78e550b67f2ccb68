import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@baton/db';
import {
  appendRunEvents,
  createApiKey,
  createConsoleLogger,
  createCoreContext,
  draftProjectHandoff,
  getHandoff,
  getRelayJob,
  ingestContextEvents,
  insertHandoff,
  listContextEvents,
  listHandoffFilters,
  listHandoffs,
  createHandoffJob,
  createOrg,
  createProject,
  createRun,
  DEFAULT_COMMAND_ALLOWLIST,
  DEFAULT_PRICES,
  CHECKPOINT_STEP,
  finishRun,
  getRunDetail,
  getRunReplay,
  listApiKeys,
  listOrgs,
  listPolicyRules,
  listProjectEnvironments,
  listProjects,
  listRelayProjects,
  listRuns,
  reclaimLeases,
  registerUser,
  runEventsAfter,
  type Actor,
  type CoreContext,
} from '@baton/core';
import { createSessionAuth, generateApiKey, resolveCredentials } from '@baton/auth';
// The worker's leasing query is not exported by core (only the worker calls it); import it from its file.
import { leaseDueJobs } from '../packages/core/src/jobs/queue.ts';

/**
 * Every list query a request makes, captured as the code issues it (drizzle's query logger on a real
 * migrated SQLite file) and run through EXPLAIN QUERY PLAN, so the test cannot drift from the code.
 *
 * Acceptable plan steps:
 *   SEARCH <table> USING [COVERING] INDEX / INTEGER PRIMARY KEY ...  (index lookup or range)
 *   SCAN <table> USING [COVERING] INDEX <index>                      (walks an index in order, e.g.
 *                                                                      to honour ORDER BY + LIMIT)
 *   SCAN CONSTANT ROW, MULTI-INDEX OR, INDEX n, LIST SUBQUERY ...      (plan structure, no table read)
 *   USE TEMP B-TREE FOR ORDER BY / GROUP BY / DISTINCT                 (allowed, but listed as a note)
 * Rejected: a bare `SCAN <table>` — a full table scan — anywhere in the plan; and a SEARCH whose only
 * index constraint is `status=?` (e.g. jobs_lease_idx (status=?)): it visits every row in that
 * status, which on a busy queue is a scan in all but name.
 * Note what a plan cannot show: SEARCH over an index still visits every matching entry, so a count(*)
 * over one org's index entries grows with the org, and a deep OFFSET walks the skipped entries.
 * Those costs are measured by `npm run bench` (scale check, offset scenario), not here.
 */

interface Captured {
  sql: string;
  params: unknown[];
}
interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}
interface Checked {
  sql: string;
  plan: string[];
  fullScans: string[];
  statusOnly: string[];
  notes: string[];
}

let dir: string;
let store: Store;
let ctx: CoreContext;
const captured: Captured[] = [];
const seed: {
  owner: Actor;
  member: Actor;
  mkActor: Actor;
  orgId: string;
  otherOrgId: string;
  projectId: string;
  runId: string;
  activeRunId: string;
  apiKey: string;
  sessionId: string;
  handoffId: string;
  relayJobId: string;
} = {} as never;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-plans-'));
  // The logger sees the queries of both connections: the reader (outside a unit) and the writer.
  store = await openStore({ file: join(dir, 'baton.db'), synchronous: 'NORMAL', logger: { logQuery: (sql, params) => captured.push({ sql, params }) } });
  ctx = createCoreContext({
    store,
    logger: createConsoleLogger('silent'),
    now: () => new Date(),
    config: {
      publicUrl: 'http://localhost',
      nodeId: 'test-node',
      secretKey: 'test-secret-key-0123456789abcdef0123456789',
      mail: { smtpUrl: null, from: 'Baton <baton@localhost>' },
      engine: {
        workspacesDir: join(dir, 'workspaces'),
        driver: 'local',
        llm: { url: null, apiKey: null, model: 'test', timeoutMs: 1000 },
        prices: DEFAULT_PRICES,
        enforceCredits: false,
        approvalTtlMs: 3_600_000,
        commandAllowlist: DEFAULT_COMMAND_ALLOWLIST,
        commandTimeoutMs: 1000,
        maxOutputBytes: 65536,
        httpTimeoutMs: 1000,
        costlyActionMicros: 5_000_000,
        sandbox: true,
        allowPrivateUrls: false,
      },
    },
  });

  // A few rows in every table the list queries read (plans do not depend on counts: Baton never ANALYZEs).
  const a = await registerUser(ctx, { email: 'plans-owner@example.test', name: 'Owner', passwordHash: 'x' });
  const b = await registerUser(ctx, { email: 'plans-member@example.test', name: 'Member', passwordHash: 'x' });
  seed.owner = { userId: a.user.id, via: 'session' };
  seed.member = { userId: b.user.id, via: 'session' };
  seed.orgId = a.organization.id;
  seed.otherOrgId = (await createOrg(ctx, { name: 'Second org', ownerUserId: a.user.id })).id;
  for (let p = 0; p < 3; p++) {
    const project = await createProject(ctx, seed.owner, seed.orgId, { name: `Project ${p}` });
    seed.projectId ??= project.id;
  }
  await createProject(ctx, seed.member, b.organization.id, { name: 'Member project' });
  for (let i = 0; i < 30; i++) {
    const run = await createRun(ctx, seed.owner, seed.orgId, { requestText: `run ${i}`, ...(i % 2 ? { projectId: seed.projectId } : {}) });
    await appendRunEvents(ctx, run.id, [
      { eventType: 'message', data: { text: 'hello' } },
      { eventType: 'cost_update', data: { credits: '0.01' } },
    ]);
    if (i % 3) await finishRun(ctx, run.id, i % 5 ? 'completed' : 'failed', i % 5 ? {} : { errorMessage: 'boom' });
    else seed.activeRunId = run.id; // still in intake, its run.advance job queued
    seed.runId ??= run.id;
  }
  // Past two list checkpoints (every CHECKPOINT_STEP runs), so a deep page walks to them and starts from one.
  for (let i = 0; i < 2 * CHECKPOINT_STEP + 20; i++) await createRun(ctx, seed.owner, seed.otherOrgId, { requestText: `deep ${i}` });
  // Flow Relay: context streams (ingested, personal, and the runs' own lines above), handoffs in both orgs.
  const frActor: Actor = { userId: a.user.id, via: 'fr_key' };
  const otherProject = await createProject(ctx, seed.owner, seed.otherOrgId, { name: 'Second org project' });
  for (const [projectId, orgId] of [
    [seed.projectId, seed.orgId],
    [otherProject.id, seed.otherOrgId],
  ] as const) {
    for (let i = 0; i < 3; i++) {
      await ingestContextEvents(ctx, frActor, {
        project_id: projectId,
        events: Array.from({ length: 20 }, (_, n) => ({ source: n % 2 ? 'github' : 'slack', event_type: 'push', title: `PAY-${n} change`, content: 'We decided to ship it.', branch: 'main', external_id: `${i}-${n}` })),
      });
      const draft = await draftProjectHandoff(ctx, { id: projectId, name: 'P' }, {});
      seed.handoffId = (await insertHandoff(ctx, { id: projectId, orgId }, draft, a.user.id)).id;
    }
  }
  await ingestContextEvents(ctx, frActor, { events: [{ source: 'slack', event_type: 'message', title: 'personal note', content: '' }] });
  seed.relayJobId = (await createHandoffJob(ctx, frActor, { project_id: seed.projectId })).jobId;

  const key = await createApiKey(ctx, seed.owner, seed.orgId, { name: 'plans', kind: 'mk_live' }, generateApiKey('mk_live'));
  await createApiKey(ctx, seed.owner, seed.orgId, { name: 'plans fr', kind: 'fr' }, generateApiKey('fr'));
  seed.apiKey = key.key;
  seed.mkActor = { userId: a.user.id, via: 'mk_key', keyOrgId: seed.orgId };
  const sessions = createSessionAuth(store);
  const cookie = await sessions.createSessionCookie(a.user.id, false);
  seed.sessionId = /mk_session=([^;]+)/.exec(cookie)![1]!;
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function capture(fn: () => unknown): Promise<Captured[]> {
  captured.length = 0;
  await fn();
  return captured.splice(0);
}

function explain(q: Captured): Checked {
  const rows = store.reader.$client.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as unknown[])) as PlanRow[];
  const plan = rows.map((r) => r.detail);
  return {
    sql: q.sql,
    plan,
    // "SCAN runs" or "SCAN runs AS r" without USING: every row of the table is read.
    fullScans: plan.filter((d) => /^SCAN \S+( AS \S+)?$/.test(d.trim()) && !/^SCAN CONSTANT ROW$/.test(d.trim())),
    statusOnly: plan.filter((d) => /^SEARCH \S+( AS \S+)? USING (COVERING )?INDEX \S+ \(status=\?\)$/.test(d.trim())),
    notes: plan.filter((d) => /USE TEMP B-TREE/.test(d) || /^SCAN \S+( AS \S+)? USING/.test(d)),
  };
}

const relay = (): Actor => ({ userId: seed.owner.userId, via: 'fr_key' });

/** Each request path, and the table its main list query must read. */
const CASES: Array<{ name: string; table: string; run: () => unknown }> = [
  { name: 'list runs (no filter)', table: 'runs', run: () => listRuns(ctx, seed.mkActor, null, { limit: 25, offset: 0 }) },
  { name: 'list runs by status', table: 'runs', run: () => listRuns(ctx, seed.mkActor, null, { status: 'completed', limit: 25, offset: 0 }) },
  { name: 'list runs by projectId', table: 'runs', run: () => listRuns(ctx, seed.mkActor, null, { projectId: seed.projectId, limit: 25, offset: 0 }) },
  {
    name: 'list runs by projectId and status',
    table: 'runs',
    run: () => listRuns(ctx, seed.mkActor, null, { projectId: seed.projectId, status: 'completed', limit: 25, offset: 0 }),
  },
  { name: 'list runs with offset', table: 'runs', run: () => listRuns(ctx, seed.mkActor, null, { status: 'completed', limit: 25, offset: 10 }) },
  {
    name: 'list runs, deep page (walks to checkpoints, then starts from one)',
    table: 'runs',
    run: () => listRuns(ctx, seed.owner, seed.otherOrgId, { limit: 25, offset: 2 * CHECKPOINT_STEP + 5 }),
  },
  {
    name: 'list runs by status, deep page',
    table: 'runs',
    run: () => listRuns(ctx, seed.owner, seed.otherOrgId, { status: 'intake', limit: 25, offset: CHECKPOINT_STEP + 5 }),
  },
  { name: 'list projects', table: 'projects', run: () => listProjects(ctx, seed.owner, seed.orgId, { limit: 25, offset: 0 }) },
  { name: 'list projects by status', table: 'projects', run: () => listProjects(ctx, seed.owner, seed.orgId, { status: 'active', limit: 25, offset: 0 }) },
  { name: 'list project environments', table: 'project_environments', run: () => listProjectEnvironments(ctx, seed.owner, seed.orgId, seed.projectId) },
  { name: 'list orgs (memberships by user)', table: 'memberships', run: () => listOrgs(ctx, seed.owner) },
  { name: 'list api keys (admin)', table: 'api_keys', run: () => listApiKeys(ctx, seed.owner, seed.orgId) },
  { name: 'list api keys (member)', table: 'api_keys', run: () => listApiKeys(ctx, seed.member, null) },
  { name: 'run detail: run, events by run, approvals by run', table: 'run_events', run: () => getRunDetail(ctx, seed.mkActor, null, seed.runId) },
  { name: 'run replay (visible events by run)', table: 'run_events', run: () => getRunReplay(ctx, seed.mkActor, null, seed.runId) },
  { name: 'SSE resume (events after a sequence number)', table: 'run_events', run: () => runEventsAfter(ctx, seed.runId, 1) },
  { name: 'list policy rules', table: 'policy_rules', run: () => listPolicyRules(ctx, seed.owner, seed.orgId) },
  { name: 'Flow Relay projects (orgs, member counts, projects)', table: 'projects', run: () => listRelayProjects(ctx, seed.owner) },
  { name: 'Flow Relay handoffs (two orgs: one index walk each, merged)', table: 'handoffs', run: () => listHandoffs(ctx, relay(), { status: 'active', limit: 50 }) },
  { name: 'Flow Relay handoffs, status all', table: 'handoffs', run: () => listHandoffs(ctx, relay(), { status: 'all', limit: 49 }) },
  { name: 'Flow Relay handoffs of a project', table: 'handoffs', run: () => listHandoffs(ctx, relay(), { status: 'archived', limit: 20, project_id: seed.projectId }) },
  {
    name: 'Flow Relay handoffs of a project, status all',
    table: 'handoffs',
    run: () => listHandoffs(ctx, relay(), { status: 'all', limit: 21, project_id: seed.projectId }),
  },
  { name: 'Flow Relay handoff by id', table: 'handoffs', run: () => getHandoff(ctx, relay(), seed.handoffId) },
  { name: 'Flow Relay job by id', table: 'relay_jobs', run: () => getRelayJob(ctx, relay(), seed.relayJobId) },
  { name: 'Flow Relay events of a project', table: 'context_events', run: () => listContextEvents(ctx, relay(), { limit: 50, project_id: seed.projectId }) },
  {
    name: 'Flow Relay events of a project by source',
    table: 'context_events',
    run: () => listContextEvents(ctx, relay(), { limit: 50, project_id: seed.projectId, source: 'github' }),
  },
  { name: 'Flow Relay personal stream', table: 'context_events', run: () => listContextEvents(ctx, relay(), { limit: 50 }) },
  { name: 'Flow Relay personal stream by source', table: 'context_events', run: () => listContextEvents(ctx, relay(), { limit: 50, source: 'slack' }) },
  { name: 'Flow Relay handoff filters', table: 'context_facets', run: () => listHandoffFilters(ctx, relay(), seed.projectId) },
  { name: 'handoff generation: previous handoff of the project', table: 'handoffs', run: () => draftProjectHandoff(ctx, { id: seed.projectId, name: 'P' }, {}) },
  { name: 'job leasing (due jobs)', table: 'jobs', run: () => leaseDueJobs(ctx, 4, 30_000, 'node-a') },
  // Not a list, but on every run's end (complete, fail, cancel, deny): drops the run's queued job by key.
  { name: 'finish run (expire approvals, drop its queued job)', table: 'jobs', run: () => finishRun(ctx, seed.activeRunId, 'cancelled') },
  { name: 'job lease reclaim', table: 'jobs', run: () => reclaimLeases(ctx) },
  {
    name: 'bearer key lookup (every API request)',
    table: 'api_keys',
    run: () => resolveCredentials(store, createSessionAuth(store), { authorization: `Bearer ${seed.apiKey}`, cookie: undefined, surface: 'mk', secure: false }),
  },
  {
    name: 'session cookie lookup (every SPA request)',
    table: 'sessions',
    run: () => resolveCredentials(store, createSessionAuth(store), { authorization: undefined, cookie: `mk_session=${seed.sessionId}`, surface: 'mk', secure: false }),
  },
];

describe('query plans of list queries', () => {
  const report: Array<{ name: string; checked: Checked[] }> = [];

  for (const c of CASES) {
    it(`${c.name}: indexed (no full table scan, no status-only search)`, async () => {
      const queries = (await capture(c.run)).filter((q) => !/^\s*insert/i.test(q.sql));
      expect(queries.length, `${c.name} issued no query through drizzle`).toBeGreaterThan(0);
      expect(
        queries.some((q) => new RegExp(`\\b(from|update|into)\\s+"${c.table}"`, 'i').test(q.sql)),
        `${c.name} no longer reads "${c.table}"; update this case`,
      ).toBe(true);
      const checked = queries.map(explain);
      report.push({ name: c.name, checked });
      const bad = checked.filter((q) => q.fullScans.length || q.statusOnly.length);
      const message = bad
        .map(
          (q) =>
            `${q.fullScans.length ? 'FULL TABLE SCAN' : 'SEARCH BY STATUS ONLY (visits every row in that status)'} in "${c.name}":\n  ${q.sql}\n  plan: ${q.plan.join(' | ')}`,
        )
        .join('\n');
      expect(bad.map((q) => q.sql), message).toEqual([]);
    });
  }

  // Plain better-sqlite3 statements (the hot or streaming paths) bypass drizzle's logger: checked by their text.
  it('the plain statements of context streams and handoff generation are indexed', () => {
    const statements: Array<[string, unknown[]]> = [
      ['SELECT org_id, project_id, user_id, request_text FROM runs WHERE id = ?', [seed.runId]],
      [
        'SELECT id, user_id, source, event_type, title, content, resource, branch, priority, author, created_at FROM context_events WHERE project_id = ? AND created_at > ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ${WALK_BATCH}',
        [seed.projectId, '', '9999', ''],
      ],
      [
        'SELECT id, user_id, source, event_type, title, content, resource, branch, priority, author, created_at FROM context_events WHERE project_id = ? AND source = ? AND created_at > ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ${WALK_BATCH}',
        [seed.projectId, 'github', '', '9999', ''],
      ],
    ];
    const source = [
      readFileSync(new URL('../packages/core/src/relay/context-events.ts', import.meta.url), 'utf8'),
      readFileSync(new URL('../packages/core/src/relay/handoffs.ts', import.meta.url), 'utf8'),
    ].join('\n');
    for (const [sql, params] of statements) {
      const probe = sql.replace('SELECT id, user_id, source, event_type, title, content, resource, branch, priority, author, created_at', 'SELECT ${EVENT_COLUMNS}');
      expect(source.includes(sql) || source.includes(probe), `statement no longer in the code: ${sql}`).toBe(true);
      const checked = explain({ sql: sql.replace('${WALK_BATCH}', '500'), params });
      expect(checked.fullScans, `${sql}\n  plan: ${checked.plan.join(' | ')}`).toEqual([]);
      expect(checked.notes.filter((n) => /TEMP B-TREE/.test(n)), `${sql} sorts instead of walking an index: ${checked.plan.join(' | ')}`).toEqual([]);
    }
  });

  it('every query behind a `count` field searches an index', () => {
    // count(*) over an index (projects, relay member counts) or the sum over run_counts (runs).
    const isCount = (sql: string) => /\bcount\(|\bsum\(/i.test(sql);
    const counts = report.flatMap((r) => r.checked.filter((q) => isCount(q.sql)).map((q) => ({ ...q, name: r.name })));
    // Each list-runs and list-projects case has a `count` field; Flow Relay projects counts members.
    const expected = CASES.filter((c) => /^list runs|^list projects|^Flow Relay projects/.test(c.name)).length;
    expect(counts.length).toBeGreaterThanOrEqual(expected);
    for (const q of counts) {
      expect(q.fullScans, `${q.name}: ${q.sql}\n  plan: ${q.plan.join(' | ')}`).toEqual([]);
      expect(q.plan.some((d) => /^SEARCH /.test(d)), `${q.name}: the count should SEARCH an index: ${q.sql}\n  plan: ${q.plan.join(' | ')}`).toBe(true);
    }
  });

  afterAll(() => {
    // The full picture, for the log: every query, its plan, and the notes (index scans, temp b-trees).
    const lines: string[] = [];
    for (const r of report) {
      lines.push(`■ ${r.name}`);
      for (const q of r.checked) {
        lines.push(`    ${q.sql.replace(/\s+/g, ' ').slice(0, 220)}`);
        lines.push(`      → ${q.plan.join(' | ')}${q.fullScans.length ? '   ✗ FULL SCAN' : ''}${q.statusOnly.length ? '   ✗ BY STATUS ONLY' : ''}`);
      }
    }
    console.log(`EXPLAIN QUERY PLAN of every captured query:\n${lines.join('\n')}`);
  });
});
