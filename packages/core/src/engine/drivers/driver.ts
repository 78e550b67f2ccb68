import type { EnvironmentRow, ToolResult } from '../tools/tool.ts';

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
