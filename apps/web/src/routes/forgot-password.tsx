import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { Button, Field, Form, FormError, Page } from '../components/ui.ts';

export function ForgotPasswordPage() {
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const forgot = useMutation(trpc.mk.auth.forgotPassword.mutationOptions());
  return (
    <Page title="Reset your password">
      <section className="card" aria-label="Reset your password">
        <Form busy={forgot.isPending} onSubmit={() => forgot.mutate({ email })}>
          <Field label="Email" name="email" type="email" value={email} onChange={setEmail} required autoComplete="email" />
          <FormError error={forgot.error && errorMessage(forgot.error)} />
          {forgot.data && <p role="status">{forgot.data.data.message} Without a mail server, an instance admin finds it in the outbox.</p>}
          <Button type="submit" busy={forgot.isPending}>
            Send reset link
          </Button>
        </Form>
        <p>
          <Link to="/login">Back to sign in</Link>
        </p>
      </section>
    </Page>
  );
}
