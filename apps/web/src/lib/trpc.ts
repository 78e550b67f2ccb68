import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@baton/api';

const ORG_KEY = 'baton.orgId';

export const getActiveOrgId = (): string | null => localStorage.getItem(ORG_KEY);
export const setActiveOrgId = (id: string | null) => (id ? localStorage.setItem(ORG_KEY, id) : localStorage.removeItem(ORG_KEY));

/** The same procedures the REST APIs serve, typed end to end. The session cookie rides along. */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: '/trpc',
      headers: () => {
        const org = getActiveOrgId();
        return org ? { 'x-org-id': org } : {};
      },
    }),
  ],
});

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Me = RouterOutputs['session']['me'];

export function errorMessage(e: unknown): string {
  if (e instanceof TRPCClientError) {
    const issues = (e.data as { zodError?: unknown } | undefined)?.zodError;
    if (issues) return 'Please check the form fields.';
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

export const isUnauthorized = (e: unknown) => e instanceof TRPCClientError && e.data?.code === 'UNAUTHORIZED';
