import { useId, useState } from 'react';
import type { Approval } from '../lib/runs.ts';
import { Button } from './button.tsx';
import { Field } from './field.tsx';
import { RelativeTime } from './relative-time.tsx';

export type Decision = { kind: 'approve' } | { kind: 'deny'; reason?: string };

/**
 * A pending approval, with everything a person needs to decide, and the decision buttons. The
 * decision itself is the page's mutation: it hides this card at once (optimistic) and reports a
 * refusal on the page, since by then this card may be gone.
 */
export function ApprovalCard({ approval, onDecide, busy }: { approval: Approval; onDecide: (d: Decision) => void; busy: Decision['kind'] | null }) {
  const [reason, setReason] = useState('');
  const headingId = useId();
  const evidence = approval.evidence ?? {};
  const description = typeof evidence.description === 'string' ? evidence.description : null;
  const stage = typeof evidence.stage === 'string' ? evidence.stage : null;

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
          <RelativeTime iso={approval.expiresAt} />
          <span className="muted"> — the run is cancelled if nobody decides by then</span>
        </dd>
      </dl>
      <Field label="Reason for denying (optional)" name="denyReason" value={reason} maxLength={1000} onChange={setReason} />
      <div className="actions">
        <Button onClick={() => onDecide({ kind: 'approve' })} disabled={busy !== null} aria-label={`Approve: ${approval.actionSummary}`}>
          {busy === 'approve' ? 'Approving…' : 'Approve'}
        </Button>
        <Button variant="danger" onClick={() => onDecide({ kind: 'deny', ...(reason.trim() ? { reason: reason.trim() } : {}) })} disabled={busy !== null} aria-label={`Deny: ${approval.actionSummary}`}>
          {busy === 'deny' ? 'Denying…' : 'Deny'}
        </Button>
      </div>
    </section>
  );
}
