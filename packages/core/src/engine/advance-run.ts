import { eq } from 'drizzle-orm';
import { approvals, forUpdate, organizations, runs, RUN_STAGES } from '@baton/db';
import type { CoreContext } from '../context.ts';
import { chargeUsage, orgBalanceMicros } from '../billing/charge-usage.ts';
import { enqueueJob } from '../jobs/queue.ts';
import type { JobHelpers } from '../jobs/worker.ts';
import { appendRunEvent, appendRunEvents, type NewRunEvent } from '../runs/append-events.ts';
import { closeStage, finishRun, isTerminal, runJobKey } from '../runs/finish-run.ts';
import type { RunRow } from '../runs/render-run.ts';
import type { StageResult } from '../runs/stage-results.ts';
import { newId } from '../util/ids.ts';
import { formatMicros } from '../util/money.ts';
import { getDriver } from './drivers/index.ts';
import { DriverError, EXEC_STAGES, type ActionRequest, type Driver, type EngineState, type ExecStage, type PlanArtifact, type Usage } from './drivers/driver.ts';
import { decideAction, RISK_DESCRIPTIONS, type PolicyDecision } from './policy.ts';
import { loadRunInfo } from './run-info.ts';
import { getTool } from './tools/registry.ts';
import { ToolArgumentError, type Tool, type ToolResult } from './tools/tool.ts';

