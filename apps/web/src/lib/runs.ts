import type { RouterOutputs } from './trpc.ts';

export type Run = RouterOutputs['mk']['runs']['list']['data']['runs'][number];
export type RunDetail = RouterOutputs['mk']['runs']['get']['data'];
export type RunEvent = RunDetail['events'][number];
export type Approval = RunDetail['approvals'][number];
export type RunStatus = Run['status'];
export type StageEntry = Run['stageHistory'][number];
export type StageResult = StageEntry['result'];
export type RunEventType = RunEvent['eventType'];

/** The order a run moves through; the server names the same stages (packages/db RUN_STAGES). */
export const STAGES = ['intake', 'clarify', 'scope', 'plan', 'build', 'verify', 'deploy', 'monitor'] as const satisfies readonly RunStatus[];
export const TERMINAL = ['completed', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];

/** Every status, for filters. Checked against the server's enum both ways below. */
export const RUN_STATUSES = [...STAGES, ...TERMINAL] as const;
type Missing = Exclude<RunStatus, (typeof RUN_STATUSES)[number]>;
const _allStatuses: [Missing] extends [never] ? true : Missing = true;
void _allStatuses;

export const isTerminal = (status: string): boolean => (TERMINAL as readonly string[]).includes(status);

/**
 * Whether the run is paused until a person approves or denies an action. Its status stays the stage
 * it waits in (the contract has no "waiting" status); the server says which approval in
 * `pendingApprovalId`, on list items and details alike.
 */
export const needsApproval = (run: { status: string; pendingApprovalId: string | null }): boolean => !isTerminal(run.status) && run.pendingApprovalId !== null;

/** "skipped — no deploy hook configured for staging"; "done — 2 of 2 checks passed". */
export function describeStageResult(h: Pick<StageEntry, 'result' | 'summary'>): string {
  return h.summary ? `${h.result} — ${h.summary}` : h.result;
}

/**
 * Labels for every event type. A Record keyed by the server's enum, so a new event type on the
 * server fails the type check here instead of silently missing from the SSE listeners below.
 */
export const EVENT_LABELS: Record<RunEventType, string> = {
  stage_transition: 'Stage',
  message: 'Note',
  artifact_created: 'Artifact',
  tool_call: 'Action',
  tool_result: 'Result',
  approval_requested: 'Asks approval',
  approval_granted: 'Approved',
  approval_denied: 'Denied',
  error: 'Error',
  rollback_created: 'Rollback',
  cost_update: 'Cost',
};

/** The SSE stream names each message after its event type, so EventSource needs a listener per type. */
export const EVENT_TYPES = Object.keys(EVENT_LABELS) as RunEventType[];

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));

/** One readable line for a timeline entry. */
export function describeEvent(e: RunEvent): string {
  const d = e.data;
  switch (e.eventType) {
    case 'stage_transition': {
      const to = str(d.to);
      const reason = d.reason ? ` — ${str(d.reason)}` : '';
      if (!d.from) return `Run created, stage ${to}`;
      // What the stage did (d.result, d.summary) is shown with the stages, not repeated here.
      return `${str(d.from)} → ${to}${reason}`;
    }
    case 'message':
      return str(d.text);
    case 'artifact_created':
      return d.kind === 'plan' ? 'Plan created' : d.kind === 'scope' ? 'Scope written' : `${str(d.kind)} artifact created`;
    case 'tool_call':
      return `${str(d.description) || str(d.tool)} (${str(d.tool)}${d.risk ? `, ${str(d.risk)}` : ''})`;
    case 'tool_result':
      return `${d.ok ? '✓' : '✗'} ${str(d.summary)}`;
    case 'approval_requested':
      return `${str(d.actionSummary)} — waiting for a person`;
    case 'approval_granted':
      if (d.auto) return `Allowed without asking by ${str(d.rule) || 'a policy rule'}`;
      return `Approved by ${str(d.decidedByName) || 'a user'}${d.actionSummary ? `: ${str(d.actionSummary)}` : ''}`;
    case 'approval_denied':
      return `Denied by ${str(d.decidedByName) || 'a user'}${d.reason ? `: ${str(d.reason)}` : ''}`;
    case 'error':
      return str(d.message);
    case 'cost_update':
      return Object.entries(d)
        .map(([k, v]) => `${humanize(k)}: ${str(v)}`)
        .join(', ');
    default:
      return str(d.summary ?? d.message ?? d);
  }
}

/** Merges two event lists by sequence number: SSE and a refetch may both carry the same events. */
export function mergeEvents(a: readonly RunEvent[], b: readonly RunEvent[]): RunEvent[] {
  const bySeq = new Map<number, RunEvent>();
  for (const e of a) bySeq.set(e.sequenceNumber, e);
  for (const e of b) bySeq.set(e.sequenceNumber, e);
  return [...bySeq.values()].sort((x, y) => x.sequenceNumber - y.sequenceNumber);
}

export const lastSequence = (events: readonly RunEvent[]): number => events.reduce((m, e) => Math.max(m, e.sequenceNumber), 0);

/** camelCase / snake_case keys of artifacts as words: "mentionedPaths" → "Mentioned paths". */
const ACRONYMS: Record<string, string> = { ai: 'AI', id: 'ID', url: 'URL', urls: 'URLs', llm: 'LLM', api: 'API' };
export function humanize(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(' ')
    .map((w) => ACRONYMS[w] ?? w)
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Which driver ran this: runs do not say, but both drivers sign their scope and plan artifacts with
 * `driver: { name, kind, isAI }`.
 */
export function driverOf(run: { scopeArtifact: Record<string, unknown> | null; planArtifact: Record<string, unknown> | null }): string | null {
  const d = run.scopeArtifact?.driver ?? run.planArtifact?.driver;
  if (typeof d !== 'object' || d === null) return null;
  const { name, kind, isAI } = d as { name?: unknown; kind?: unknown; isAI?: unknown };
  if (typeof name !== 'string') return null;
  const about = [typeof kind === 'string' ? kind : null, isAI === false ? 'not an AI model' : null].filter(Boolean).join(', ');
  return about ? `${name} (${about})` : name;
}

export const formatTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');
export const formatClock = (iso: string): string => new Date(iso).toLocaleTimeString();

export function formatDuration(fromIso: string, toIso: string): string {
  const ms = Math.max(0, Date.parse(toIso) - Date.parse(fromIso));
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
