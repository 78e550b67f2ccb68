import { useState } from 'react';
import { useMutation, useQuery, useQueryClient, skipToken } from '@tanstack/react-query';
import { getRouteApi, Link, useRouter } from '@tanstack/react-router';
import { isUnauthorized, useTRPC, useTRPCClient, type RouterOutputs } from '../lib/trpc.ts';
import { setActiveOrgId } from '../lib/org.ts';
import { isUnder } from '../lib/mutations.ts';
import { actionError, formErrors } from '../lib/org-errors.ts';
import { useReenterOrgs } from '../lib/org-session.ts';
import { Badge, Button, Card, ErrorState, Field, Form, FormError, LoadingState, Page, RelativeTime } from '../components/ui.ts';
import '../components/org-styles.css';

const route = getRouteApi('/_public/invitations/$token');

type Preview = RouterOutputs['mk']['members']['getInvitation']['data'];
type Me = RouterOutputs['session']['me'];

/** What the server issues: `<nonce>.<signature>`, base64url. Anything else is a mangled link, refused without asking. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** An invitation link from a mail: reachable signed out, since the invitee may have no account yet. */
export function InvitationPage() {
  // The token is the credential: used in requests, never shown.
  const { token } = route.useParams();
  const trpc = useTRPC();
  const wellFormed = TOKEN_SHAPE.test(token) && token.length <= 200;
  const preview = useQuery(trpc.mk.members.getInvitation.queryOptions(wellFormed ? { token } : skipToken, { retry: false }));
  const me = useQuery({ ...trpc.session.me.queryOptions(), retry: false });
  const p = preview.data?.data;

  let body;
  if (!wellFormed) body = <Unusable message="This invitation link is incomplete or mistyped. Open it again from the mail, or ask for a new invitation." />;
  else if (preview.error) body = <Unusable message={actionError(preview.error) ?? ''} />;
  else if (!p || (me.isPending && !me.error)) body = <LoadingState />;
  else body = <Offer token={token} preview={p} me={me.data ?? null} meError={me.error && !isUnauthorized(me.error) ? me.error : null} />;

  return (
    <Page title="Invitation" heading={p ? `Join ${p.organization.name}` : 'Invitation'} description={p ? undefined : 'An invitation to join an organization on Baton.'}>
      {body}
    </Page>
  );
}

function Unusable({ message }: { message: string }) {
  return (
    <section className="card invitation-unusable" aria-labelledby="invitation-unusable-title" data-testid="invitation-error">
      <h2 id="invitation-unusable-title">This invitation can’t be used</h2>
      <p className="error" role="alert">
        {message}
      </p>
      <p>
        Ask whoever invited you to send a new invitation. <Link to="/">Go to Baton</Link>
      </p>
    </section>
  );
}

function Offer({ token, preview: p, me, meError }: { token: string; preview: Preview; me: Me | null; meError: unknown }) {
  const article = p.role === 'admin' || p.role === 'owner' ? 'an' : 'a';
  return (
    <>
      <section className="card invitation" aria-labelledby="invitation-what" data-testid="invitation">
        <h2 id="invitation-what">
          {p.invitedBy ? `${p.invitedBy.name} invited you` : 'You are invited'} to {p.organization.name}
        </h2>
        <dl className="facts">
          <dt>Organization</dt>
          <dd data-testid="invitation-org">{p.organization.name}</dd>
          <dt>Invited by</dt>
          <dd data-testid="invitation-inviter">{p.invitedBy ? `${p.invitedBy.name} (${p.invitedBy.email})` : <span className="muted">a former member</span>}</dd>
          <dt>For</dt>
          <dd className="member-email">{p.email}</dd>
          <dt>Role</dt>
          <dd>
            <Badge tone="active">{p.role}</Badge>
          </dd>
          <dt>Expires</dt>
          <dd>
            <RelativeTime iso={p.expiresAt} />
          </dd>
        </dl>
        <p className="muted">
          You would join as {article} {p.role}. The link works once.
        </p>
      </section>
      {meError ? <ErrorState error={meError} /> : me ? <SignedIn token={token} preview={p} me={me} /> : <SignedOut token={token} preview={p} />}
    </>
  );
}

