import type { StageHistoryEntry } from '@baton/db';
import type { TStageHistoryEntry, TStageResultKind } from './run.types.ts';

/**
 * What a stage did, stored with its entry in `runs.stage_history` (a JSON column, so older entries
 * simply lack it). A stage that ended is not necessarily a stage that did something: a deploy stage
 * with no deploy hook ends at once, and saying "done" there would claim a deploy that never happened.
 */
export interface StageResult {
  result: TStageResultKind;
  summary: string | null;
  /** Build only: the workspace files the run wrote. */
  changedFiles?: string[];
}

export type StageRecord = StageHistoryEntry & Partial<StageResult>;

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 3).trimEnd()}...` : s);

/**
 * Entries as the API shows them: every one with a result. An entry from before stage results were
 * recorded is `done`, or for the last entry of a failed or cancelled run, the run's status.
 */
export function renderStageHistory(history: readonly StageRecord[], status: string): TStageHistoryEntry[] {
  const stoppedAt = status === 'failed' || status === 'cancelled' ? history.length - 1 : -1;
  return history.map((h, i) => ({
    stage: h.stage,
    startedAt: h.startedAt,
    endedAt: h.endedAt,
    result: h.result ?? (i === stoppedAt ? (status as 'failed' | 'cancelled') : 'done'),
    summary: h.summary ?? null,
    ...(h.changedFiles ? { changedFiles: h.changedFiles } : {}),
  }));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * One line on what a finished run achieved, from its stage results:
 * "Completed — no code changes; deploy skipped (no deploy hook configured for staging)".
 * Null while the run is active.
 */
export function runOutcome(status: string, history: readonly TStageHistoryEntry[], errorMessage: string | null): string | null {
  if (status !== 'completed' && status !== 'failed' && status !== 'cancelled') return null;
  if (status !== 'completed') {
    const at = history.at(-1)?.stage;
    const head = `${status === 'failed' ? 'Failed' : 'Cancelled'}${at ? ` at ${at}` : ''}`;
    return errorMessage ? `${head}: ${clip(errorMessage)}` : head;
  }
  const entry = (stage: string) => history.find((h) => h.stage === stage);
  const parts: string[] = [];
  const build = entry('build');
  if (build?.changedFiles) parts.push(build.changedFiles.length ? `${plural(build.changedFiles.length, 'file')} changed` : 'no code changes');
  else if (build?.result === 'skipped') parts.push(`build skipped${build.summary ? ` (${build.summary})` : ''}`);
  const deploy = entry('deploy');
  const deployed = deploy?.result === 'done';
  if (deploy?.result === 'skipped') parts.push(`deploy skipped${deploy.summary ? ` (${deploy.summary})` : ''}`);
  else if (deployed && deploy.summary) parts.push(deploy.summary);
  const monitor = entry('monitor');
  // Without a deploy there is nothing new to watch; the skipped deploy already says enough.
  if (monitor?.result === 'done' && monitor.summary) parts.push(monitor.summary);
  else if (monitor?.result === 'skipped' && deployed) parts.push(`monitor skipped${monitor.summary ? ` (${monitor.summary})` : ''}`);
  return parts.length ? `Completed — ${parts.join('; ')}` : 'Completed';
}
