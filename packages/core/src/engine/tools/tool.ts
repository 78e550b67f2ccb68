import type { projectEnvironments } from '@baton/db';
import type { CoreContext } from '../../context.ts';
import type { EngineConfig } from '../engine-config.ts';

export type ToolRisk = 'read' | 'write' | 'external' | 'deploy' | 'destructive';
export type EnvironmentRow = typeof projectEnvironments.$inferSelect;

export interface ToolContext {
  core: CoreContext;
  config: EngineConfig;
  runId: string;
  /** Absolute path of the project's workspace; no tool may touch anything outside it. */
  workspace: string;
  environments: EnvironmentRow[];
  signal: AbortSignal;
  /**
   * Runs fn as a unit of work fenced by the step's job lease: a worker that lost the lease (another
   * node took the step over) writes nothing. Tools record state through this, never directly.
   */
  write<T>(fn: (core: CoreContext) => Promise<T>): Promise<T>;
}

export interface ToolResult {
  ok: boolean;
  /** One line for people: what happened. */
  summary: string;
  output: Record<string, unknown>;
}

export interface Tool<A = Record<string, unknown>> {
  name: string;
  risk: ToolRisk;
  description: string;
  /** JSON Schema of the arguments, as given to a model for tool calling. */
  parameters: Record<string, unknown>;
  /** Validates and normalises raw arguments (from a plan or a model); throws ToolArgumentError. */
  parseArgs(raw: unknown): A;
  summarize(args: A): string;
  undoPlan(args: A): string | null;
  run(args: A, tctx: ToolContext): Promise<ToolResult>;
}

export class ToolArgumentError extends Error {}

export function requireString(raw: unknown, key: string, opts: { optional?: boolean; max?: number } = {}): string {
  const v = (raw as Record<string, unknown> | null)?.[key];
  if (v === undefined && opts.optional) return '';
  if (typeof v !== 'string') throw new ToolArgumentError(`${key} must be a string`);
  if (opts.max && v.length > opts.max) throw new ToolArgumentError(`${key} is longer than ${opts.max} characters`);
  return v;
}
