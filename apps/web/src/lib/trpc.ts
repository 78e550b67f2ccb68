import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { createTRPCContext, createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { QueryClient } from '@tanstack/react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@baton/api';
import { getActiveOrgId } from './org.ts';

/** The same procedures the REST APIs serve, typed end to end. The session cookie rides along. */
export const trpcClient = createTRPCClient<AppRouter>({
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

/** In components: `const trpc = useTRPC()`, then `useQuery(trpc.mk.runs.list.queryOptions(input))`. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** The same options proxy outside React (route loaders, beforeLoad). */
export const createTrpcProxy = (queryClient: QueryClient) => createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
export type TrpcProxy = ReturnType<typeof createTrpcProxy>;

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Me = RouterOutputs['session']['me'];
export type OrgMembership = Me['organizations'][number];

export function errorMessage(e: unknown): string {
  if (e instanceof TRPCClientError) return readableIssues(e.message) ?? e.message;
  return e instanceof Error ? e.message : String(e);
}

/**
 * tRPC sends a failed input check as the JSON of its Zod issues; a person reads "name: why" instead.
 * (Forms that place each issue beside its field use lib/org-errors.ts formErrors.)
 */
function readableIssues(message: string): string | null {
  if (!message.trimStart().startsWith('[')) return null;
  try {
    const issues = JSON.parse(message) as Array<{ path?: unknown[]; message?: string }>;
    if (!Array.isArray(issues) || issues.length === 0) return null;
    return issues.map((i) => (i.path?.length ? `${i.path.join('.')}: ${i.message ?? 'invalid'}` : (i.message ?? 'invalid'))).join('; ');
  } catch {
    return null;
  }
}

const httpStatusOf = (e: unknown): number | undefined =>
  e instanceof TRPCClientError ? ((e.data as { httpStatus?: number } | undefined)?.httpStatus ?? undefined) : undefined;

export const isUnauthorized = (e: unknown) => e instanceof TRPCClientError && (e.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED';

/** A 4xx will answer the same when asked again: not worth a retry. */
export const isClientError = (e: unknown) => {
  const status = httpStatusOf(e);
  return status !== undefined && status >= 400 && status < 500;
};
