import type { RouterOutputs } from './trpc.ts';

/*
 * Plain-language descriptions of what the server's policy does (packages/core/src/engine/policy.ts):
 * keep them in step with decideAction when it changes. Reading is never asked about at any level.
 */

export type AutonomyLevel = RouterOutputs['mk']['orgs']['get']['data']['autonomyLevel'];
export type Role = RouterOutputs['mk']['members']['list']['data']['members'][number]['role'];
export type PolicyRule = RouterOutputs['mk']['policyRules']['list']['data']['rules'][number];
export type ToolRisk = NonNullable<PolicyRule['risk']>;
export type PolicyDecision = PolicyRule['decision'];

export interface LevelInfo {
  title: string;
  summary: string;
  alone: string;
  asks: string;
  note?: string;
}

/** Keyed by the server's enum, so a new level fails the type check here instead of going unexplained. */
export const AUTONOMY_LEVELS: Record<AutonomyLevel, LevelInfo> = {
  observe: {
    title: 'Observe',
    summary: 'The agent looks around and proposes; people do everything else.',
    alone: 'Read the project: list and read files.',
    asks: 'Every action beyond reading: writing files, running commands, calling outside services, deploying.',
    note: 'Today this asks for exactly the same approvals as Assist.',
  },
  assist: {
    title: 'Assist',
    summary: 'The agent does the work, and a person approves each change. The default.',
    alone: 'Read the project: list and read files.',
    asks: 'Each change before it happens: every file write, command, outside call (such as a health check) and deploy.',
  },
  act: {
    title: 'Act',
    summary: 'The agent changes code on its own; going live still needs a person.',
    alone: 'Read and write files in the workspace, run allowed commands in the sandbox, and call outside services such as health checks.',
    asks: 'Deploys, destructive actions, and actions whose estimated cost is over the server’s limit.',
  },
  autopilot: {
    title: 'Autopilot',
    summary: 'The agent carries the run through to the end, deploys included.',
    alone: 'Everything: writes, commands, outside calls and deploys.',
    asks: 'Nothing, unless a policy rule below says to always ask.',
  },
};
export const AUTONOMY_ORDER = Object.keys(AUTONOMY_LEVELS) as AutonomyLevel[];

/** The risk classes of the tools (packages/db TOOL_RISKS) and what each means. */
export const RISKS: Record<ToolRisk, string> = {
  read: 'Reads workspace data; changes nothing.',
  write: 'Changes files in the project workspace.',
  external: 'Calls a service outside Baton.',
  deploy: 'Changes what runs in a deployed environment.',
  destructive: 'Deletes or irreversibly changes data.',
};
export const RISK_ORDER = Object.keys(RISKS) as ToolRisk[];

/**
 * The engine's tools (packages/core/src/engine/tools/registry.ts). No procedure lists them, so they
 * are named here; the server refuses an unknown name with a message shown beside the field.
 */
export const TOOLS: ReadonlyArray<{ name: string; risk: ToolRisk; label: string }> = [
  { name: 'list_files', risk: 'read', label: 'list files' },
  { name: 'read_file', risk: 'read', label: 'read a file' },
  { name: 'write_file', risk: 'write', label: 'write a file' },
  { name: 'run_command', risk: 'write', label: 'run a command' },
  { name: 'health_check', risk: 'external', label: 'check an environment’s health' },
  { name: 'deploy', risk: 'deploy', label: 'deploy to an environment' },
];

export const DECISIONS: Record<PolicyDecision, string> = {
  require_approval: 'Always ask a person',
  auto_approve: 'Let it run without asking',
};

export const ROLES: Record<Role, string> = {
  owner: 'Everything, including deleting the organization and managing owners.',
  admin: 'What members do, plus settings, policy rules, environments, members and invitations (owners excepted).',
  member: 'Creates projects, starts and cancels runs, approves or denies the agent’s actions.',
  viewer: 'Sees the organization’s runs, projects and handoffs without changing them.',
};
export const ROLE_ORDER = Object.keys(ROLES) as Role[];
