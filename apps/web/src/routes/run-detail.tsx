import { useState } from 'react';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { driverOf, formatTime, isTerminal, type Approval, type RunDetail } from '../lib/runs.ts';
import { optimistic } from '../lib/mutations.ts';
import { useRunLive, type LiveMode } from '../lib/use-run-live.ts';
import { Badge, Button, Card, ErrorState, FormError, LoadingState, Page, RelativeTime } from '../components/ui.ts';
import { ApprovalCard, type Decision } from '../components/approval-card.tsx';
import { EventTimeline, PlanView, ScopeView, StageProgress, StatusBadge } from '../components/run-parts.tsx';

const route = getRouteApi('/_app/runs/$runId');

const LIVE_LABEL: Record<LiveMode, string> = {
  loading: 'Loading…',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Updating every 2 s',
  ended: 'Run ended',
};

type RunGet = { data: RunDetail };

/** The run as it looks once this approval is decided: the card goes, the run no longer waits. */
const decided =
  (status: Approval['status']) =>
  (old: RunGet, { approvalId }: { approvalId: string }): RunGet => ({
    ...old,
    data: {
      ...old.data,
      pendingApprovalId: old.data.pendingApprovalId === approvalId ? null : old.data.pendingApprovalId,
      approvals: old.data.approvals.map((a) => (a.id === approvalId ? { ...a, status } : a)),
    },
  });

export function RunDetailPage() {
  const { runId } = route.useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { query, run, mode, queryKey } = useRunLive(runId);
  const [decisionError, setDecisionError] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);

  const project = useQuery(trpc.mk.projects.get.queryOptions(run?.projectId ? { id: run.projectId } : skipToken, { retry: false }));

  const failed = (kind: Decision['kind']) => (e: unknown, { approvalId }: { approvalId: string }) => {
    const summary = queryClient.getQueryData(queryKey)?.data.approvals.find((a) => a.id === approvalId)?.actionSummary ?? '';
    setDecisionError(`Could not ${kind} “${summary}”: ${errorMessage(e)}`);
  };
  const alsoLists = [trpc.mk.runs.list.queryKey()];
  const approve = useMutation(trpc.mk.runs.approve.mutationOptions(optimistic(queryKey, decided('approved'), { onError: failed('approve'), alsoInvalidate: alsoLists })));
  const deny = useMutation(trpc.mk.runs.deny.mutationOptions(optimistic(queryKey, decided('denied'), { onError: failed('deny'), alsoInvalidate: alsoLists })));
  const cancel = useMutation(
    trpc.mk.runs.cancel.mutationOptions({
      onSettled: async () => {
        setConfirmCancel(false);
        await queryClient.invalidateQueries({ queryKey });
      },
    }),
  );

  const shortId = runId.slice(0, 8);
  const back = <Link to="/runs">← All runs</Link>;
  const heading = (
    <>
      Run <code className="run-id" title={runId}>{shortId}</code>
    </>
  );

  if (!run) {
    return (
      <Page title={`Run ${shortId}`} heading={heading} back={back}>
        {query.error ? <ErrorState error={query.error} onRetry={() => void query.refetch()} /> : <LoadingState />}
      </Page>
    );
  }

  const pending = run.approvals.filter((a) => a.status === 'pending');
  const decidedList = run.approvals.filter((a) => a.status !== 'pending');
  const active = !isTerminal(run.status);
  const waiting = active && (pending.length > 0 || run.pendingApprovalId !== null);
  const driver = driverOf(run);
  const decide = (approval: Approval) => (d: Decision) => {
    setDecisionError(null);
    if (d.kind === 'approve') approve.mutate({ id: run.id, approvalId: approval.id });
    else deny.mutate({ id: run.id, approvalId: approval.id, ...(d.reason ? { reason: d.reason } : {}) });
  };
  const busyWith = (a: Approval): Decision['kind'] | null =>
    approve.isPending && approve.variables.approvalId === a.id ? 'approve' : deny.isPending && deny.variables.approvalId === a.id ? 'deny' : null;

  return (
    <Page
      title={`Run ${shortId}`}
      heading={heading}
      back={back}
      actions={
        <>
          <StatusBadge status={run.status} waiting={waiting} />
          <span className={`live live-${mode}`} data-testid="live-mode" role="status">
            {LIVE_LABEL[mode]}
          </span>
          {!active && (
            <Link to="/runs/$runId/replay" params={{ runId: run.id }}>
              Replay
            </Link>
          )}
          {active &&
            (confirmCancel ? (
              // Cancelling stops the agent mid-step (a running command is killed): ask once more.
              <span className="confirm" role="group" aria-label="Confirm cancelling the run">
                <span>Stop this run for good?</span>
                <Button variant="danger" onClick={() => cancel.mutate({ id: run.id })} busy={cancel.isPending}>
                  {cancel.isPending ? 'Cancelling…' : 'Yes, cancel run'}
                </Button>
                <Button variant="secondary" onClick={() => setConfirmCancel(false)} disabled={cancel.isPending}>
                  Keep running
                </Button>
              </span>
            ) : (
              <Button variant="secondary" onClick={() => setConfirmCancel(true)}>
                Cancel run
              </Button>
            ))}
        </>
      }
    >
      {query.error && <ErrorState error={query.error} />}
      <section className="card run-head" aria-label="Run">
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
        <FormError error={cancel.error && errorMessage(cancel.error)} />
        <StageProgress run={run} waiting={waiting} />
        <dl className="facts facts-inline">
          <dt>Created</dt>
          <dd>
            <RelativeTime iso={run.createdAt} />
          </dd>
          <dt>Finished</dt>
          <dd>{run.completedAt ? <RelativeTime iso={run.completedAt} /> : '—'}</dd>
          <dt>Project</dt>
          <dd>
            {run.projectId ? (
              <Link to="/projects/$projectId" params={{ projectId: run.projectId }}>
                {project.data?.data.name ?? run.projectId}
              </Link>
            ) : (
              'none (scratch workspace)'
            )}
          </dd>
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

      {active && pending.map((a) => <ApprovalCard key={a.id} approval={a} onDecide={decide(a)} busy={busyWith(a)} />)}
      {decisionError && (
        <p className="notice notice-bad" role="alert" data-testid="decision-error">
          {decisionError}
        </p>
      )}

      <div className="artifacts">
        <Card title="Scope">{run.scopeArtifact ? <ScopeView scope={run.scopeArtifact} /> : <p className="muted">Not scoped yet.</p>}</Card>
        <Card title="Plan">{run.planArtifact ? <PlanView plan={run.planArtifact} events={run.events} active={active} /> : <p className="muted">Not planned yet.</p>}</Card>
      </div>

      {decidedList.length > 0 && (
        <Card title="Decisions">
          <ul className="decisions" aria-label="Decisions">
            {decidedList.map((a) => (
              <li key={a.id}>
                <Badge tone={a.status === 'approved' || a.status === 'auto_approved' ? 'ok' : a.status === 'denied' ? 'bad' : 'muted'}>{a.status.replace('_', ' ')}</Badge> {a.actionSummary}{' '}
                <span className="muted">· {formatTime(a.decidedAt)}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}

      <Card title="Timeline">
        <EventTimeline events={run.events} run={run} />
      </Card>
    </Page>
  );
}
