import { STAGES, type RunEvent, type StageEntry } from './runs.ts';

export type StageState = 'done' | 'skipped' | 'current' | 'waiting' | 'stopped' | 'todo';

export interface StageView {
  stage: (typeof STAGES)[number];
  state: StageState;
  /** How the stage ended, when it has. */
  entry?: StageEntry;
}

const byStage = (history: readonly StageEntry[]) => new Map(history.map((h) => [h.stage, h]));

/**
 * Where a run is in its eight stages now. stageHistory lists every stage that ended, with what it
 * did: `done`, or `skipped` with the reason (a deploy stage with no deploy hook ends without
 * deploying anything). For a failed or cancelled run the last entry is where it stopped.
 */
export function stagesNow(run: { status: string; stageHistory: readonly StageEntry[] }, waiting: boolean): StageView[] {
  const ended = byStage(run.stageHistory);
  const stoppedAt = run.status === 'failed' || run.status === 'cancelled' ? run.stageHistory.at(-1)?.stage : undefined;
  return STAGES.map((stage) => {
    const entry = ended.get(stage);
    const state: StageState =
      stage === stoppedAt ? 'stopped' : stage === run.status ? (waiting ? 'waiting' : 'current') : !entry ? 'todo' : entry.result === 'skipped' ? 'skipped' : 'done';
    return { stage, state, entry };
  });
}

/**
 * Where the run was just after events[0..index]: the stage transitions so far say which stages had
 * ended and which one it was in; an approval asked for and not yet decided means it was waiting.
 * How each ended stage went comes from the finished run's stageHistory.
 */
export function stagesAt(events: readonly RunEvent[], index: number, history: readonly StageEntry[]): { stages: StageView[]; stage: string } {
  const ended = byStage(history);
  const left = new Set<string>();
  let current = 'intake';
  let stoppedIn: string | null = null;
  let waiting = false;
  for (const e of events.slice(0, index + 1)) {
    if (e.eventType === 'stage_transition') {
      const from = typeof e.data.from === 'string' ? e.data.from : null;
      const to = String(e.data.to);
      if (from) left.add(from);
      if (from && (to === 'failed' || to === 'cancelled')) stoppedIn = from;
      current = to;
      waiting = false;
    } else if (e.eventType === 'approval_requested') waiting = true;
    else if (e.eventType === 'approval_granted' || e.eventType === 'approval_denied') waiting = false;
  }
  const stages = STAGES.map((stage): StageView => {
    const entry = left.has(stage) ? ended.get(stage) : undefined;
    if (stage === stoppedIn) return { stage, state: 'stopped', entry };
    if (stage === current) return { stage, state: waiting ? 'waiting' : 'current' };
    if (!left.has(stage)) return { stage, state: 'todo' };
    return { stage, state: entry?.result === 'skipped' ? 'skipped' : 'done', entry };
  });
  return { stages, stage: current };
}

/** "+0.4 s", "+12.0 s", "+3 min 05 s": how long after the run started. */
export function formatOffset(startIso: string, atIso: string): string {
  const ms = Math.max(0, Date.parse(atIso) - Date.parse(startIso));
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return m < 60 ? `+${m} min ${String(s).padStart(2, '0')} s` : `+${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
