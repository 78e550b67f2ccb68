import { useState } from 'react';
import { trpc, setActiveOrgId } from '../lib/trpc.ts';
import { navigate } from '../lib/router.ts';
import { useAction } from '../lib/use-action.ts';
import { Card, ErrorText, Field, Form, Link } from '../components/ui.tsx';

export function LoginPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  return (
    <Card title="Sign in to Baton">
      <Form
        busy={busy}
        onSubmit={() =>
          run(async () => {
            await trpc.mk.auth.login.mutate({ email, password });
            // Wait until the app knows who is signed in; otherwise its redirect sends us back to /login.
            await onSignedIn();
            navigate('/');
          })
        }
      >
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} required autoComplete="email" />
        <Field label="Password" name="password" type="password" value={password} onChange={setPassword} required autoComplete="current-password" />
        <ErrorText error={error} />
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </Form>
      <p>
        New here? <Link to="/register">Create an account</Link> · <Link to="/forgot-password">Forgot password?</Link>
      </p>
    </Card>
  );
}

export function RegisterPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [orgName, setOrgName] = useState('');
  const { busy, error, run } = useAction();
  return (
    <Card title="Create your Baton account">
      <Form
        busy={busy}
        onSubmit={() =>
          run(async () => {
            const { data } = await trpc.mk.auth.register.mutate({ name, email, password, ...(orgName ? { orgName } : {}) });
            await trpc.mk.auth.login.mutate({ email, password });
            setActiveOrgId(data.organization.id);
            // Wait until the app knows who is signed in; otherwise its redirect sends us back to /login.
            await onSignedIn();
            navigate('/');
          })
        }
      >
        <Field label="Name" name="name" value={name} onChange={setName} required autoComplete="name" />
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} required autoComplete="email" />
        <Field label="Password (8 characters or more)" name="password" type="password" value={password} onChange={setPassword} required minLength={8} autoComplete="new-password" />
        <Field label="Organization name (optional)" name="orgName" value={orgName} onChange={setOrgName} />
        <ErrorText error={error} />
        <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create account'}</button>
      </Form>
      <p>
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </Card>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const { error, run } = useAction();
  return (
    <Card title="Reset your password">
      <Form
        onSubmit={() =>
          run(async () => {
            const { data } = await trpc.mk.auth.forgotPassword.mutate({ email });
            setMessage(`${data.message} Without a mail server, an instance admin finds it in the outbox.`);
          })
        }
      >
        <Field label="Email" name="email" type="email" value={email} onChange={setEmail} required />
        <ErrorText error={error} />
        {message && <p role="status">{message}</p>}
        <button type="submit">Send reset link</button>
      </Form>
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </Card>
  );
}

export function ResetPasswordPage({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const { error, run } = useAction();
  const [done, setDone] = useState(false);
  return (
    <Card title="Choose a new password">
      {done ? (
        <p role="status">
          Your password has been reset. <Link to="/login">Sign in</Link>
        </p>
      ) : (
        <Form
          onSubmit={() =>
            run(async () => {
              await trpc.mk.auth.resetPassword.mutate({ token, password });
              setDone(true);
            })
          }
        >
          <Field label="New password" name="password" type="password" value={password} onChange={setPassword} required minLength={8} autoComplete="new-password" />
          <ErrorText error={error} />
          <button type="submit">Set password</button>
        </Form>
      )}
    </Card>
  );
}