function SignedIn({ token, preview: p, me }: { token: string; preview: Preview; me: Me }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const reenter = useReenterOrgs();
  const accept = useMutation(trpc.mk.members.acceptInvitation.mutationOptions({ onSuccess: ({ data }) => reenter(data.organization.id) }));
  const logout = useMutation(
    trpc.mk.auth.logout.mutationOptions({
      onSettled: async () => {
        setActiveOrgId(null);
        const session = trpc.session.pathKey();
        qc.removeQueries({ predicate: (q) => !isUnder(session, q.queryKey) });
        await qc.resetQueries({ queryKey: trpc.session.me.queryKey() });
      },
    }),
  );

  if (me.organizations.some((o) => o.id === p.organization.id)) {
    return (
      <Card title="You are already a member">
        <p>
          {me.user.name}, you already belong to {p.organization.name}.
        </p>
        <Button className="btn-wrap" onClick={() => void reenter(p.organization.id)}>Open {p.organization.name}</Button>
      </Card>
    );
  }
  if (me.user.email.toLowerCase() !== p.email.toLowerCase()) {
    return (
      <Card title="Signed in as someone else">
        <p className="notice">
          This invitation is for <strong>{p.email}</strong>, and you are signed in as <strong>{me.user.email}</strong>. Sign out, then sign in as {p.email} or create
          that account.
        </p>
        <Button variant="secondary" busy={logout.isPending} onClick={() => logout.mutate()}>
          Sign out
        </Button>
      </Card>
    );
  }
  return (
    <Card title="Accept">
      <p>
        Signed in as {me.user.name} ({me.user.email}).
      </p>
      <FormError error={actionError(accept.error)} />
      <Button className="btn-wrap" busy={accept.isPending} onClick={() => accept.mutate({ token })}>
        {accept.isPending ? 'Joining…' : `Join ${p.organization.name}`}
      </Button>
    </Card>
  );
}

function SignedOut({ token, preview: p }: { token: string; preview: Preview }) {
  const here = `/invitations/${token}`;
  if (p.accountExists) {
    return (
      <Card title="Sign in to accept">
        <p>
          There is a Baton account for {p.email}. Sign in as it and you come back here to join {p.organization.name}.
        </p>
        <Link to="/login" search={{ redirect: here }} className="btn btn-primary btn-wrap">
          Sign in to accept
        </Link>
      </Card>
    );
  }
  return <CreateAccount token={token} preview={p} />;
}

function CreateAccount({ token, preview: p }: { token: string; preview: Preview }) {
  const client = useTRPCClient();
  const qc = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  // Accepting creates the account; signing in is a second call, one action for the user.
  const create = useMutation({
    mutationFn: async () => {
      const { data } = await client.mk.members.acceptInvitation.mutate({ token, name, password });
      await client.mk.auth.login.mutate({ email: p.email, password });
      return data;
    },
    onSuccess: async (data) => {
      qc.clear();
      setActiveOrgId(data.organization.id);
      await router.navigate({ to: '/' });
    },
  });
  const errors = formErrors(create.error, ['name', 'password'] as const);
  return (
    <Card title="Create your account to accept">
      <p>There is no Baton account for {p.email} yet. Choose a name and a password; the account is created and joins right away.</p>
      <Form busy={create.isPending} onSubmit={() => create.mutate()}>
        <Field label="Email" name="email" type="email" value={p.email} onChange={() => undefined} readOnly autoComplete="username" hint="The invited address; it cannot be changed." />
        <Field label="Your name" name="name" value={name} onChange={setName} error={errors.fields.name} required maxLength={255} autoComplete="name" />
        <Field
          label="Password (8 characters or more)"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          error={errors.fields.password}
          required
          minLength={8}
          maxLength={128}
          autoComplete="new-password"
        />
        <FormError error={errors.form} />
        <Button type="submit" className="btn-wrap" busy={create.isPending}>
          {create.isPending ? 'Creating…' : `Create account and join ${p.organization.name}`}
        </Button>
      </Form>
    </Card>
  );
}
