import { useCallback, useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC, type RouterOutputs } from '../lib/trpc.ts';
import { EVENT_LABELS, describeEvent, formatDuration, formatTime, isTerminal } from '../lib/runs.ts';
import { formatOffset, stagesAt } from '../lib/run-stages.ts';
import { Button, Card, EmptyState, Page, QueryState, SelectField } from '../components/ui.ts';
import { StageTrack, StatusBadge, eventDetails } from '../components/run-parts.tsx';
import '../components/run-styles.css';

const route = getRouteApi('/_app/runs/$runId/replay');

type Replay = RouterOutputs['mk']['runs']['replay']['data'];

/** How long each step shows while playing, at 1×. */
const STEP_MS = 1200;
const SPEEDS = [1, 2, 4] as const;

/** Step-by-step replay of a run (trpc.mk.runs.replay): what the agent did, event by event. */
export function RunReplayPage() {
  const { runId } = route.useParams();
  const trpc = useTRPC();
  const replay = useQuery(trpc.mk.runs.replay.queryOptions({ id: runId }, { staleTime: Infinity }));
  const shortId = runId.slice(0, 8);
  return (
    <Page
      title={`Replay of run ${shortId}`}
      heading={
        <>
          Replay of run <code className="run-id">{shortId}</code>
        </>
      }
      back={
        <Link to="/runs/$runId" params={{ runId }}>
          ← Run {shortId}
        </Link>
      }
      description="Step through what the agent did in this run, event by event."
    >
      <QueryState query={replay} loading={<p className="loading" aria-busy="true">Loading the replay…</p>}>
        {({ data }) => <ReplayViewer replay={data} />}
      </QueryState>
    </Page>
  );
}

