import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useRouter } from '@tanstack/react-router';
import { useTRPC, errorMessage } from '../lib/trpc.ts';
import { Button, Field, Form, FormError, Page } from '../components/ui.ts';

const route = getRouteApi('/_public/login');

export function LoginPage() {
  const { redirect } = route.useSearch();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation(
    trpc.mk.auth.login.mutationOptions({
      onSuccess: async () => {
        // Nothing cached before signing in belongs to this user.
        queryClient.clear();
        await router.navigate({ href: redirect ?? '/' });
      },
    }),
  );
  return (
    <Page title="Sign in" heading="Sign in to Baton">
      <section className="card" aria-label="Sign in">
        <Form busy={login.isPending} onSubmit={() => login.mutate({ email, password })}>
          <Field label="Email" name="email" type="email" value={email} onChange={setEmail} required autoComplete="email" />
          <Field label="Password" name="password" type="password" value={password} onChange={setPassword} required autoComplete="current-password" />
          <FormError error={login.error && errorMessage(login.error)} />
          <Button type="submit" busy={login.isPending}>
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
        </Form>
        <p>
          New here? <Link to="/register">Create an account</Link> · <Link to="/forgot-password">Forgot password?</Link>
        </p>
      </section>
    </Page>
  );
}
