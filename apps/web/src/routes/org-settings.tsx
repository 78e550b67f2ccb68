import { useState } from 'react';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, type RouterOutputs } from '../lib/trpc.ts';
import { useActiveOrg } from '../lib/session.ts';
import { formErrors } from '../lib/org-errors.ts';
import { AUTONOMY_LEVELS, AUTONOMY_ORDER, type AutonomyLevel } from '../lib/org-levels.ts';
import { useReenterOrgs } from '../lib/org-session.ts';
import { Badge, Button, Card, Dialog, Field, Form, FormError, Page, QueryState, useToast } from '../components/ui.ts';
import { PolicyRulesCard } from '../components/org-policy-rules.tsx';
import { RoleNotice } from '../components/org-role-notice.tsx';
import '../components/org-styles.css';

type Org = RouterOutputs['mk']['orgs']['get']['data'];

/** The active org's settings: name, autonomy level, policy rules, and deleting it. */
export function OrgSettingsPage() {
  const { orgId, role, isAdmin } = useActiveOrg();
  const trpc = useTRPC();
  const org = useQuery(trpc.mk.orgs.get.queryOptions(orgId ? { id: orgId } : skipToken));
  return (
    <Page title="Organization settings" description="How this organization works with its agents.">
      {!isAdmin && role && <RoleNotice role={role}>only admins and owners can change these settings.</RoleNotice>}
      <QueryState query={org}>
        {({ data }) => (
          <>
            <GeneralCard org={data} canEdit={isAdmin} />
            <AutonomyCard org={data} canEdit={isAdmin} />
            <PolicyRulesCard canEdit={isAdmin} />
            {role === 'owner' && <DangerZone org={data} />}
          </>
        )}
      </QueryState>
    </Page>
  );
}

/** After a change the org's name also shows in the org switcher, which reads the session. */
function useOrgUpdate(onSuccess: (org: Org) => void) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return useMutation(
    trpc.mk.orgs.update.mutationOptions({
      onSuccess: async ({ data }) => {
        qc.setQueryData(trpc.mk.orgs.get.queryKey({ id: data.id }), { data });
        onSuccess(data);
        await qc.invalidateQueries({ queryKey: trpc.session.me.queryKey() });
      },
    }),
  );
}

function GeneralCard({ org, canEdit }: { org: Org; canEdit: boolean }) {
  const toast = useToast();
  const [name, setName] = useState(org.name);
  const update = useOrgUpdate((o) => {
    setName(o.name);
    toast('Name saved', 'success');
  });
  const errors = formErrors(update.error, ['name'] as const);
  return (
    <Card title="General">
      <Form busy={update.isPending} onSubmit={() => update.mutate({ id: org.id, name })} className="org-form">
        <Field label="Organization name" name="orgName" value={name} onChange={setName} error={errors.fields.name} required maxLength={255} disabled={!canEdit} autoComplete="organization" />
        <FormError error={errors.form} />
        {canEdit && (
          <Button type="submit" busy={update.isPending} disabled={name === org.name}>
            {update.isPending ? 'Saving…' : 'Save name'}
          </Button>
        )}
      </Form>
      <dl className="facts org-facts">
        <dt>Slug</dt>
        <dd>
          <code>{org.slug}</code>
        </dd>
        <dt>Plan</dt>
        <dd>{org.subscriptionTier}</dd>
        <dt>Seats</dt>
        <dd>{org.maxSeats}</dd>
      </dl>
    </Card>
  );
}

function AutonomyCard({ org, canEdit }: { org: Org; canEdit: boolean }) {
  const toast = useToast();
  const [level, setLevel] = useState<AutonomyLevel>(org.autonomyLevel);
  const update = useOrgUpdate((o) => {
    setLevel(o.autonomyLevel);
    toast(`Autonomy level set to ${AUTONOMY_LEVELS[o.autonomyLevel].title}`, 'success');
  });
  const errors = formErrors(update.error, ['autonomyLevel'] as const);
  return (
    <Card title="Autonomy level" actions={<Badge tone="active" testId="autonomy-current">{`Now: ${AUTONOMY_LEVELS[org.autonomyLevel].title}`}</Badge>}>
      <p className="muted">
        How much the agent may do on its own during a run. Whatever the level, reading the project never needs a person; an action that needs one waits in the run until
        someone with the member role or higher approves or denies it. Policy rules below override the level for the tools or risks they name.
      </p>
      <Form busy={update.isPending} onSubmit={() => update.mutate({ id: org.id, autonomyLevel: level })}>
        <fieldset className="autonomy-levels" disabled={!canEdit} aria-describedby={errors.fields.autonomyLevel ? 'autonomy-error' : undefined}>
          <legend className="visually-hidden">Autonomy level</legend>
          {AUTONOMY_ORDER.map((l) => {
            const info = AUTONOMY_LEVELS[l];
            return (
              <label key={l} className={`autonomy-option${level === l ? ' is-selected' : ''}`} data-level={l}>
                <input type="radio" name="autonomyLevel" value={l} checked={level === l} onChange={() => setLevel(l)} />
                <span className="autonomy-text">
                  <span className="autonomy-title">
                    {info.title}
                    {org.autonomyLevel === l && <span className="muted"> (current)</span>}
                  </span>
                  <span className="autonomy-summary">{info.summary}</span>
                  <span className="autonomy-detail">
                    <strong>Does alone:</strong> {info.alone}
                  </span>
                  <span className="autonomy-detail">
                    <strong>Asks a person first:</strong> {info.asks}
                  </span>
                  {info.note && <span className="autonomy-detail muted">{info.note}</span>}
                </span>
              </label>
            );
          })}
        </fieldset>
        {errors.fields.autonomyLevel && (
          <p id="autonomy-error" className="field-error">
            {errors.fields.autonomyLevel}
          </p>
        )}
        <FormError error={errors.form} />
        {canEdit && (
          <Button type="submit" busy={update.isPending} disabled={level === org.autonomyLevel}>
            {update.isPending ? 'Saving…' : 'Save autonomy level'}
          </Button>
        )}
      </Form>
    </Card>
  );
}

/** Owners only: deleting takes every project, run, key and membership of the org with it. */
function DangerZone({ org }: { org: Org }) {
  const trpc = useTRPC();
  const toast = useToast();
  const reenter = useReenterOrgs();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const del = useMutation(
    trpc.mk.orgs.delete.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        toast(`${org.name} was deleted`, 'success');
        await reenter();
      },
    }),
  );
  const close = () => {
    if (del.isPending) return;
    setOpen(false);
    setTyped('');
    del.reset();
  };
  return (
    <Card title="Danger zone" className="danger-zone">
      <p>Deleting {org.name} removes its projects, runs, handoffs, API keys, policy rules and memberships for everyone. It cannot be undone.</p>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete organization…
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={`Delete ${org.name}?`}
        footer={
          <>
            <Button variant="secondary" onClick={close} disabled={del.isPending}>
              Cancel
            </Button>
            <Button variant="danger" busy={del.isPending} disabled={typed.trim() !== org.name.trim()} onClick={() => del.mutate({ id: org.id })}>
              {del.isPending ? 'Deleting…' : 'Delete for good'}
            </Button>
          </>
        }
      >
        <p>Everything in this organization is deleted for every member. To confirm, type its name.</p>
        <Field label={`Type “${org.name}” to confirm`} name="confirmOrgName" value={typed} onChange={setTyped} autoComplete="off" />
        <FormError error={del.error && formErrors(del.error, []).form} />
      </Dialog>
    </Card>
  );
}