function ReplayViewer({ replay }: { replay: Replay }) {
  const { run, events } = replay;
  const last = events.length - 1;
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(1);
  const listRef = useRef<HTMLOListElement>(null);

  const go = useCallback((i: number) => setIndex(Math.max(0, Math.min(last, i))), [last]);
  const toggle = useCallback(() => {
    // Play at the end starts over.
    if (!playing && index >= last) setIndex(0);
    setPlaying(!playing);
  }, [playing, index, last]);

  useEffect(() => {
    if (!playing) return;
    if (index >= last) {
      setPlaying(false);
      return;
    }
    const t = setTimeout(() => setIndex((i) => Math.min(last, i + 1)), STEP_MS / speed);
    return () => clearTimeout(t);
  }, [playing, index, last, speed]);

  // ←/→ step and space plays or pauses, wherever focus is, except where those keys already mean
  // something: typing in a field, the slider's own arrows, a button's or link's own space.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const t = e.target instanceof HTMLElement ? e.target : null;
      if (t?.closest('dialog[open]')) return;
      const tag = t?.tagName ?? '';
      const isRange = tag === 'INPUT' && (t as HTMLInputElement).type === 'range';
      if ((tag === 'INPUT' && !isRange) || tag === 'TEXTAREA' || tag === 'SELECT' || t?.isContentEditable) return;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        if (isRange) return;
        e.preventDefault();
        setIndex((i) => Math.max(0, Math.min(last, i + (e.key === 'ArrowLeft' ? -1 : 1))));
      } else if (e.key === ' ') {
        if (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') return;
        e.preventDefault();
        toggle();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [last, toggle]);

  // Keep the current step in view inside the list, without scrolling the page under the reader.
  useEffect(() => {
    const list = listRef.current;
    const item = list?.querySelector<HTMLElement>('[aria-current="step"]');
    if (!list || !item) return;
    // The list is the items' offsetParent (position: relative in run-styles.css).
    const top = item.offsetTop;
    if (top < list.scrollTop || top + item.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = top - list.clientHeight / 2 + item.offsetHeight / 2;
  }, [index]);

  const finished = isTerminal(run.status);
  const summary = (
    <section className="card replay-run" aria-label="Run">
      <blockquote className="request">{run.requestText}</blockquote>
      <dl className="facts facts-inline">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={run.status} />
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(run.createdAt)}</dd>
        <dt>Took</dt>
        <dd>{run.completedAt ? formatDuration(run.createdAt, run.completedAt) : 'still running'}</dd>
        <dt>Credits used</dt>
        <dd>{run.totalCreditsUsed}</dd>
        <dt>Tokens</dt>
        <dd>
          {run.totalTokensInput.toLocaleString()} in · {run.totalTokensOutput.toLocaleString()} out
        </dd>
      </dl>
      {!finished && (
        <p className="notice" data-testid="replay-unfinished">
          This run is still going: the replay holds its events so far.{' '}
          <Link to="/runs/$runId" params={{ runId: run.id }}>
            Follow it live
          </Link>
        </p>
      )}
    </section>
  );

  if (events.length === 0) {
    return (
      <>
        {summary}
        <EmptyState testId="replay-empty" title="This run recorded nothing to replay." />
      </>
    );
  }

  const current = events[index]!;
  const { stages, stage } = stagesAt(events, index, run.stageHistory);
  const offset = formatOffset(run.createdAt, current.createdAt);
  const position = `Step ${index + 1} of ${events.length}`;
  const more = eventDetails(current);

  return (
    <>
      {summary}
      <section className="card replay" aria-label="Replay">
        <div className="replay-controls" role="group" aria-label="Replay controls">
          <div className="replay-buttons">
            <Button variant="secondary" onClick={() => go(index - 1)} disabled={index === 0} aria-keyshortcuts="ArrowLeft">
              ← Previous
            </Button>
            <Button onClick={toggle} aria-keyshortcuts="Space" data-testid="replay-play">
              {playing ? 'Pause' : index >= last ? 'Play again' : 'Play'}
            </Button>
            <Button variant="secondary" onClick={() => go(index + 1)} disabled={index >= last} aria-keyshortcuts="ArrowRight">
              Next →
            </Button>
          </div>
          <div className="replay-scrubber">
            <label htmlFor="replay-slider" className="visually-hidden">
              Step
            </label>
            <input
              id="replay-slider"
              type="range"
              min={1}
              max={events.length}
              step={1}
              value={index + 1}
              aria-valuetext={`${position}, ${offset}`}
              data-testid="replay-slider"
              onChange={(e) => go(Number(e.target.value) - 1)}
            />
            <span className="replay-position" data-testid="replay-position">
              {position} <span className="muted">· {offset}</span>
            </span>
          </div>
          <SelectField className="replay-speed" label="Speed" name="speed" value={String(speed)} onChange={(v) => setSpeed(Number(v) as (typeof SPEEDS)[number])}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </SelectField>
        </div>
        <p className="muted replay-keys">Keys: ← and → step, space plays or pauses.</p>
        {/* One polite update per step: where the replay is now, and what happened there. */}
        <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="replay-announcer">
          {`${position}, ${offset}, stage ${stage}: ${EVENT_LABELS[current.eventType]} — ${describeEvent(current)}`}
        </p>

        <h2 className="replay-stage-heading">
          Stage at this step: <span data-testid="replay-stage">{stage}</span>
        </h2>
        <StageTrack stages={stages} stoppedLabel={run.status} label="Stage at this step" />

        <div className="replay-body">
          <article className={`replay-current event-${current.eventType}`} data-testid="replay-current" data-sequence={current.sequenceNumber} aria-labelledby="replay-current-title">
            <h3 id="replay-current-title">
              <span className="event-type">{EVENT_LABELS[current.eventType]}</span> <span className="muted replay-offset">{offset}</span>
            </h3>
            <p className="replay-text" data-testid="replay-text">
              {describeEvent(current)}
            </p>
            {more}
            <dl className="facts replay-meta">
              <dt>At</dt>
              <dd>
                <time dateTime={current.createdAt}>{formatTime(current.createdAt)}</time>
              </dd>
              {current.modelUsed && (
                <>
                  <dt>Model</dt>
                  <dd>{current.modelUsed}</dd>
                </>
              )}
              {current.tokensUsed !== null && (
                <>
                  <dt>Tokens</dt>
                  <dd>{current.tokensUsed.toLocaleString()}</dd>
                </>
              )}
            </dl>
          </article>

          <Card title="All steps" className="replay-list-card">
            <ol className="replay-list" ref={listRef} aria-label="Steps" data-testid="replay-steps">
              {events.map((e, i) => (
                <li key={e.sequenceNumber} className={`replay-item event-${e.eventType}${i === index ? ' replay-item-current' : ''}${i < index ? ' replay-item-past' : ''}`}>
                  <button type="button" className="replay-jump" aria-current={i === index ? 'step' : undefined} onClick={() => go(i)}>
                    <span className="replay-item-offset">{formatOffset(run.createdAt, e.createdAt)}</span>
                    <span className="event-type">{EVENT_LABELS[e.eventType]}</span>
                    <span className="replay-item-text">{describeEvent(e)}</span>
                  </button>
                </li>
              ))}
            </ol>
          </Card>
        </div>
      </section>
    </>
  );
}
