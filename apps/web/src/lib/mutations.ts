import { partialMatchKey, type DataTag, type MutationFunctionContext, type QueryClient, type QueryKey } from '@tanstack/react-query';

type Snapshot<TData> = { entries: Array<{ key: QueryKey; before: TData | undefined; after: TData | undefined }> };

/**
 * Mutation callbacks that change cached data at once and put it back if the server refuses.
 * `queryKey` is a prefix: a procedure's `queryKey()` with no input covers every input it was
 * cached with (each page, each filter). Spread into `mutationOptions`:
 *
 *   useMutation(trpc.mk.apiKeys.revoke.mutationOptions(
 *     optimistic(trpc.mk.apiKeys.list.queryKey(), (old, { id }) => ({ ...old, data: { ...old.data, apiKeys: old.data.apiKeys.filter((k) => k.id !== id) } })),
 *   ));
 *
 * The rollback only restores a query that still holds the optimistic value: data that arrived
 * meanwhile (a refetch, an SSE event) is newer than the snapshot. When settled the queries are
 * refetched, unless `refetchAfterError: false` keeps what is shown next to the error message.
 */
export function optimistic<TData, TVariables, TResult = unknown, TError = unknown>(
  queryKey: DataTag<QueryKey, TData, unknown> | QueryKey,
  update: (old: TData, variables: TVariables) => TData,
  opts: {
    onSuccess?: (data: TResult, variables: TVariables) => unknown;
    onError?: (error: TError, variables: TVariables) => unknown;
    refetchAfterError?: boolean;
    /** More queries to refetch when settled (a list the change also shows in). */
    alsoInvalidate?: QueryKey[];
  } = {},
) {
  return {
    onMutate: async (variables: TVariables, { client }: MutationFunctionContext): Promise<Snapshot<TData>> => {
      await client.cancelQueries({ queryKey });
      const entries = client.getQueriesData<TData>({ queryKey }).map(([key, before]) => {
        // What the cache holds after structural sharing, to tell later whether anything replaced it.
        const after = before === undefined ? undefined : client.setQueryData<TData>(key, update(before, variables));
        return { key, before, after };
      });
      return { entries };
    },
    onSuccess: (data: TResult, variables: TVariables) => opts.onSuccess?.(data, variables),
    onError: (error: TError, variables: TVariables, snapshot: Snapshot<TData> | undefined, { client }: MutationFunctionContext) => {
      for (const e of snapshot?.entries ?? []) if (e.after !== undefined && client.getQueryData(e.key) === e.after) client.setQueryData(e.key, e.before);
      return opts.onError?.(error, variables);
    },
    onSettled: (_data: unknown, error: unknown, _variables: TVariables, _snapshot: unknown, { client }: MutationFunctionContext) => {
      if (error && opts.refetchAfterError === false) return;
      return invalidate(client, queryKey, ...(opts.alsoInvalidate ?? []));
    },
  };
}

/** Refetches (when shown) or marks stale every query under these key prefixes; resolves once refetched. */
export const invalidate = (client: QueryClient, ...queryKeys: QueryKey[]) => Promise.all(queryKeys.map((queryKey) => client.invalidateQueries({ queryKey })));

/** Whether a query lies under a key prefix, e.g. `trpc.session.pathKey()`. */
export const isUnder = (prefix: QueryKey, key: QueryKey) => partialMatchKey(key, prefix);
