import { useId, useState } from 'react';
import { trpc, errorMessage } from '../lib/trpc.ts';
import { formatTime, type Approval } from '../lib/runs.ts';

/**
 * A pending approval, with everything a person needs to decide, and the decision itself.
 * Errors go to the page (onError): when the approval was decided elsewhere, the refreshed run no
 * longer lists it as pending and this card disappears, but the person should still read why.
 */
export function ApprovalCard({
  runId,
  approval,
  onDecided,
  onError,
}: {
  runId: string;
  approval: Approval;
  onDecided: () => void | Promise<void>;
  onError: (message: string | null) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'approve' | 'deny' | null>(null);
  const headingId = useId();
  const reasonId = useId();
  const evidence = approval.evidence ?? {};
  const description = typeof evidence.description === 'string' ? evidence.description : null;
  const stage = typeof evidence.stage === 'string' ? evidence.stage : null;

  const decide = async (kind: 'approve' | 'deny') => {
    setBusy(kind);
    onError(null);
    try {
      if (kind === 'approve') await trpc.mk.runs.approve.mutate({ id: runId, approvalId: approval.id });
      else await trpc.mk.runs.deny.mutate({ id: runId, approvalId: approval.id, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      await onDecided();
    } catch (e) {
      onError(`Could not ${kind} “${approval.actionSummary}”: ${errorMessage(e)}`);
      // The approval may have been decided elsewhere (another tab, the API): show the run as it is now.
      void onDecided();
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card approval" aria-labelledby={headingId} data-testid="pending-approval">
      <h2 id={headingId}>Approval needed</h2>
      <p className="approval-summary">{approval.actionSummary}</p>
      {description && description !== approval.actionSummary && <p className="muted">{description}</p>}
      <dl className="facts">
        <dt>Why it asks</dt>
        <dd>{approval.reason}</dd>
        <dt>Risk</dt>
        <dd>{approval.riskDescription ?? '—'}</dd>
        <dt>Undo plan</dt>
        <dd>{approval.undoPlan ?? 'None given'}</dd>
        {approval.costEstimate && (
          <>
            <dt>Cost estimate</dt>
            <dd>{approval.costEstimate} credits</dd>
          </>
        )}
        {stage && (
          <>
            <dt>Stage</dt>
            <dd>{stage}</dd>
          </>
        )}
        {/* What an API client passes as approvalId to POST /runs/{id}/approve or /deny. */}
        <dt>Approval id</dt>
        <dd>
          <code data-testid="approval-id">{approval.id}</code>
        </dd>
        <dt>Expires</dt>
        <dd>
          <time dateTime={approval.expiresAt ?? undefined}>{formatTime(approval.expiresAt)}</time>
          <span className="muted"> — the run is cancelled if nobody decides by then</span>
        </dd>
      </dl>
      <label className="field" htmlFor={reasonId}>
        <span>Reason for denying (optional)</span>
        <input id={reasonId} name="denyReason" value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="actions">
        <button type="button" onClick={() => void decide('approve')} disabled={busy !== null} aria-label={`Approve: ${approval.actionSummary}`}>
          {busy === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" className="danger" onClick={() => void decide('deny')} disabled={busy !== null} aria-label={`Deny: ${approval.actionSummary}`}>
          {busy === 'deny' ? 'Denying…' : 'Deny'}
        </button>
      </div>
    </section>
  );
}
