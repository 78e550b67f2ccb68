import { MutationCache, QueryCache, QueryClient, type QueryKey } from '@tanstack/react-query';
import { isClientError, isUnauthorized } from './trpc.ts';

/**
 * The app's one QueryClient. `onUnauthorized` runs when any query or mutation is refused for want
 * of a session (it expired, or was signed out in another tab); the router then sends the user to
 * /login. `isSessionQuery` tells apart the session probe itself, whose 401 the route guard handles.
 */
export function createQueryClient(opts: { onUnauthorized: (error: unknown) => void; isSessionQuery: (key: QueryKey) => boolean }) {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isUnauthorized(error) && !opts.isSessionQuery(query.queryKey)) opts.onUnauthorized(error);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isUnauthorized(error)) opts.onUnauthorized(error);
      },
    }),
    defaultOptions: {
      queries: {
        // Within this window a remount or a second component reuses the data instead of asking again.
        staleTime: 5_000,
        retry: (failures, error) => !isClientError(error) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}
