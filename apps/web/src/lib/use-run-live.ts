import { useCallback, useEffect, useRef, useState } from 'react';
import { trpc, errorMessage, getActiveOrgId } from './trpc.ts';
import { EVENT_TYPES, isTerminal, lastSequence, mergeEvents, type RunDetail, type RunEvent } from './runs.ts';

/** How the page keeps up with the run: the SSE stream, polling, or nothing more to wait for. */
export type LiveMode = 'loading' | 'connecting' | 'live' | 'reconnecting' | 'polling' | 'ended';

const POLL_MS = 2000;
/** Events arrive in bursts (a step commits several at once): refetch the run once per burst. */
const REFETCH_DEBOUNCE_MS = 100;

/**
 * A run's detail, kept current. Events come over the SSE stream and are shown at once; the run
 * itself (status, approvals, totals) is refetched after each burst, since events do not carry it.
 *
 * EventSource cannot send X-Org-Id, so the active org goes as ?orgId=. A refused stream (401, 404)
 * falls back to polling runs.get, silently: the user sees the same page, updated every 2 s.
 */
export function useRunLive(runId: string) {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<LiveMode>('loading');
  const refreshRef = useRef<() => Promise<void>>(async () => {});

  useEffect(() => {
    let stopped = false;
    let source: EventSource | null = null;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let refetchTimer: ReturnType<typeof setTimeout> | undefined;
    let terminal = false;
    // Responses can overtake each other; only a newer request may replace what is shown.
    let requested = 0;
    let applied = 0;

    setDetail(null);
    setError(null);
    setMode('loading');

    const finish = () => {
      terminal = true;
      source?.close();
      source = null;
      clearTimeout(pollTimer);
      if (!stopped) setMode('ended');
    };

    const load = async (): Promise<RunDetail | null> => {
      const mine = ++requested;
      try {
        const { data } = await trpc.mk.runs.get.query({ id: runId });
        if (stopped || mine < applied) return data;
        applied = mine;
        if (isTerminal(data.status)) terminal = true;
        setDetail((prev) => (prev && prev.id === data.id ? { ...data, events: mergeEvents(prev.events, data.events) } : data));
        setError(null);
        return data;
      } catch (e) {
        if (!stopped) setError(errorMessage(e));
        return null;
      }
    };

    const loadAndMaybeFinish = async () => {
      const d = await load();
      if (d && isTerminal(d.status)) finish();
    };

    const poll = () => {
      setMode('polling');
      const tick = async () => {
        await loadAndMaybeFinish();
        if (!stopped && !terminal) pollTimer = setTimeout(() => void tick(), POLL_MS);
      };
      void tick();
    };

    const onEvent = (msg: MessageEvent<string>) => {
      let event: RunEvent;
      try {
        event = JSON.parse(msg.data) as RunEvent;
      } catch {
        return;
      }
      setDetail((prev) => (prev ? { ...prev, events: mergeEvents(prev.events, [event]) } : prev));
      // The server closes the stream after the final transition; close first so EventSource does not reconnect.
      if (event.eventType === 'stage_transition' && isTerminal(String(event.data.to))) finish();
      clearTimeout(refetchTimer);
      refetchTimer = setTimeout(() => void loadAndMaybeFinish(), REFETCH_DEBOUNCE_MS);
    };

    const openStream = (after: number) => {
      setMode('connecting');
      // Start after what runs.get returned; on reconnect the browser's Last-Event-ID header takes over.
      const org = getActiveOrgId();
      const es = new EventSource(`/api/v1/runs/${encodeURIComponent(runId)}/stream?lastEventId=${after}${org ? `&orgId=${encodeURIComponent(org)}` : ''}`);
      source = es;
      es.onopen = () => {
        if (!stopped && source === es) setMode('live');
      };
      for (const type of EVENT_TYPES) es.addEventListener(type, onEvent);
      es.onerror = () => {
        if (stopped || source !== es) return;
        if (es.readyState === EventSource.CLOSED) {
          // Refused outright (404 for another org's run, 401, …): EventSource gives up, so poll.
          source = null;
          if (terminal) finish();
          else poll();
          return;
        }
        // The connection dropped and the browser is retrying with Last-Event-ID. If the run ended
        // meanwhile, the retry would only be answered with an empty, closed stream, again and again.
        setMode('reconnecting');
        void loadAndMaybeFinish();
      };
    };

    refreshRef.current = loadAndMaybeFinish;

    void (async () => {
      const d = await load();
      if (stopped || !d) return;
      if (isTerminal(d.status)) finish();
      else openStream(lastSequence(d.events));
    })();

    return () => {
      stopped = true;
      source?.close();
      clearTimeout(pollTimer);
      clearTimeout(refetchTimer);
    };
  }, [runId]);

  const refresh = useCallback(() => refreshRef.current(), []);
  return { detail, error, mode, refresh };
}