type Stage = (typeof RUN_STAGES)[number];
const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 3).trimEnd()}...` : s);
/** How many actions of one stage are remembered for its result; a model's build loop is bounded well below. */
const MAX_STAGE_ACTIONS = 200;
const nextStage = (s: Stage): Stage | 'completed' => RUN_STAGES[RUN_STAGES.indexOf(s) + 1] ?? 'completed';

interface StepOutcome {
  events?: NewRunEvent[];
  usage?: Usage[];
  patch?: Partial<typeof runs.$inferInsert>;
  state?: EngineState;
  /** Move on to the next stage (monitor → completed). */
  transition?: boolean;
  /** With `transition`: what the stage that ends did, kept in its stage history entry. */
  stageResult?: StageResult;
  /** End the run as failed with this message. */
  fail?: string;
  /** Stop here without queuing the next step (waiting for a person). */
  wait?: boolean;
  /** Extra writes in the same commit. */
  /** More writes of the step, in its unit: use the unit's context it is given. */
  also?: (ctx: CoreContext) => Promise<void>;
}

/**
 * Commits one step: its events, its cost, its state and the next step's job (or the run's end),
 * together with the completion of the job that ran it. If the run was cancelled while the step was
 * working, nothing of the step is kept.
 */
function commitStep(ctx: CoreContext, helpers: JobHelpers, run: RunRow, out: StepOutcome): Promise<void> {
  return helpers.commit(async (ctx) => {
    // The run's row is held until this unit commits, so a cancel or a decision committed on another
    // node meanwhile is seen here (and this step dropped), and none can land between this check and
    // the step's writes.
    const current = (await forUpdate(ctx.db.select({ status: runs.status }).from(runs).where(eq(runs.id, run.id))))[0];
    if (!current || current.status !== run.status) return;
    for (const u of out.usage ?? []) await chargeUsage(ctx, run, u);
    await out.also?.(ctx);
    await appendRunEvents(ctx, run.id, out.events ?? []);
    if (out.fail) {
      if (out.patch) await ctx.db.update(runs).set(out.patch).where(eq(runs.id, run.id));
      await finishRun(ctx, run.id, 'failed', { errorMessage: out.fail });
      return;
    }
    const now = ctx.now().toISOString();
    const patch: Partial<typeof runs.$inferInsert> = { ...out.patch };
    if (out.state) patch.engineState = out.state;
    if (out.transition) {
      const to = nextStage(run.status as Stage);
      if (to === 'completed') {
        if (Object.keys(patch).length) await ctx.db.update(runs).set(patch).where(eq(runs.id, run.id));
        await finishRun(ctx, run.id, 'completed', { stageResult: out.stageResult });
        return;
      }
      const result = out.stageResult;
      await appendRunEvent(ctx, run.id, { eventType: 'stage_transition', data: { from: run.status, to, ...(result ? { result: result.result, summary: result.summary } : {}) } });
      Object.assign(patch, { status: to, stageHistory: closeStage(run, now, result), stageStartedAt: now, engineState: {} });
    }
    if (Object.keys(patch).length) await ctx.db.update(runs).set(patch).where(eq(runs.id, run.id));
    if (!out.wait) await enqueueJob(ctx, { name: 'run.advance', key: runJobKey(run.id), payload: { runId: run.id } });
  });
}

async function insufficientCredits(ctx: CoreContext, run: RunRow, driver: Driver): Promise<boolean> {
  return driver.usesModel && ctx.config.engine.enforceCredits && (await orgBalanceMicros(ctx, run.orgId)) <= 0;
}

/** Advances a run by one step. Called by the durable worker for each `run.advance` job. */
export async function advanceRun(ctx: CoreContext, runId: string, helpers: JobHelpers): Promise<void> {
  const run = (await ctx.db.select().from(runs).where(eq(runs.id, runId)))[0];
  if (!run || isTerminal(run.status)) return;
  const state = structuredClone(run.engineState) as EngineState;
  if (state.waitingFor) return; // a person decides; approve/deny will queue the next step
  const driver = getDriver(ctx.config.engine, run.driver);
  if (await insufficientCredits(ctx, run, driver)) return commitStep(ctx, helpers, run, { fail: 'insufficient credits' });

  const abort = new AbortController();
  const signal = AbortSignal.any([abort.signal, helpers.signal]);
  ctx.runAborts?.set(run.id, abort);
  try {
    return await advanceStage(ctx, helpers, run, state, driver, signal);
  } catch (e) {
    // Cancelled while a model call or tool was in flight: the abort is the expected way out.
    const now = (await ctx.db.select({ status: runs.status }).from(runs).where(eq(runs.id, run.id)))[0];
    if (!now || isTerminal(now.status)) return;
    if (e instanceof DriverError && !helpers.signal.aborted) {
      // Tell the people watching; the worker retries the step with backoff. (Not when the worker
      // lost the lease or is stopping: the step is someone else's, or will run again.)
      await appendRunEvent(ctx, run.id, { eventType: 'error', data: { stage: run.status, message: e.message, retrying: true } });
    }
    throw e;
  } finally {
    if (ctx.runAborts?.get(run.id) === abort) ctx.runAborts.delete(run.id);
  }
}

async function advanceStage(ctx: CoreContext, helpers: JobHelpers, run: RunRow, state: EngineState, driver: Driver, signal: AbortSignal): Promise<void> {
  const { info, workspace } = await loadRunInfo(ctx, run);
  const stage = run.status as Stage;
  switch (stage) {
    case 'intake':
      return commitStep(ctx, helpers, run, {
        events: [{ eventType: 'message', data: { role: 'system', stage, text: driver.intakeNote(), driver: driver.name } }],
        transition: true,
        stageResult: { result: 'done', summary: `request taken by the ${driver.name} driver${driver.usesModel ? '' : ' (deterministic rules, not an AI model)'}` },
      });
    case 'clarify': {
      const r = await driver.clarify(info, signal);
      const lines = [...r.value.assumptions.map((a) => `Assuming: ${a}`), ...r.value.questions.map((q) => `Open question: ${q}`)];
      return commitStep(ctx, helpers, run, {
        usage: r.usage,
        events: [{ eventType: 'message', data: { role: 'agent', stage, text: lines.join('\n') || 'Nothing to clarify.', ...r.value } }],
        transition: true,
        stageResult: { result: 'done', summary: `${count(r.value.assumptions.length, 'assumption')}, ${count(r.value.questions.length, 'open question')}` },
      });
    }
    case 'scope': {
      const r = await driver.scope(info, signal);
      return commitStep(ctx, helpers, run, {
        usage: r.usage,
        patch: { scopeArtifact: r.value },
        events: [{ eventType: 'artifact_created', data: { kind: 'scope', artifact: r.value } }],
        transition: true,
        stageResult: { result: 'done', summary: typeof r.value.summary === 'string' && r.value.summary ? clip(r.value.summary) : 'scope recorded' },
      });
    }
    case 'plan': {
      const r = await driver.plan(info, run.scopeArtifact ?? {}, signal);
      return commitStep(ctx, helpers, run, {
        usage: r.usage,
        patch: { planArtifact: r.value },
        events: [{ eventType: 'artifact_created', data: { kind: 'plan', artifact: r.value } }],
        transition: true,
        stageResult: { result: 'done', summary: clip(r.value.summary || count(r.value.steps.length, 'step')) },
      });
    }
    default: {
      const execStage = stage as ExecStage;
      if (!EXEC_STAGES.includes(execStage)) throw new Error(`unknown stage ${stage}`);
      const plan = (run.planArtifact ?? { summary: '', steps: [], notes: [] }) as PlanArtifact;
      const next = await driver.nextAction(info, execStage, plan, state, signal);
      if (!next.value) return commitStep(ctx, helpers, run, { usage: next.usage, state, transition: true, stageResult: driver.describeStage(execStage, plan, state) });
      return await runAction(ctx, helpers, run, { driver, stage: execStage, action: next.value, usage: next.usage, state, workspace, environments: info.environments, signal });
    }
  }
}

interface ApprovalRecord {
  id: string;
  tool: Tool<any>;
  args: Record<string, unknown>;
  stage: ExecStage;
  description: string;
  reason: string;
  /** A pending approval expires after the configured TTL; an auto-approval is decided at once. */
  status: 'pending' | 'auto_approved';
  policyRuleId?: string;
  eventType: 'approval_requested' | 'approval_granted';
  eventData: Record<string, unknown>;
}

/** An approval row and the event that announces it: a request for a person, or a decision by a rule. */
async function recordApproval(ctx: CoreContext, runId: string, a: ApprovalRecord): Promise<{ expiresAt: string | null }> {
  const at = ctx.now();
  const now = at.toISOString();
  const expiresAt = a.status === 'pending' ? new Date(at.getTime() + ctx.config.engine.approvalTtlMs).toISOString() : null;
  const actionSummary = a.tool.summarize(a.args);
  const event = await appendRunEvent(ctx, runId, {
    eventType: a.eventType,
    data: { approvalId: a.id, stage: a.stage, tool: a.tool.name, risk: a.tool.risk, args: a.args, actionSummary, ...a.eventData, ...(expiresAt ? { expiresAt } : {}) },
  });
  await ctx.db
    .insert(approvals)
    .values({
      id: a.id,
      runId,
      eventId: event.id,
      actionSummary,
      reason: a.reason,
      riskDescription: `${a.tool.risk}: ${RISK_DESCRIPTIONS[a.tool.risk]}`,
      // The built-in tools cost no credits themselves; model calls are metered as they happen.
      costEstimate: formatMicros(0),
      undoPlan: a.tool.undoPlan(a.args),
      evidence: { stage: a.stage, tool: a.tool.name, args: a.args, description: a.description },
      status: a.status,
      policyRuleId: a.policyRuleId ?? null,
      decidedAt: a.status === 'auto_approved' ? now : null,
      expiresAt,
      createdAt: now,
    });
  return { expiresAt };
}

interface ActionStep {
  driver: Driver;
  stage: ExecStage;
  action: ActionRequest;
  usage: Usage[];
  state: EngineState;
  workspace: string;
  environments: Awaited<ReturnType<typeof loadRunInfo>>['info']['environments'];
  signal: AbortSignal;
}

async function runAction(ctx: CoreContext, helpers: JobHelpers, run: RunRow, step: ActionStep): Promise<void> {
  const { action, state, stage, driver } = step;
  let tool: Tool<any>;
  let args: Record<string, unknown>;
  try {
    tool = getTool(action.tool);
    args = tool.parseArgs(action.args);
  } catch (e) {
    if (!(e instanceof ToolArgumentError)) throw e;
    return finishAction(ctx, helpers, run, step, { ok: false, summary: e.message, output: { error: e.message } });
  }

  let decision: PolicyDecision;
  if (state.approvedKey === action.key) decision = { kind: 'run' };
  else {
    const org = (await ctx.db.select({ level: organizations.autonomyLevel }).from(organizations).where(eq(organizations.id, run.orgId)))[0];
    decision = await decideAction(ctx, run.orgId, org?.level ?? 'assist', { tool: tool.name, risk: tool.risk, costMicros: 0 });
  }

  if (decision.kind === 'ask') {
    const approvalId = newId();
    return commitStep(ctx, helpers, run, {
      usage: step.usage,
      state: { ...state, waitingFor: approvalId, pendingKey: action.key, approvedKey: null },
      wait: true,
      also: async (ctx) => {
        const { expiresAt } = await recordApproval(ctx, run.id, {
          id: approvalId,
          tool,
          args,
          stage,
          description: action.description,
          reason: decision.reason,
          status: 'pending',
          eventType: 'approval_requested',
          eventData: { reason: decision.reason },
        });
        await enqueueJob(ctx, { name: 'approval.expire', key: `approval:${approvalId}`, payload: { approvalId }, runAt: new Date(expiresAt!) });
      },
    });
  }

  const result = await executeTool(ctx, helpers, run, tool, args, step);
  return finishAction(ctx, helpers, run, step, result, { tool, args, auto: decision.kind === 'auto' ? decision : null });
}

async function executeTool(ctx: CoreContext, helpers: JobHelpers, run: RunRow, tool: Tool<any>, args: Record<string, unknown>, step: ActionStep): Promise<ToolResult> {
  try {
    return await tool.run(args, {
      core: ctx,
      config: ctx.config.engine,
      runId: run.id,
      workspace: step.workspace,
      environments: step.environments,
      signal: step.signal,
      write: (fn) => helpers.fenced(fn),
    });
  } catch (e) {
    if (e instanceof ToolArgumentError) return { ok: false, summary: e.message, output: { error: e.message } };
    throw e;
  }
}

function finishAction(
  ctx: CoreContext,
  helpers: JobHelpers,
  run: RunRow,
  step: ActionStep,
  result: ToolResult,
  /** The parsed tool call, and the rule that allowed it without a person; absent when the call was invalid. */
  call?: { tool: Tool<any>; args: Record<string, unknown>; auto: Extract<PolicyDecision, { kind: 'auto' }> | null },
): Promise<void> {
  const { action, state, stage, driver } = step;
  const tool = call?.tool;
  const args = call?.args;
  const auto = call?.auto ? { decision: call.auto, tool: call.tool, args: call.args } : null;
  const failure = driver.recordResult(stage, action, result, state);
  state.approvedKey = null;
  const environment = typeof args?.environment === 'string' ? args.environment : undefined;
  const path = tool?.name === 'write_file' && typeof args?.path === 'string' ? args.path : undefined;
  state.actions = [...(state.actions ?? []), { tool: action.tool, ok: result.ok, summary: clip(result.summary, 200), ...(path ? { path } : {}), ...(environment ? { environment } : {}) }].slice(
    -MAX_STAGE_ACTIONS,
  );
  const events: NewRunEvent[] = [
    { eventType: 'tool_call', data: { stage, tool: action.tool, args: args ?? action.args, risk: tool?.risk ?? null, description: action.description, key: action.key } },
    { eventType: 'tool_result', data: { stage, tool: action.tool, key: action.key, ok: result.ok, summary: result.summary, output: result.output } },
  ];
  return commitStep(ctx, helpers, run, {
    usage: step.usage,
    state,
    events,
    ...(failure ? { fail: failure } : {}),
    also: auto
      ? async (ctx) => {
          await recordApproval(ctx, run.id, {
            id: newId(),
            tool: auto.tool,
            args: auto.args,
            stage,
            description: action.description,
            reason: `Allowed by ${auto.decision.ruleName}`,
            status: 'auto_approved',
            policyRuleId: auto.decision.ruleId,
            eventType: 'approval_granted',
            eventData: { auto: true, policyRuleId: auto.decision.ruleId, rule: auto.decision.ruleName },
          });
        }
      : undefined,
  });
}

