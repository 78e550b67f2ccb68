import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useRouter } from '@tanstack/react-router';
import { useTRPCClient, errorMessage } from '../lib/trpc.ts';
import { setActiveOrgId } from '../lib/org.ts';
import { Button, Field, Form, FormError, Page } from '../components/ui.ts';

export function RegisterPage() {
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [orgName, setOrgName] = useState('');
  // Registering does not sign in: two calls, one action for the user.
  const register = useMutation({
    mutationFn: async () => {
      const { data } = await client.mk.auth.register.mutate({ name, email, password, ...(orgName ? { orgName } : {}) });
      await client.mk.auth.login.mutate({ email, password });
      return data;
    },
    onSuccess: async (data) => {
      setActiveOrgId(data.organization.id);
      queryClient.clear();
      await router.navigate({ to: '/' });
    },
  });
  return (
    <Page title="Create an account" heading="Create your Baton account">
      <section className="card" aria-label="Create an account">
        <Form busy={register.isPending} onSubmit={() => register.mutate()}>
          <Field label="Name" name="name" value={name} onChange={setName} required autoComplete="name" />
          <Field label="Email" name="email" type="email" value={email} onChange={setEmail} required autoComplete="email" />
          <Field label="Password (8 characters or more)" name="password" type="password" value={password} onChange={setPassword} required minLength={8} autoComplete="new-password" />
          <Field label="Organization name (optional)" name="orgName" value={orgName} onChange={setOrgName} />
          <FormError error={register.error && errorMessage(register.error)} />
          <Button type="submit" busy={register.isPending}>
            {register.isPending ? 'Creating…' : 'Create account'}
          </Button>
        </Form>
        <p>
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </section>
    </Page>
  );
}
