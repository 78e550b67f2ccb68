import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTRPC } from '../lib/trpc.ts';
import { useActiveOrg } from '../lib/session.ts';
import { formErrors } from '../lib/org-errors.ts';
import { ROLES, ROLE_ORDER, type Role } from '../lib/org-levels.ts';
import { Button, Card, Field, Form, FormError, SelectField, useToast } from './ui.ts';

/** Invite by email (admins). The link goes out by mail only: not even the inviter sees it. */
export function InviteForm({ orgId, orgName }: { orgId: string; orgName: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const { me, role: myRole } = useActiveOrg();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const invite = useMutation(
    trpc.mk.members.invite.mutationOptions({
      onSuccess: async ({ data }) => {
        setEmail('');
        toast(`Invitation sent to ${data.email}`, 'success');
        await qc.invalidateQueries({ queryKey: trpc.mk.members.listInvitations.queryKey({ id: orgId }) });
      },
    }),
  );
  // "Already a member" names no field, but it is about the address; "only an owner…" about the role.
  const errors = formErrors(invite.error, ['email', 'role'] as const, { CONFLICT: 'email', FORBIDDEN: 'role' });
  const roles = ROLE_ORDER.filter((r) => r !== 'owner' || myRole === 'owner');
  return (
    <Card title="Invite someone">
      <p className="muted">
        We mail them a link to join {orgName}. It works once and expires after 7 days; inviting the same address again replaces the old link.
        {me.user.isInstanceAdmin && (
          <>
            {' '}
            Without a mail server, the mail waits in the <Link to="/admin/outbox">outbox</Link>.
          </>
        )}
      </p>
      <Form busy={invite.isPending} className="org-grid invite-form" onSubmit={() => invite.mutate({ id: orgId, email: email.trim(), role })}>
        <Field label="Email" name="inviteEmail" type="email" value={email} onChange={setEmail} error={errors.fields.email} required autoComplete="off" maxLength={255} />
        <SelectField label="Role" name="inviteRole" value={role} onChange={(v) => setRole(v as Role)} error={errors.fields.role} hint={ROLES[role]}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </SelectField>
        <div className="invite-submit">
          <FormError error={errors.form} />
          <Button type="submit" busy={invite.isPending}>
            {invite.isPending ? 'Sending…' : 'Send invitation'}
          </Button>
        </div>
      </Form>
    </Card>
  );
}
