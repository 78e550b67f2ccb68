import { useId, useState } from 'react';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { driverOf, formatTime, isTerminal, type Approval, type RunDetail, type RunEvent } from '../lib/runs.ts';
import { optimistic } from '../lib/mutations.ts';
import { focusPageHeading } from '../lib/page.ts';
import { useRunLive, type LiveMode } from '../lib/use-run-live.ts';
import { Badge, Button, Card, Dialog, ErrorState, FormError, LoadingState, Page, RelativeTime, TextAreaField } from '../components/ui.ts';
import { ApprovalCard, type Decision } from '../components/approval-card.tsx';
import { EventTimeline, PlanView, RunAnnouncer, ScopeView, StageProgress, StatusBadge } from '../components/run-parts.tsx';
import '../components/run-styles.css';

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

/** The reason a person gave for denying, which only the approval_denied event keeps. */
const denialReason = (events: readonly RunEvent[], approvalId: string): string | null => {
  const e = events.find((x) => x.eventType === 'approval_denied' && x.data.approvalId === approvalId);
  return typeof e?.data.reason === 'string' && e.data.reason ? e.data.reason : null;
};

export function RunDetailPage() {
  const { runId } = route.useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { query, run, mode, queryKey } = useRunLive(runId);
  const [decisionError, setDecisionError] = useState<string | null>(null);

  const project = useQuery(trpc.mk.projects.get.queryOptions(run?.projectId ? { id: run.projectId } : skipToken, { retry: false }));

  const failed = (kind: Decision['kind']) => (e: unknown, { approvalId }: { approvalId: string }) => {
    const summary = queryClient.getQueryData(queryKey)?.data.approvals.find((a) => a.id === approvalId)?.actionSummary ?? '';
    setDecisionError(`Could not ${kind} “${summary}”: ${errorMessage(e)}`);
  };
  const alsoLists = [trpc.mk.runs.list.queryKey()];
  const approve = useMutation(trpc.mk.runs.approve.mutationOptions(optimistic(queryKey, decided('approved'), { onError: failed('approve'), alsoInvalidate: alsoLists })));
  const deny = useMutation(trpc.mk.runs.deny.mutationOptions(optimistic(queryKey, decided('denied'), { onError: failed('deny'), alsoInvalidate: alsoLists })));

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
        {query.error ? <ErrorState error={query.error} onRetry={() => void query.refetch()} /> : <LoadingState label="Loading the run…" />}
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
    // The card (and the button pressed) is gone at once: start again from the page's heading.
    focusPageHeading();
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
            <Link to="/runs/$runId/replay" params={{ runId: run.id }} className="btn btn-secondary">
              Replay
            </Link>
          )}
          {active && <CancelRun runId={run.id} />}
        </>
      }
    >
      <RunAnnouncer events={run.events} />
      {query.error && <ErrorState error={query.error} />}

      {/* First on the page: a run waiting for a person goes nowhere until someone decides. */}
      {active && pending.map((a) => <ApprovalCard key={a.id} approval={a} onDecide={decide(a)} busy={busyWith(a)} />)}
      {decisionError && (
        <p className="notice notice-bad" role="alert" data-testid="decision-error">
          {decisionError}
        </p>
      )}

      <section className="card run-head" aria-label="Run">
        <blockquote className="request" data-testid="run-request">
          {run.requestText}
        </blockquote>
        {/* What a completed run achieved: "Completed — no code changes; deploy skipped (…)". A failed or cancelled run says why below. */}
        {run.status === 'completed' && run.outcome && (
          <p className="notice notice-ok" data-testid="run-outcome">
            {run.outcome}
          </p>
        )}
        {run.errorMessage && (
          <p className={run.status === 'failed' ? 'notice notice-bad' : 'notice'} data-testid="run-error">
            {run.errorMessage}
          </p>
        )}
        <StageProgress run={run} waiting={waiting} />
        <dl className="facts facts-inline run-facts">
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

      <div className="artifacts">
        <Card title="Scope">{run.scopeArtifact ? <ScopeView scope={run.scopeArtifact} /> : <p className="muted">Not scoped yet.</p>}</Card>
        <Card title="Plan">{run.planArtifact ? <PlanView plan={run.planArtifact} events={run.events} active={active} /> : <p className="muted">Not planned yet.</p>}</Card>
      </div>

      {decidedList.length > 0 && (
        <Card title="Decisions">
          <ul className="decisions" aria-label="Decisions">
            {decidedList.map((a) => {
              const why = a.status === 'denied' ? denialReason(run.events, a.id) : null;
              return (
                <li key={a.id} data-status={a.status}>
                  <Badge tone={a.status === 'approved' || a.status === 'auto_approved' ? 'ok' : a.status === 'denied' ? 'bad' : 'muted'}>{a.status.replace('_', ' ')}</Badge> {a.actionSummary}{' '}
                  <span className="muted">· {formatTime(a.decidedAt)}</span>
                  {why && (
                    <span className="decision-reason" data-testid="denial-reason">
                      Reason: {why}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </Card>
      )}

      <Card title="Timeline" actions={<span className="muted run-count">{run.events.length} events</span>}>
        <EventTimeline events={run.events} run={run} />
      </Card>
    </Page>
  );
}

/**
 * Cancelling stops the agent mid-step (a running command is killed), so it asks once more, with
 * an optional reason that goes on the run ("Cancelled by Ada: wrong repository").
 */
function CancelRun({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const cancel = useMutation(
    trpc.mk.runs.cancel.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        setReason('');
        // This button goes with the active run: start again from the page's heading.
        focusPageHeading();
        await Promise.all([queryClient.invalidateQueries({ queryKey: trpc.mk.runs.get.queryKey({ id: runId }) }), queryClient.invalidateQueries({ queryKey: trpc.mk.runs.list.queryKey() })]);
      },
    }),
  );
  const close = () => {
    if (cancel.isPending) return;
    setOpen(false);
    cancel.reset();
  };
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Cancel run
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title="Cancel this run?"
        footer={
          <>
            <Button variant="secondary" onClick={close} disabled={cancel.isPending}>
              Keep running
            </Button>
            <Button variant="danger" type="submit" form={formId} busy={cancel.isPending}>
              {cancel.isPending ? 'Cancelling…' : 'Yes, cancel run'}
            </Button>
          </>
        }
      >
        <p>Stop this run for good? The agent stops mid-step; a command it is running is killed.</p>
        <form
          id={formId}
          onSubmit={(e) => {
            e.preventDefault();
            if (!cancel.isPending) cancel.mutate({ id: runId, ...(reason.trim() ? { reason: reason.trim() } : {}) });
          }}
        >
          <TextAreaField label="Reason (optional)" hint="Shown on the run." name="cancelReason" rows={2} maxLength={1000} value={reason} onChange={setReason} />
          <FormError error={cancel.error && errorMessage(cancel.error)} />
        </form>
      </Dialog>
    </>
  );
}
