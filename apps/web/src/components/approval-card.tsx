import { useId, useState } from 'react';
import type { Approval } from '../lib/runs.ts';
import { Button } from './button.tsx';
import { Dialog } from './dialog.tsx';
import { TextAreaField } from './field.tsx';
import { RelativeTime } from './relative-time.tsx';

export type Decision = { kind: 'approve' } | { kind: 'deny'; reason: string };

/**
 * A pending approval, with everything a person needs to decide, and the decision buttons. The
 * decision itself is the page's mutation: it hides this card at once (optimistic) and reports a
 * refusal on the page, since by then this card may be gone.
 */
export function ApprovalCard({ approval, onDecide, busy }: { approval: Approval; onDecide: (d: Decision) => void; busy: Decision['kind'] | null }) {
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState('');
  const headingId = useId();
  const formId = useId();
  const deny = () => {
    // Closed first: the decision removes this card (optimistically) along with its dialog.
    setDenying(false);
    onDecide({ kind: 'deny', reason: reason.trim() });
  };
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
      <div className="actions">
        <Button onClick={() => onDecide({ kind: 'approve' })} disabled={busy !== null} aria-label={`Approve: ${approval.actionSummary}`}>
          {busy === 'approve' ? 'Approving…' : 'Approve'}
        </Button>
        <Button variant="danger" onClick={() => setDenying(true)} disabled={busy !== null} aria-label={`Deny: ${approval.actionSummary}`}>
          {busy === 'deny' ? 'Denying…' : 'Deny…'}
        </Button>
      </div>
      {/* Denying ends the run, and the reason is what the team reads on it afterwards: ask for one. */}
      <Dialog
        open={denying}
        onClose={() => setDenying(false)}
        title="Deny this action?"
        footer={
          <>
            <Button variant="secondary" onClick={() => setDenying(false)}>
              Keep waiting
            </Button>
            <Button variant="danger" type="submit" form={formId} disabled={!reason.trim()}>
              Deny and cancel run
            </Button>
          </>
        }
      >
        <p className="dialog-summary">{approval.actionSummary}</p>
        <p className="muted">The run is cancelled; the reason is kept on the run for everyone to read.</p>
        <form
          id={formId}
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) deny();
          }}
        >
          <TextAreaField label="Reason for denying" name="denyReason" rows={3} required maxLength={1000} value={reason} onChange={setReason} />
        </form>
      </Dialog>
    </section>
  );
}
