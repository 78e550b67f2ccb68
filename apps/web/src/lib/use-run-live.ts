import { useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from './trpc.ts';
import { getActiveOrgId } from './org.ts';
import { EVENT_TYPES, isTerminal, lastSequence, mergeEvents, type Run, type RunDetail, type RunEvent } from './runs.ts';

/** How the page keeps up with the run: the SSE stream, polling, or nothing more to wait for. */
export type LiveMode = 'loading' | 'connecting' | 'live' | 'reconnecting' | 'polling' | 'ended';

const POLL_MS = 2000;
/** Events arrive in bursts (a step commits several at once): refetch the run once per burst. */
const REFETCH_DEBOUNCE_MS = 100;

type RunGet = { data: RunDetail };

/** Events only ever accrue: a refetch that started before an SSE event arrived must not drop it. */
function keepEvents(old: unknown, next: unknown): unknown {
  const prev = old as RunGet | undefined;
  const fresh = next as RunGet;
  if (!prev || prev.data.id !== fresh.data.id) return next;
  return { ...fresh, data: { ...fresh.data, events: mergeEvents(prev.data.events, fresh.data.events) } };
}

/**
 * A run's detail from the query cache, kept current by the run's SSE stream: each event goes into
 * the cached detail at once, and the run itself (status, approvals, totals) is refetched after
 * each burst, since events do not carry it. The refetched run also updates its row in every cached
 * runs list. EventSource cannot send X-Org-Id, so the active org goes as ?orgId=. A refused stream
 * (401, 404) falls back to polling runs.get, silently.
 */
export function useRunLive(runId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [transport, setTransport] = useState<'sse' | 'polling'>('sse');
  const [connection, setConnection] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const queryKey = useMemo(() => trpc.mk.runs.get.queryKey({ id: runId }), [trpc, runId]);

  const options = trpc.mk.runs.get.queryOptions(
    { id: runId },
    {
      structuralSharing: keepEvents,
      refetchInterval: (q) => (transport === 'polling' && q.state.data && !isTerminal(q.state.data.data.status) ? POLL_MS : false),
    },
  );
  const query = useQuery(options);
  const run = query.data?.data;
  const loaded = run !== undefined;
  const ended = run ? isTerminal(run.status) : false;

  useEffect(() => {
    if (!loaded || ended || transport !== 'sse') return;
    let closed = false;
    let refetchTimer: ReturnType<typeof setTimeout> | undefined;
    const refetch = () => {
      refetchTimer = undefined;
      void queryClient.invalidateQueries({ queryKey, exact: true });
    };

    const onEvent = (msg: MessageEvent<string>) => {
      let event: RunEvent;
      try {
        event = JSON.parse(msg.data) as RunEvent;
      } catch {
        return;
      }
      queryClient.setQueryData(queryKey, (old) => (old ? { ...old, data: { ...old.data, events: mergeEvents(old.data.events, [event]) } } : old));
      // The server closes the stream after the final transition; close first so EventSource does not reconnect.
      if (event.eventType === 'stage_transition' && isTerminal(String(event.data.to))) {
        closed = true;
        es.close();
      }
      clearTimeout(refetchTimer);
      refetchTimer = setTimeout(refetch, REFETCH_DEBOUNCE_MS);
    };

    setConnection('connecting');
    // Start after what runs.get returned; on reconnect the browser's Last-Event-ID header takes over.
    const after = lastSequence(queryClient.getQueryData(queryKey)?.data.events ?? []);
    const org = getActiveOrgId();
    const es = new EventSource(`/api/v1/runs/${encodeURIComponent(runId)}/stream?lastEventId=${after}${org ? `&orgId=${encodeURIComponent(org)}` : ''}`);
    es.onopen = () => {
      if (closed) return;
      setConnection('live');
      // The cached run may be from an earlier visit (still "fresh" to the cache, so not refetched on
      // mount) and the stream only brings events after it: read the run itself once now too.
      clearTimeout(refetchTimer);
      refetchTimer = setTimeout(refetch, REFETCH_DEBOUNCE_MS);
    };
    for (const type of EVENT_TYPES) es.addEventListener(type, onEvent);
    es.onerror = () => {
      if (closed) return;
      if (es.readyState === EventSource.CLOSED) {
        // Refused outright (404 for another org's run, 401, …): EventSource gives up, so poll.
        closed = true;
        setTransport('polling');
        return;
      }
      // The connection dropped and the browser is retrying. If the run ended meanwhile, the
      // refetch says so and this effect closes the stream.
      setConnection('reconnecting');
      refetch();
    };
    return () => {
      closed = true;
      es.close();
      // Leaving mid-burst: the run as cached is behind its events. Mark it stale, so the next visit
      // (or a list showing it) reads it again instead of trusting it.
      if (refetchTimer !== undefined) {
        clearTimeout(refetchTimer);
        void queryClient.invalidateQueries({ queryKey, exact: true, refetchType: 'none' });
      }
    };
  }, [runId, loaded, ended, transport, queryClient, queryKey]);

  // The run's row in the runs lists (and the shell's approvals count) follows the detail.
  useEffect(() => {
    if (!run) return;
    queryClient.setQueriesData({ queryKey: trpc.mk.runs.list.queryKey() }, (old: { data: { runs: Run[]; count: number } } | undefined) => {
      if (!old?.data.runs.some((r) => r.id === run.id)) return old;
      const runs = old.data.runs.map((r) => (r.id === run.id ? (Object.fromEntries(Object.keys(r).map((k) => [k, run[k as keyof RunDetail]])) as Run) : r));
      return { ...old, data: { ...old.data, runs } };
    });
  }, [run, queryClient, trpc]);

  const mode: LiveMode = !loaded ? 'loading' : ended ? 'ended' : transport === 'polling' ? 'polling' : connection;
  return { query, run, mode, queryKey };
}
