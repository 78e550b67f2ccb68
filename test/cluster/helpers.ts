import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect } from 'vitest';
import { client, type Call } from '../helpers/client.ts';
import { startFakeServer, type FakeServer } from '../helpers/fake-http.ts';
import { freePort, waitForHealthy } from '../helpers/process.ts';
import { assertContiguous } from '../helpers/runs.ts';
import type { SseEvent } from '../helpers/sse.ts';

/**
 * Multi-node harness: real Baton processes (the built bundle, as `npm start` runs it) sharing one
 * real PostgreSQL, a scripted OpenAI-compatible model whose answers a test can hold back, and a
 * plain connection to the database for looking (never writing) at the job queue.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every node of a cluster must hold the same secret key (env.ts). */
export const CLUSTER_SECRET = 'cluster-test-secret-0123456789abcdef0123456789';

export interface BatonNode {
  /** BATON_NODE_ID: the name in the node's leases (jobs.locked_by) and logs. */
  id: string;
  url: string;
  call: Call;
  child: ChildProcess;
  dataDir: string;
  /** Everything the process wrote (stdout and stderr), for diagnosis and log assertions. */
  output(): string;
  /** The JSON log lines (createConsoleLogger) parsed. */
  logs(): Array<{ level: string; msg: string; [k: string]: unknown }>;
  /** True until the process has exited. */
  alive(): boolean;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** SIGSTOP: the process freezes, its sockets stay open (a stalled worker, a long GC pause, a VM paused). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGKILL, resolved once it has exited. */
  kill(): Promise<void>;
}

export interface NodeOptions {
  id: string;
  databaseUrl: string;
  /** BATON_DATA_DIR: shared by every node of a cluster (agent workspaces), as a deployment's shared volume. */
  dataDir?: string;
  env?: Record<string, string>;
  /** Wait for /healthz this long (start-up migrates a fresh database, under an advisory lock). */
  timeoutMs?: number;
}

const OUTPUT_MAX = 4 * 1024 * 1024;

/** Starts one node: `node apps/server/dist/main.js` with its own port, node id and data dir. */
export async function startNode(opts: NodeOptions): Promise<BatonNode> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `baton-${opts.id}-`));
  let out = '';
  const child = spawn(process.execPath, ['apps/server/dist/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BATON_DATABASE_URL: opts.databaseUrl,
      BATON_SECRET_KEY: CLUSTER_SECRET,
      BATON_NODE_ID: opts.id,
      BATON_DATA_DIR: dataDir,
      BATON_LOG_LEVEL: 'info',
      BATON_DB_POOL_SIZE: '6',
      // Shorter than the 30 s default, so takeovers happen within a test's patience; heartbeats every 3 s.
      BATON_JOB_LEASE_MS: '9000',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const append = (d: Buffer) => {
    out += d.toString();
    if (out.length > OUTPUT_MAX) out = out.slice(-OUTPUT_MAX / 2);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const node: BatonNode = {
    id: opts.id,
    url,
    call: client(url),
    child,
    dataDir,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        }),
    alive,
    exited,
    pause: () => void (alive() && child.kill('SIGSTOP')),
    resume: () => void (alive() && child.kill('SIGCONT')),
    kill: async () => {
      if (alive()) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
  try {
    await waitForHealthy(url, child, () => out, { timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 100 });
  } catch (e) {
    await node.kill();
    throw e;
  }
  return node;
}

/** Starts nodes at the same moment (they race to migrate a fresh database: one does, under the advisory lock). */
export async function startNodes(ids: string[], databaseUrl: string, env: Record<string, string> = {}): Promise<BatonNode[]> {
  // One data dir for the cluster: a run's steps may run on any node and share its workspace.
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-cluster-'));
  const settled = await Promise.allSettled(ids.map((id) => startNode({ id, databaseUrl, env, dataDir })));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) {
    await stopNodes(started);
    throw failed.reason;
  }
  return started.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
}

/** Kills every node (stopped ones too) and removes their data dirs. For afterAll. */
export async function stopNodes(nodes: BatonNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.kill()));
  for (const n of nodes) rmSync(n.dataDir, { recursive: true, force: true });
}

/**
 * Fails, with the node's last output, unless it still answers /healthz: a node must outlive what a
 * test does to its surroundings (its database going away, another node dying).
 */
export async function expectServing(node: BatonNode, when: string): Promise<void> {
  let why: string;
  try {
    const r = await fetch(`${node.url}/healthz`);
    if (r.status === 200) return;
    why = `/healthz answered ${r.status}`;
  } catch (e) {
    why = String((e as Error).cause ?? e);
  }
  await Promise.race([node.exited, sleep(3000)]);
  const exit = node.alive() ? '' : ` The process exited (code ${node.child.exitCode}, signal ${node.child.signalCode}).`;
  throw new Error(`${node.id} stopped serving ${when} (${why}).${exit} The end of its output:\n${node.output().slice(-4000)}`);
}

