import type { EnvironmentRow, ToolResult } from '../tools/tool.ts';
import type { StageResult } from '../../runs/stage-results.ts';

export const EXEC_STAGES = ['build', 'verify', 'deploy', 'monitor'] as const;
export type ExecStage = (typeof EXEC_STAGES)[number];

export interface Usage {
  model: string;
  tokensInput: number;
  tokensOutput: number;
}

export interface RunInfo {
  id: string;
  requestText: string;
  project: { id: string; name: string; description: string | null; githubRepoUrl: string | null } | null;
  environments: EnvironmentRow[];
  workspaceFiles: string[];
}

export interface PlanStep {
  id: string;
  stage: ExecStage;
  tool: string;
  args: Record<string, unknown>;
  description: string;
}

export interface PlanArtifact extends Record<string, unknown> {
  summary: string;
  steps: PlanStep[];
  notes: string[];
  /** Why a stage has no steps (e.g. deploy: "no deploy hook configured for staging"), when the driver knows. */
  skippedStages?: Partial<Record<ExecStage, string>>;
}

/** What one action of the current stage did, kept so the stage can say what it did when it ends. */
export interface StageAction {
  tool: string;
  ok: boolean;
  summary: string;
  /** write_file: the file written. */
  path?: string;
  /** deploy, health_check: the environment. */
  environment?: string;
}

/** An action the driver wants taken. `key` identifies it across restarts and approvals. */
export interface ActionRequest {
  key: string;
  tool: string;
  args: Record<string, unknown>;
  description: string;
}

/** Where the driver is within the run; persisted with the run so a restart resumes exactly. */
export interface EngineState extends Record<string, unknown> {
  cursor?: number;
  conversation?: Array<Record<string, unknown>>;
  queue?: Array<{ id: string; name: string; arguments: string }>;
  turns?: number;
  waitingFor?: string | null;
  pendingKey?: string | null;
  approvedKey?: string | null;
  /** The actions taken in the current stage, in order (the state is reset with each stage). */
  actions?: StageAction[];
}

export interface DriverResult<T> {
  value: T;
  usage: Usage[];
}

export interface Driver {
  name: 'local' | 'openai';
  /** Whether calls cost model tokens (and so credits). */
  usesModel: boolean;
  intakeNote(): string;
  clarify(info: RunInfo, signal: AbortSignal): Promise<DriverResult<{ assumptions: string[]; questions: string[] }>>;
  scope(info: RunInfo, signal: AbortSignal): Promise<DriverResult<Record<string, unknown>>>;
  plan(info: RunInfo, scope: Record<string, unknown>, signal: AbortSignal): Promise<DriverResult<PlanArtifact>>;
  /** The next action of an executing stage, or null when the stage is done. May update `state`. */
  nextAction(info: RunInfo, stage: ExecStage, plan: PlanArtifact, state: EngineState, signal: AbortSignal): Promise<DriverResult<ActionRequest | null>>;
  /** Folds a tool's result into `state`. Returns an error message when the run cannot go on. */
  recordResult(stage: ExecStage, action: ActionRequest, result: ToolResult, state: EngineState): string | null;
  /** What an executing stage did, once it has no next action: done with what, or skipped and why. */
  describeStage(stage: ExecStage, plan: PlanArtifact, state: EngineState): StageResult;
}

/** The driver's model endpoint failed; worth retrying with backoff. */
export class DriverError extends Error {}

/** Plan-driven execution, shared by both drivers for the stages after build. */
export function nextPlanStep(plan: PlanArtifact, stage: ExecStage, state: EngineState): ActionRequest | null {
  const steps = plan.steps.filter((s) => s.stage === stage);
  const step = steps[state.cursor ?? 0];
  return step ? { key: `${stage}:${step.id}`, tool: step.tool, args: step.args, description: step.description } : null;
}

export function advancePlanCursor(action: ActionRequest, result: ToolResult, state: EngineState): string | null {
  state.cursor = (state.cursor ?? 0) + 1;
  return result.ok ? null : `Step failed: ${action.description}: ${result.summary}`;
}

/** Files under .baton/ are Baton's own records of runs, not changes to the project. */
const isBatonRecord = (path: string) => /^(?:\.\/)?\.baton\//.test(path);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const list = (items: string[], max = 5) => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));

/**
 * The shared part of `Driver.describeStage`: a stage that took no action is skipped, with the
 * plan's reason or `noSteps`; otherwise it says what its actions did. The build stage's wording
 * when no project file was written is the driver's own (`noCodeChanges`).
 */
export function describeExecStage(
  stage: ExecStage,
  plan: PlanArtifact,
  state: EngineState,
  words: { noSteps: (stage: ExecStage) => string; noCodeChanges: (actions: StageAction[]) => string },
): StageResult {
  const r = stageResultOf(stage, plan, state, words);
  return r.summary && r.summary.length > 300 ? { ...r, summary: `${r.summary.slice(0, 297).trimEnd()}...` } : r;
}

function stageResultOf(stage: ExecStage, plan: PlanArtifact, state: EngineState, words: Parameters<typeof describeExecStage>[3]): StageResult {
  const actions = state.actions ?? [];
  const extra = stage === 'build' ? { changedFiles: [...new Set(actions.filter((a) => a.ok && a.tool === 'write_file' && a.path && !isBatonRecord(a.path)).map((a) => a.path!))] } : {};
  if (!actions.length) return { result: 'skipped', summary: plan.skippedStages?.[stage] ?? words.noSteps(stage), ...extra };
  const failed = actions.filter((a) => !a.ok).length;
  const failures = failed ? ` (${plural(failed, 'action')} failed)` : '';
  switch (stage) {
    case 'build': {
      const changed = extra.changedFiles ?? [];
      if (!changed.length) return { result: 'done', summary: words.noCodeChanges(actions) + failures, ...extra };
      return { result: 'done', summary: `changed ${plural(changed.length, 'file')}: ${list(changed)}${failures}`, ...extra };
    }
    case 'verify':
      return { result: 'done', summary: `${actions.length - failed} of ${plural(actions.length, 'check')} passed` };
    case 'deploy': {
      // The deploy tool's own line ("Deploy hook for staging answered 200") is in the timeline.
      const deploys = actions.filter((a) => a.ok && a.tool === 'deploy' && a.environment);
      const others = actions.filter((a) => !deploys.includes(a)).map((a) => a.summary);
      const envs = [...new Set(deploys.map((a) => a.environment!))];
      return { result: 'done', summary: [...(envs.length ? [`deployed to ${envs.join(', ')}`] : []), ...others].join('; ') };
    }
    case 'monitor':
      return { result: 'done', summary: actions.map((a) => a.summary).join('; ') };
  }
}
