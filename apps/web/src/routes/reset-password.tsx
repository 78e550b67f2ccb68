import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { Button, Field, Form, FormError, Page } from '../components/ui.ts';

const route = getRouteApi('/_public/reset-password');

export function ResetPasswordPage() {
  const { token } = route.useSearch();
  const trpc = useTRPC();
  const [password, setPassword] = useState('');
  const reset = useMutation(trpc.mk.auth.resetPassword.mutationOptions());
  return (
    <Page title="Choose a new password">
      <section className="card" aria-label="New password">
        {reset.isSuccess ? (
          <p role="status">
            Your password has been reset. <Link to="/login">Sign in</Link>
          </p>
        ) : (
          <Form busy={reset.isPending} onSubmit={() => reset.mutate({ token, password })}>
            <Field label="New password" name="password" type="password" value={password} onChange={setPassword} required minLength={8} autoComplete="new-password" />
            <FormError error={reset.error && errorMessage(reset.error)} />
            <Button type="submit" busy={reset.isPending}>
              Set password
            </Button>
          </Form>
        )}
      </section>
    </Page>
  );
}
