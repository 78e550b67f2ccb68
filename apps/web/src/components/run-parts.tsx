import { useRef, type ReactNode } from 'react';
import {
  EVENT_LABELS,
  STAGES,
  describeEvent,
  describeStageResult,
  formatClock,
  formatDuration,
  formatTime,
  humanize,
  isTerminal,
  lastSequence,
  type RunDetail,
  type RunEvent,
  type RunStatus,
} from '../lib/runs.ts';

/** The run's status; a run paused for a person says so ("deploy · needs approval"), in lists too. */
export function StatusBadge({ status, waiting }: { status: RunStatus; waiting?: boolean }) {
  const tone = status === 'completed' ? 'ok' : status === 'failed' ? 'bad' : status === 'cancelled' ? 'muted' : waiting ? 'warn' : 'active';
  return (
    <span className={`badge badge-${tone}`} data-testid="run-status" data-waiting={waiting ? 'true' : undefined}>
      {status}
      {waiting ? ' · needs approval' : ''}
    </span>
  );
}

type StageState = 'done' | 'skipped' | 'current' | 'waiting' | 'stopped' | 'todo';

/**
 * Where the run is in its eight stages. stageHistory lists every stage that ended, with what it
 * did: `done`, or `skipped` with the reason (a deploy stage with no deploy hook ends without
 * deploying anything). For a failed or cancelled run the last entry is where it stopped.
 */
