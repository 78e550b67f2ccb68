import { useEffect, useState } from 'react';
import { trpc, errorMessage, type RouterOutputs } from '../lib/trpc.ts';
import { driverOf, formatTime, isTerminal } from '../lib/runs.ts';
import { useRunLive, type LiveMode } from '../lib/use-run-live.ts';
import { Card, ErrorText, Link } from '../components/ui.tsx';
import { ApprovalCard } from '../components/approval-card.tsx';
import { EventTimeline, PlanView, ScopeView, StageProgress, StatusBadge } from '../components/run-parts.tsx';

type Project = RouterOutputs['mk']['projects']['get']['data'];

const LIVE_LABEL: Record<LiveMode, string> = {
  loading: 'Loading…',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Updating every 2 s',
  ended: 'Run ended',
};

export function RunDetailPage({ runId }: { runId: string }) {
  const { detail: run, error, mode, refresh } = useRunLive(runId);
  const [project, setProject] = useState<Project | null>(null);
  const [cancelBusy, setCancelBusy] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [decisionError, setDecisionError] = useState<string | null>(null);

  const projectId = run?.projectId ?? null;
  useEffect(() => {
    setProject(null);
    if (!projectId) return;
    let stopped = false;
    trpc.mk.projects.get
      .query({ id: projectId })
      .then(({ data }) => !stopped && setProject(data))
      .catch(() => undefined); // the name is a nicety; the id is shown without it
    return () => {
      stopped = true;
    };
  }, [projectId]);

  if (!run) {
    return (
      <>
        <p>
          <Link to="/runs">← All runs</Link>
        </p>
        {error ? <ErrorText error={error} /> : <p>Loading…</p>}
      </>
    );
  }

  const pending = run.approvals.filter((a) => a.status === 'pending');
  const decided = run.approvals.filter((a) => a.status !== 'pending');
  const active = !isTerminal(run.status);
  const waiting = active && (pending.length > 0 || run.pendingApprovalId !== null);
  const driver = driverOf(run);

  const cancel = async () => {
    setCancelBusy(true);
    setCancelError(null);
    try {
      await trpc.mk.runs.cancel.mutate({ id: run.id });
    } catch (e) {
      setCancelError(errorMessage(e));
    } finally {
      setCancelBusy(false);
      setConfirmCancel(false);
      await refresh();
    }
  };

  return (
    <>
      <p>
        <Link to="/runs">← All runs</Link>
      </p>
      <ErrorText error={error} />
      <section className="card run-head" aria-labelledby="run-title">
        <div className="run-head-top">
          <h2 id="run-title">
            Run <code className="run-id" title={run.id}>{run.id.slice(0, 8)}</code>
          </h2>
          <StatusBadge status={run.status} waiting={waiting} />
          <span className={`live live-${mode}`} data-testid="live-mode" role="status">
            {LIVE_LABEL[mode]}
          </span>
          {active &&
            (confirmCancel ? (
              // Cancelling stops the agent mid-step (a running command is killed): ask once more.
              <span className="confirm" role="group" aria-label="Confirm cancelling the run">
                <span>Stop this run for good?</span>
                <button type="button" className="danger" onClick={() => void cancel()} disabled={cancelBusy}>
                  {cancelBusy ? 'Cancelling…' : 'Yes, cancel run'}
                </button>
                <button type="button" className="secondary" onClick={() => setConfirmCancel(false)} disabled={cancelBusy}>
                  Keep running
                </button>
              </span>
            ) : (
              <button type="button" className="secondary" onClick={() => setConfirmCancel(true)}>
                Cancel run
              </button>
            ))}
        </div>
        <blockquote className="request" data-testid="run-request">
          {run.requestText}
        </blockquote>
        {/* What a completed run achieved: "Completed — no code changes; deploy skipped (…)". A failed or cancelled run says why below. */}
        {run.status === 'completed' && run.outcome && (
          <p className="notice" data-testid="run-outcome" role="status">
            {run.outcome}
          </p>
        )}
        {run.errorMessage && (
          <p className={run.status === 'failed' ? 'notice notice-bad' : 'notice'} data-testid="run-error">
            {run.errorMessage}
          </p>
        )}
        <ErrorText error={cancelError} />
        <StageProgress run={run} waiting={waiting} />
        <dl className="facts facts-inline">
          <dt>Created</dt>
          <dd>{formatTime(run.createdAt)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(run.completedAt)}</dd>
          <dt>Project</dt>
          <dd>{run.projectId ? (project?.name ?? run.projectId) : 'none (scratch workspace)'}</dd>
          <dt>Credits used</dt>
          <dd data-testid="run-credits">{run.totalCreditsUsed}</dd>
          <dt>Tokens</dt>
          <dd data-testid="run-tokens">
            {run.totalTokensInput.toLocaleString()} in · {run.totalTokensOutput.toLocaleString()} out
          </dd>
          {driver && (
            <>
              <dt>Driver</dt>
              <dd>{driver}</dd>
            </>
          )}
          {run.modelUsed && (
            <>
              <dt>Model</dt>
              <dd>{run.modelUsed}</dd>
            </>
          )}
        </dl>
      </section>

      {active && pending.map((a) => <ApprovalCard key={a.id} runId={run.id} approval={a} onDecided={refresh} onError={setDecisionError} />)}
      {decisionError && (
        <p className="notice notice-bad" role="alert" data-testid="decision-error">
          {decisionError}
        </p>
      )}

      <div className="artifacts">
        <Card title="Scope">{run.scopeArtifact ? <ScopeView scope={run.scopeArtifact} /> : <p className="muted">Not scoped yet.</p>}</Card>
        <Card title="Plan">
          {run.planArtifact ? <PlanView plan={run.planArtifact} events={run.events} active={active} /> : <p className="muted">Not planned yet.</p>}
        </Card>
      </div>

      {decided.length > 0 && (
        <Card title="Decisions">
          <ul className="decisions" aria-label="Decisions">
            {decided.map((a) => (
              <li key={a.id}>
                <span className={`badge badge-${a.status === 'approved' || a.status === 'auto_approved' ? 'ok' : a.status === 'denied' ? 'bad' : 'muted'}`}>{a.status.replace('_', ' ')}</span>{' '}
                {a.actionSummary} <span className="muted">· {formatTime(a.decidedAt)}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}

      <Card title="Timeline">
        <EventTimeline events={run.events} run={run} />
      </Card>
    </>
  );
}
