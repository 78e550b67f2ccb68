import { useState } from 'react';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTRPC, type RouterOutputs } from '../lib/trpc.ts';
import { useActiveOrg } from '../lib/session.ts';
import { optimistic } from '../lib/mutations.ts';
import { actionError } from '../lib/org-errors.ts';
import { ROLE_ORDER, type Role } from '../lib/org-levels.ts';
import { useReenterOrgs } from '../lib/org-session.ts';
import { Badge, Button, Card, Dialog, EmptyState, FormError, Page, QueryState, RelativeTime, SelectField, Table, useToast } from '../components/ui.ts';
import { RoleNotice } from '../components/org-role-notice.tsx';
import { InviteForm } from '../components/member-invite-form.tsx';
import '../components/org-styles.css';

type Member = RouterOutputs['mk']['members']['list']['data']['members'][number];
type MemberList = RouterOutputs['mk']['members']['list'];
type Invitation = RouterOutputs['mk']['members']['listInvitations']['data']['invitations'][number];
type InvitationList = RouterOutputs['mk']['members']['listInvitations'];

const roleTone = (r: Role) => (r === 'owner' ? 'active' : r === 'admin' ? 'ok' : 'muted');

/** Who belongs to the active org and with which role; invitations; leaving. */
export function MembersPage() {
  const { orgId, org, role, isAdmin } = useActiveOrg();
  const name = org?.name ?? 'this organization';
  return (
    <Page title="Members" description={`The people in ${name} and their roles.`}>
      {!isAdmin && role && <RoleNotice role={role}>only admins and owners can invite people, change roles or remove members.</RoleNotice>}
      {orgId && (
        <>
          <PeopleCard orgId={orgId} />
          {isAdmin && <InviteForm orgId={orgId} orgName={name} />}
          {isAdmin && <InvitationsCard orgId={orgId} />}
          <LeaveCard orgId={orgId} orgName={name} />
        </>
      )}
    </Page>
  );
}