/** Prints the tail of every node's log when BATON_TEST_NODE_LOGS=1 (diagnosis of a failing run). */
export function dumpLogs(nodes: BatonNode[], tail = 20_000): void {
  if (process.env.BATON_TEST_NODE_LOGS !== '1') return;
  for (const n of nodes) process.stderr.write(`\n===== ${n.id} (${n.url}) =====\n${n.output().slice(-tail)}\n`);
}

/** Error-level log lines of a node (a 500 is logged as one), minus what the test expects. */
export function loggedErrors(node: BatonNode, allow: RegExp[] = []) {
  return node.logs().filter((l) => l.level === 'error' && !allow.some((re) => re.test(`${l.msg} ${JSON.stringify(l)}`)));
}

// ---------------------------------------------------------------------------------------------
// The model: an OpenAI-compatible chat-completions endpoint (the same wire protocol as
// test/helpers/fake-llm.ts), with per-run scripts and answers that can be held back.

export interface LlmScript {
  /** Tool calls the model makes in the build loop, one array per turn; then it answers in prose. */
  buildTurns: Array<Array<{ name: string; arguments: Record<string, unknown> }>>;
  /** The plan's verify/deploy/monitor steps. */
  planSteps: Array<{ stage: string; tool: string; args: Record<string, unknown>; description: string }>;
  /** Every answer takes this long. */
  delayMs?: number;
}

export type LlmCallKind = 'submit_clarification' | 'submit_scope' | 'submit_plan' | 'build';

export interface Hold {
  /** Resolves when the held call has arrived (the caller is then waiting on it). */
  arrived: Promise<void>;
  hasArrived(): boolean;
  /** Lets the held answer go. */
  release(): void;
}

export interface ClusterLlm extends FakeServer {
  /** BATON_LLM_URL (ends in /v1). */
  baseUrl: string;
  /**
   * Holds back the answer to the next call of `kind` for the run whose request text contains
   * `marker`: the caller (the node holding that run's job) blocks on it until release().
   */
  hold(marker: string, kind: LlmCallKind): Hold;
  /** How many calls of `kind` were made for the run with `marker`. */
  callCount(marker: string, kind?: LlmCallKind): number;
}

const SCRIPT_TAG = /\[script:([a-z0-9-]+)\]/;

/**
 * The model answers each run by the script named in its request text (`[script:name]`), else by
 * `scripts.default`.
 */
