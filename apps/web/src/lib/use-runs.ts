import { useTRPC, type RouterInputs } from './trpc.ts';
import type { RunsSearch } from './search.ts';
import { isTerminal } from './runs.ts';

/** The API's default page, and what the bench measures (GET /runs?limit=25). */
export const RUNS_PAGE_SIZE = 25;

/** The list input a /runs URL asks for: the page's query and the route's prefetch share one cache entry. */
export const runsListInput = (search: RunsSearch) => ({
  limit: RUNS_PAGE_SIZE,
  offset: search.cursor ?? 0,
  ...(search.status ? { status: search.status } : {}),
  ...(search.projectId ? { projectId: search.projectId } : {}),
});

/**
 * The runs list has no stream of its own: it refetches quickly while a run on it is active, so
 * "needs approval" appears (and goes) within a couple of seconds, and slowly once all are done.
 * React Query pauses the interval while the tab is hidden and refetches when it is shown again.
 */
const ACTIVE_REFRESH_MS = 1500;
const IDLE_REFRESH_MS = 10_000;

export function useRunsListOptions(input: RouterInputs['mk']['runs']['list']) {
  const trpc = useTRPC();
  return trpc.mk.runs.list.queryOptions(input, {
    refetchInterval: (q) => (q.state.data?.data.runs.some((r) => !isTerminal(r.status)) ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS),
  });
}