function PeopleCard({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const toast = useToast();
  const { me, role: myRole, isAdmin } = useActiveOrg();
  const members = useQuery(trpc.mk.members.list.queryOptions({ id: orgId }));
  // Per member: why the server refused the last change. Kept here so a refetch does not lose it.
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [removing, setRemoving] = useState<Member | null>(null);

  const updateRole = useMutation(
    trpc.mk.members.updateRole.mutationOptions(
      optimistic(
        trpc.mk.members.list.queryKey({ id: orgId }),
        (old: MemberList, v: { userId: string; role: Role }) => ({ ...old, data: { members: old.data.members.map((m) => (m.userId === v.userId ? { ...m, role: v.role } : m)) } }),
        {
          onSuccess: async ({ data }) => {
            toast(`${data.name} is now ${data.role === 'admin' || data.role === 'owner' ? 'an' : 'a'} ${data.role}`, 'success');
            // One's own role decides what the shell and every page offer.
            if (data.userId === me.user.id) await qc.invalidateQueries({ queryKey: trpc.session.me.queryKey() });
          },
          onError: (e, v) => setRowErrors((m) => ({ ...m, [v.userId]: actionError(e) ?? '' })),
          // The select shows the role the server kept, next to why.
          refetchAfterError: false,
        },
      ),
    ),
  );

  const remove = useMutation(
    trpc.mk.members.remove.mutationOptions({
      onSuccess: async (_d, v) => {
        const gone = members.data?.data.members.find((m) => m.userId === v.userId);
        setRemoving(null);
        toast(`${gone?.name ?? 'The member'} was removed`, 'success');
        await qc.invalidateQueries({ queryKey: trpc.mk.members.list.queryKey({ id: orgId }) });
      },
    }),
  );
  const closeRemove = () => {
    if (remove.isPending) return;
    setRemoving(null);
    remove.reset();
  };

  return (
    <Card title="People">
      <QueryState query={members}>
        {({ data }) => (
          <Table label="Members" data-testid="members">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {isAdmin && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.members.map((m) => {
                const self = m.userId === me.user.id;
                return (
                  <tr key={m.userId} data-member={m.email}>
                    <td data-label="Name" className="member-name">
                      {m.name}
                      {self && <span className="muted"> (you)</span>}
                    </td>
                    <td data-label="Email" className="member-email">
                      {m.email}
                    </td>
                    <td data-label="Role" className="member-role">
                      {isAdmin ? (
                        <SelectField
                          label={<span className="visually-hidden">Role of {m.name}</span>}
                          name={`role-${m.userId}`}
                          value={m.role}
                          disabled={updateRole.isPending && updateRole.variables.userId === m.userId}
                          onChange={(r) => {
                            setRowErrors(({ [m.userId]: _gone, ...rest }) => rest);
                            updateRole.mutate({ id: orgId, userId: m.userId, role: r as Role });
                          }}
                        >
                          {/* Only an owner may make an owner; the server would refuse, so an admin is not offered it. */}
                          {ROLE_ORDER.filter((r) => r !== 'owner' || myRole === 'owner' || m.role === 'owner').map((r) => (
                            <option key={r} value={r}>
                              {r}
                            </option>
                          ))}
                        </SelectField>
                      ) : (
                        <Badge tone={roleTone(m.role)} testId="member-role">
                          {m.role}
                        </Badge>
                      )}
                      {m.temporaryAdminUntil && (
                        <span className="member-note">
                          admin until <RelativeTime iso={m.temporaryAdminUntil} />
                        </span>
                      )}
                      <FormError error={rowErrors[m.userId]} />
                    </td>
                    <td data-label="Joined">
                      <RelativeTime iso={m.joinedAt} />
                    </td>
                    {isAdmin && (
                      <td className="row-actions">
                        {!self && (
                          <Button variant="danger" aria-label={`Remove ${m.name}`} onClick={() => setRemoving(m)}>
                            Remove
                          </Button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </QueryState>
      <Dialog
        open={removing !== null}
        onClose={closeRemove}
        title={removing ? `Remove ${removing.name}?` : 'Remove member?'}
        footer={
          <>
            <Button variant="secondary" onClick={closeRemove} disabled={remove.isPending}>
              Cancel
            </Button>
            <Button variant="danger" busy={remove.isPending} onClick={() => removing && remove.mutate({ id: orgId, userId: removing.userId })}>
              {remove.isPending ? 'Removing…' : 'Remove'}
            </Button>
          </>
        }
      >
        {removing && (
          <p>
            {removing.name} ({removing.email}) loses access to this organization at once, and their API keys for it stop working. They can come back only with a new
            invitation.
          </p>
        )}
        <FormError error={actionError(remove.error)} />
      </Dialog>
    </Card>
  );
}

function InvitationsCard({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invitations = useQuery(trpc.mk.members.listInvitations.queryOptions({ id: orgId }));
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const revoke = useMutation(
    trpc.mk.members.revokeInvitation.mutationOptions(
      optimistic(
        trpc.mk.members.listInvitations.queryKey({ id: orgId }),
        (old: InvitationList, v: { invitationId: string }) => ({ ...old, data: { invitations: old.data.invitations.filter((i) => i.id !== v.invitationId) } }),
        {
          onSuccess: () => toast('Invitation revoked: its link no longer works', 'success'),
          onError: (e, v) => setRowErrors((m) => ({ ...m, [v.invitationId]: actionError(e) ?? '' })),
          refetchAfterError: false,
        },
      ),
    ),
  );
  return (
    <Card title="Pending invitations">
      <QueryState query={invitations}>
        {({ data }) =>
          data.invitations.length === 0 ? (
            <EmptyState title="No pending invitations." />
          ) : (
            <Table label="Pending invitations" data-testid="invitations">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Invited by</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.invitations.map((i: Invitation) => (
                  <tr key={i.id} data-invitation={i.email}>
                    <td data-label="Email" className="member-email">
                      {i.email}
                    </td>
                    <td data-label="Role">
                      <Badge tone={roleTone(i.role)}>{i.role}</Badge>
                    </td>
                    <td data-label="Invited by">{i.invitedBy?.name ?? <span className="muted">a former member</span>}</td>
                    <td data-label="Expires">
                      <RelativeTime iso={i.expiresAt} />
                    </td>
                    <td className="row-actions">
                      <Button
                        variant="danger"
                        aria-label={`Revoke the invitation for ${i.email}`}
                        busy={revoke.isPending && revoke.variables.invitationId === i.id}
                        onClick={() => {
                          setRowErrors(({ [i.id]: _gone, ...rest }) => rest);
                          revoke.mutate({ id: orgId, invitationId: i.id });
                        }}
                      >
                        Revoke
                      </Button>
                      <FormError error={rowErrors[i.id]} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )
        }
      </QueryState>
    </Card>
  );
}

function LeaveCard({ orgId, orgName }: { orgId: string; orgName: string }) {
  const trpc = useTRPC();
  const toast = useToast();
  const reenter = useReenterOrgs();
  const [open, setOpen] = useState(false);
  const leave = useMutation(
    trpc.mk.members.leave.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        toast(`You left ${orgName}`, 'success');
        await reenter();
      },
    }),
  );
  const close = () => {
    if (leave.isPending) return;
    setOpen(false);
    leave.reset();
  };
  return (
    <Card title="Leave this organization" className="danger-zone">
      <p>You lose access to {orgName} and your API keys for it stop working. To come back you need a new invitation.</p>
      <Button variant="danger" className="btn-wrap" onClick={() => setOpen(true)}>
        Leave {orgName}…
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={`Leave ${orgName}?`}
        footer={
          <>
            <Button variant="secondary" onClick={close} disabled={leave.isPending}>
              Stay
            </Button>
            <Button variant="danger" busy={leave.isPending} onClick={() => leave.mutate({ id: orgId })}>
              {leave.isPending ? 'Leaving…' : 'Leave'}
            </Button>
          </>
        }
      >
        <p>
          You will no longer see {orgName}’s projects, runs or handoffs. An organization always keeps at least one owner: if you are its only one, make someone else an
          owner first, or <Link to="/settings">delete the organization</Link>.
        </p>
        <FormError error={actionError(leave.error)} />
      </Dialog>
    </Card>
  );
}
