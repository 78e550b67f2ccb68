import { useEffect, useRef, useState, type ReactNode } from 'react';
import { stagesNow, type StageView, type StageState } from '../lib/run-stages.ts';
import {
  EVENT_LABELS,
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

const STATE_LABEL: Record<StageState, string> = { done: 'done', skipped: 'skipped', current: 'in progress', waiting: 'waiting for approval', stopped: 'stopped', todo: '' };

/** The eight stages as a track; `stoppedLabel` names how the run stopped ("failed", "cancelled"). */
export function StageTrack({ stages, stoppedLabel = 'stopped', label = 'Stage progress' }: { stages: readonly StageView[]; stoppedLabel?: string; label?: string }) {
  return (
    <ol className="stages" aria-label={label}>
      {stages.map(({ stage, state, entry }) => {
        const text = state === 'stopped' ? stoppedLabel : STATE_LABEL[state];
        return (
          <li
            key={stage}
            className={`stage stage-${state}`}
            data-state={state}
            aria-current={state === 'current' || state === 'waiting' ? 'step' : undefined}
            title={entry ? `${stage}: ${describeStageResult(entry)} (${formatDuration(entry.startedAt, entry.endedAt)})` : stage}
          >
            <span className="stage-name">{stage}</span>
            {/* Not by colour alone: run-styles.css marks each state (✓, ✗, …) before this text. */}
            <span className="stage-state">{text || ' '}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** Where the run is in its eight stages, and what each ended stage did (or why it was skipped). */
export function StageProgress({ run, waiting }: { run: RunDetail; waiting: boolean }) {
  const explained = run.stageHistory.filter((h) => h.summary);
  return (
    <>
      <StageTrack stages={stagesNow(run, waiting)} stoppedLabel={run.status} />
      {explained.length > 0 && (
        <ul className="plan-notes stage-results" aria-label="Stage results" data-testid="stage-results">
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

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

/** Long output (a file, a command's output) in its own scrollable box, reachable by keyboard. */
function Output({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="event-output" tabIndex={0} aria-label={label}>
      {text(value)}
    </pre>
  );
}

/** What an event carries beyond its one line: a tool's arguments and output, an artifact. Null when nothing. */
export function eventDetails(e: RunEvent): ReactNode {
  const d = e.data;
  switch (e.eventType) {
    case 'tool_call':
      return (
        <dl className="facts">
          <dt>Tool</dt>
          <dd>
            <code>{String(d.tool)}</code>
          </dd>
          {d.risk ? (
            <>
              <dt>Risk</dt>
              <dd>{String(d.risk)}</dd>
            </>
          ) : null}
          {d.stage ? (
            <>
              <dt>Stage</dt>
              <dd>{String(d.stage)}</dd>
            </>
          ) : null}
          <dt>Arguments</dt>
          <dd>{d.args === undefined || d.args === null ? <span className="muted">none</span> : <Output value={d.args} label="Arguments" />}</dd>
        </dl>
      );
    case 'tool_result':
      return (
        <dl className="facts">
          <dt>Result</dt>
          <dd>{d.ok ? 'succeeded' : 'failed'}</dd>
          <dt>Output</dt>
          <dd>{d.output === undefined || d.output === null || d.output === '' ? <span className="muted">none</span> : <Output value={d.output} label="Output" />}</dd>
        </dl>
      );
    case 'artifact_created': {
      const a = isRecord(d.artifact) ? d.artifact : null;
      if (!a) return null;
      return d.kind === 'plan' ? <PlanView plan={a} events={[]} active={false} /> : <ScopeView scope={a} />;
    }
    case 'error': {
      const { message: _m, ...rest } = d;
      return Object.keys(rest).length > 0 ? <Value value={rest} /> : null;
    }
    default:
      return null;
  }
}

/** One event's line, with what else it carries behind a disclosure (tool calls, results, artifacts). */
export function EventBody({ event, open }: { event: RunEvent; open?: boolean }) {
  const more = eventDetails(event);
  const line = <span className="event-text">{describeEvent(event)}</span>;
  if (!more) return <div className="event-body">{line}</div>;
  return (
    <div className="event-body">
      <details className="event-details" open={open}>
        <summary>{line}</summary>
        <div className="event-more">{more}</div>
      </details>
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
          <EventBody event={e} />
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

/** What a screen reader hears about a burst of new events: stage changes and approvals by name. */
function announce(fresh: readonly RunEvent[]): string {
  const notable = fresh
    .map((e) => {
      if (e.eventType === 'stage_transition') {
        const to = String(e.data.to);
        return isTerminal(to) ? `Run ${to}` : `Stage ${to}`;
      }
      if (e.eventType === 'approval_requested') return `Approval needed: ${String(e.data.actionSummary ?? '')}`;
      if (e.eventType === 'approval_denied' || e.eventType === 'error') return describeEvent(e);
      return null;
    })
    .filter((m): m is string => m !== null);
  const count = `${fresh.length} new ${fresh.length === 1 ? 'event' : 'events'}`;
  return notable.length > 0 ? `${notable.join('. ')}. ${count}.` : `${count}: ${describeEvent(fresh[fresh.length - 1]!)}`;
}

/**
 * Announces, politely, what arrived since the page opened: not the events already there on load,
 * only the ones the stream brings. One region, replaced per burst, so bursts do not queue up.
 */
export function RunAnnouncer({ events }: { events: readonly RunEvent[] }) {
  const seen = useRef<number | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
    const last = lastSequence(events);
    if (seen.current === null) {
      seen.current = last;
      return;
    }
    const after = seen.current;
    const fresh = events.filter((e) => e.sequenceNumber > after);
    seen.current = Math.max(after, last);
    if (fresh.length > 0) setMessage(announce(fresh));
  }, [events]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="run-announcer">
      {message}
    </div>
  );
}