export async function startClusterLlm(scripts: Record<string, LlmScript> & { default: LlmScript }): Promise<ClusterLlm> {
  const model = 'fake-model-1';
  let seq = 0;
  const calls: Array<{ text: string; kind: LlmCallKind }> = [];
  const holds: Array<{ marker: string; kind: LlmCallKind; taken: boolean; arrive: () => void; gate: Promise<void> }> = [];
  const reply = (message: Record<string, unknown>) => ({
    id: `chatcmpl-${++seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
  });
  const call = (name: string, args: unknown) => ({ id: `call_${++seq}`, type: 'function', function: { name, arguments: JSON.stringify(args) } });

  const server = await startFakeServer(async (req) => {
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') return { status: 404, body: { error: { message: 'not found' } } };
    const body = JSON.parse(req.body);
    const forced = body.tool_choice?.function?.name as string | undefined;
    const kind: LlmCallKind = forced === 'submit_clarification' || forced === 'submit_scope' || forced === 'submit_plan' ? forced : 'build';
    // The run's request text is in the first user message (the driver's describeRun).
    const text = JSON.stringify(body.messages ?? []);
    calls.push({ text, kind });
    const script = scripts[SCRIPT_TAG.exec(text)?.[1] ?? 'default'] ?? scripts.default;
    const held = holds.find((h) => !h.taken && h.kind === kind && text.includes(h.marker));
    if (held) {
      held.taken = true;
      held.arrive();
      await held.gate;
    }
    let message: Record<string, unknown>;
    if (kind === 'submit_clarification') message = { tool_calls: [call(kind, { assumptions: ['The workspace is the project root.'], questions: [] })] };
    else if (kind === 'submit_scope') message = { tool_calls: [call(kind, { summary: 'Add a greeting file', goals: ['Create a.txt'], risks: [] })] };
    else if (kind === 'submit_plan') message = { tool_calls: [call(kind, { summary: 'Write then verify', steps: script.planSteps })] };
    else {
      const turn = (body.messages as Array<{ role: string }>).filter((m) => m.role === 'assistant').length;
      const turnCalls = script.buildTurns[turn];
      message = turnCalls ? { tool_calls: turnCalls.map((c) => call(c.name, c.arguments)) } : { content: 'Done: the change is in place.' };
    }
    return { body: reply(message), delayMs: script.delayMs };
  });
  return Object.assign(server, {
    baseUrl: `${server.url}/v1`,
    hold(marker: string, kind: LlmCallKind): Hold {
      let arrive!: () => void;
      let release!: () => void;
      let arrivedFlag = false;
      const arrived = new Promise<void>((r) => (arrive = () => ((arrivedFlag = true), r())));
      const gate = new Promise<void>((r) => (release = r));
      holds.push({ marker, kind, taken: false, arrive, gate });
      return { arrived, hasArrived: () => arrivedFlag, release };
    },
    callCount: (marker: string, kind?: LlmCallKind) => calls.filter((c) => c.text.includes(marker) && (!kind || c.kind === kind)).length,
  });
}

// ---------------------------------------------------------------------------------------------
// Looking at the database directly (read-only): which node holds which lease.

export interface DbPeek {
  /** The run's active (queued or leased) `run.advance` job, if any. */
  runJob(runId: string): Promise<{ status: string; lockedBy: string | null; attempts: number } | null>;
  /** Leased jobs per node. */
  leasesByNode(): Promise<Map<string, number>>;
  /** The runs whose step `nodeId` holds a lease on. */
  leasedRuns(nodeId: string): Promise<string[]>;
  close(): Promise<void>;
}

export function peekDatabase(url: string): DbPeek {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  return {
    async runJob(runId) {
      const r = await pool.query(`SELECT status, locked_by, attempts FROM jobs WHERE key = $1 AND status IN ('queued', 'leased')`, [`run:${runId}`]);
      const row = r.rows[0];
      return row ? { status: row.status, lockedBy: row.locked_by, attempts: Number(row.attempts) } : null;
    },
    async leasesByNode() {
      const r = await pool.query(`SELECT locked_by, count(*)::int AS n FROM jobs WHERE status = 'leased' GROUP BY locked_by`);
      return new Map(r.rows.map((row) => [String(row.locked_by), Number(row.n)]));
    },
    async leasedRuns(nodeId) {
      const r = await pool.query(`SELECT payload FROM jobs WHERE status = 'leased' AND locked_by = $1 AND name = 'run.advance'`, [nodeId]);
      return r.rows.map((row) => String((typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload).runId));
    },
    close: () => pool.end(),
  };
}

// ---------------------------------------------------------------------------------------------
// Waiting and checking.

/** Polls `probe` until it returns something truthy; fails after `timeoutMs` with `describe()`. */
export async function until<T>(probe: () => Promise<T> | T, opts: { timeoutMs: number; intervalMs?: number; what: string | (() => string) }): Promise<NonNullable<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${typeof opts.what === 'function' ? opts.what() : opts.what}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type RunEvent = { sequenceNumber: number; eventType: string; data: Record<string, any> };

/**
 * A run's events tell one story: sequence numbers 1..n (no gap, no duplicate), stage transitions
 * forming one chain (null → intake, then each `from` is the previous `to`, never a stage twice),
 * each tool call made once with one result, and no engine error.
 */
export function expectOneStory(run: { id: string; status: string; requestText?: string; events: RunEvent[] }) {
  const events = run.events;
  const where = `run ${run.id} "${run.requestText ?? ''}" (${run.status}): ${events.map((e) => `${e.sequenceNumber}:${e.eventType}${e.eventType === 'stage_transition' ? `(${e.data.from}→${e.data.to})` : ''}`).join(', ')}`;
  assertContiguous(events.map((e) => e.sequenceNumber));
  const transitions = events.filter((e) => e.eventType === 'stage_transition').map((e) => e.data as { from: string | null; to: string });
  expect(transitions[0], where).toMatchObject({ from: null, to: 'intake' });
  for (let i = 1; i < transitions.length; i++) expect(transitions[i]!.from, `transition ${i} of ${where}`).toBe(transitions[i - 1]!.to);
  const tos = transitions.map((t) => t.to);
  expect(new Set(tos).size, `a stage entered twice in ${where}`).toBe(tos.length);
  const keys = events.filter((e) => e.eventType === 'tool_call').map((e) => e.data.key);
  expect(new Set(keys).size, `a tool call made twice in ${where}`).toBe(keys.length);
  expect(events.filter((e) => e.eventType === 'tool_result').length, where).toBe(keys.length);
  expect(events.filter((e) => e.eventType === 'error'), where).toEqual([]);
  for (const kind of ['scope', 'plan']) expect(events.filter((e) => e.eventType === 'artifact_created' && e.data.kind === kind).length, where).toBeLessThanOrEqual(1);
}

/** The SSE events of a stream are exactly the run's events 1..n, in order. */
export function expectStreamMatches(streamEvents: SseEvent[], run: { events: RunEvent[] }) {
  const ids = streamEvents.map((e) => e.id);
  assertContiguous(ids);
  expect(ids).toEqual(run.events.map((e) => e.sequenceNumber));
  for (const e of streamEvents) {
    expect(e.event).toBe(e.data.eventType);
    expect(e.data.sequenceNumber).toBe(e.id);
  }
}

/** Runs a check and returns its failure message instead of throwing (to report every problem of a scenario at once). */
export function problemOf(check: () => void): string[] {
  try {
    check();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

export const isEnded = (status: string) => ['completed', 'failed', 'cancelled'].includes(status);
export const streamEnded = (events: SseEvent[]) => events.some((e) => e.event === 'stage_transition' && isEnded(e.data.data.to));