export function StageProgress({ run, waiting }: { run: RunDetail; waiting: boolean }) {
  const ended = new Map(run.stageHistory.map((h) => [h.stage, h]));
  const stoppedAt = run.status === 'failed' || run.status === 'cancelled' ? run.stageHistory.at(-1)?.stage : undefined;
  const stateOf = (stage: string): StageState => {
    if (stage === stoppedAt) return 'stopped';
    if (stage === run.status) return waiting ? 'waiting' : 'current';
    const h = ended.get(stage);
    if (!h) return 'todo';
    return h.result === 'skipped' ? 'skipped' : 'done';
  };
  const label: Record<StageState, string> = { done: 'done', skipped: 'skipped', current: 'in progress', waiting: 'waiting for approval', stopped: run.status, todo: '' };
  const explained = run.stageHistory.filter((h) => h.summary);
  return (
    <>
      <ol className="stages" aria-label="Stage progress">
        {STAGES.map((stage) => {
          const state = stateOf(stage);
          const h = ended.get(stage);
          return (
            <li
              key={stage}
              className={`stage stage-${state}`}
              data-state={state}
              aria-current={state === 'current' || state === 'waiting' ? 'step' : undefined}
              title={h ? `${stage}: ${describeStageResult(h)} (${formatDuration(h.startedAt, h.endedAt)})` : stage}
            >
              <span className="stage-name">{stage}</span>
              <span className="stage-state">{label[state] || ' '}</span>
            </li>
          );
        })}
      </ol>
      {explained.length > 0 && (
        <ul className="plan-notes" aria-label="Stage results" data-testid="stage-results" style={{ margin: '0.5rem 0 0' }}>
          {explained.map((h) => (
            <li key={h.stage}>
              <strong>{h.stage.charAt(0).toUpperCase() + h.stage.slice(1)}:</strong>{' '}
              <span data-stage={h.stage} data-result={h.result}>
                {describeStageResult(h)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Any JSON an artifact holds, as nested lists and definition lists rather than raw JSON. */
export function Value({ value }: { value: unknown }): ReactNode {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    return (
      <ul className="plain-list">
        {value.map((v, i) => (
          <li key={i}>
            <Value value={v} />
          </li>
        ))}
      </ul>
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="facts">
      {entries.map(([k, v]) => (
        <Entry key={k} label={humanize(k)}>
          <Value value={v} />
        </Entry>
      ))}
    </dl>
  );
}

function Entry({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The scope: its summary first, then whatever else the driver recorded (its signature is shown with the run). */
export function ScopeView({ scope }: { scope: Record<string, unknown> }) {
  const { summary, driver: _driver, ...rest } = scope;
  return (
    <div className="artifact">
      {typeof summary === 'string' && <p className="artifact-summary">{summary}</p>}
      <Value value={rest} />
    </div>
  );
}

interface PlanStepLike {
  id?: unknown;
  stage?: unknown;
  tool?: unknown;
  description?: unknown;
}

/**
 * The plan: steps as an ordered list, each marked done or failed from the tool results whose key
 * (`<stage>:<step id>`) names it.
 */
export function PlanView({ plan, events, active }: { plan: Record<string, unknown>; events: readonly RunEvent[]; active: boolean }) {
  // skippedStages is shown with the stages it explains (StageProgress) and in the notes.
  const { summary, steps, notes, driver: _driver, skippedStages: _skipped, ...rest } = plan;
  const results = new Map<string, boolean>();
  for (const e of events) if (e.eventType === 'tool_result' && typeof e.data.key === 'string') results.set(e.data.key, e.data.ok === true);
  const stepList = Array.isArray(steps) ? (steps.filter(isRecord) as PlanStepLike[]) : [];
  const keyOf = (s: PlanStepLike) => `${String(s.stage)}:${String(s.id)}`;
  const nextIndex = active ? stepList.findIndex((s) => !results.has(keyOf(s))) : -1;
  return (
    <div className="artifact">
      {typeof summary === 'string' && <p className="artifact-summary">{summary}</p>}
      {stepList.length > 0 && (
        <ol className="plan-steps" aria-label="Plan steps">
          {stepList.map((s, i) => {
            const ok = results.get(keyOf(s));
            const state = ok === true ? 'done' : ok === false ? 'failed' : i === nextIndex ? 'next' : 'todo';
            return (
              <li key={i} className={`plan-step plan-step-${state}`} data-state={state}>
                <span className="plan-step-mark" aria-hidden="true">
                  {state === 'done' ? '✓' : state === 'failed' ? '✗' : state === 'next' ? '▸' : '·'}
                </span>
                <span className="plan-step-text">{String(s.description ?? s.tool ?? s.id ?? 'step')}</span>
                <span className="plan-step-meta">
                  {[s.stage, s.tool].filter(Boolean).map(String).join(' · ')}
                  {state === 'done' ? ' · done' : state === 'failed' ? ' · failed' : ''}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {Array.isArray(notes) && notes.length > 0 && (
        <ul className="plan-notes" aria-label="Plan notes">
          {notes.map((n, i) => (
            <li key={i}>{String(n)}</li>
          ))}
        </ul>
      )}
      {Object.keys(rest).length > 0 && <Value value={rest} />}
    </div>
  );
}

/** The run's events in order; those that arrive while the page is open are briefly highlighted. */
export function EventTimeline({ events, run }: { events: readonly RunEvent[]; run: RunDetail }) {
  const seenOnOpen = useRef<number | null>(null);
  if (seenOnOpen.current === null && events.length > 0) seenOnOpen.current = lastSequence(events);
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  const isNew = (e: RunEvent) => seenOnOpen.current !== null && e.sequenceNumber > seenOnOpen.current;
  return (
    <ol className="timeline" aria-label="Event timeline" data-testid="timeline">
      {events.map((e) => (
        <li key={e.sequenceNumber} className={`event event-${e.eventType}${isNew(e) ? ' event-new' : ''}`} data-event-type={e.eventType}>
          <time dateTime={e.createdAt} title={formatTime(e.createdAt)}>
            {formatClock(e.createdAt)}
          </time>
          <span className="event-type">{EVENT_LABELS[e.eventType] ?? e.eventType}</span>
          <span className="event-text">{describeEvent(e)}</span>
        </li>
      ))}
      {!isTerminal(run.status) && (
        <li className="event event-pending" aria-hidden="true">
          <span />
          <span className="event-type">…</span>
          <span className="event-text muted">more as the run goes on</span>
        </li>
      )}
    </ol>
  );
}
