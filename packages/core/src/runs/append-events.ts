import { insertTogether, notify, rawInsert, rawStatement, RUN_EVENT_TYPES, type PendingInserts } from '@baton/db';
import { RUN_EVENTS_CHANNEL } from './event-bus.ts';
import { afterCommit, withTransaction, type CoreContext } from '../context.ts';
import { newTimeOrderedId } from '../util/ids.ts';
import { recordRunContext, recordRunContexts, type RunContextFacts } from '../relay/context-events.ts';
import { renderEvent } from './render-run.ts';
import type { TRunEvent } from './run.types.ts';

export interface NewRunEvent {
  eventType: (typeof RUN_EVENT_TYPES)[number];
  data: Record<string, unknown>;
  modelUsed?: string | null;
  tokensUsed?: number | null;
  replayVisible?: boolean;
}

/** Events that are bookkeeping rather than story are hidden from replay. */
const HIDDEN_FROM_REPLAY = new Set(['cost_update']);

// The hottest write in Baton: plain statements skip drizzle's per-row mapping. Column names mirror
// packages/db/src/schema/run-events.ts.
const bumpSeq = rawStatement<{ last_seq: number }>('UPDATE runs SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq');
const insertEvents = rawInsert('run_events', ['id', 'run_id', 'sequence_number', 'event_type', 'data', 'model_used', 'tokens_used', 'replay_visible', 'created_at']);

/**
 * The event's data as stored. Postgres refuses the NUL character in text and JSON, and tool output
 * (a binary file read, a command's stdout) may hold one: it becomes U+FFFD on both engines, in the
 * stored and the published event alike. Scanning the JSON is cheap; the rewrite is rare.
 */
function eventJson(r: { data: Record<string, unknown> }): string {
  const json = JSON.stringify(r.data);
  if (!json.includes('\\u0000')) return json;
  r.data = JSON.parse(json.replaceAll(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd')) as Record<string, unknown>;
  return JSON.stringify(r.data);
}

/**
 * Appends events to a run with consecutive sequence numbers, inside the caller's transaction (or a
 * new one). Subscribers are woken only after the commit, so nobody ever sees an event that is then
 * rolled back. `run`, when the caller has just written the run, spares reading it back.
 */
export async function appendRunEvents(ctx: CoreContext, runId: string, events: NewRunEvent[], run?: RunContextFacts): Promise<TRunEvent[]> {
  if (!events.length) return [];
  return withTransaction(ctx, async (ctx) => {
    // Bumping last_seq takes the run's row lock (Postgres) or the writer (SQLite): two units
    // appending to one run at once get consecutive, gap-free ranges.
    const bumped = await bumpSeq.get(ctx.db, events.length, runId);
    if (!bumped) throw new Error(`run ${runId} does not exist`);
    return writeRunEvents(ctx, runId, bumped.last_seq - events.length + 1, events, run);
  });
}

/**
 * The first events of runs inserted in this same unit with last_seq = 1 (a batch of POST /runs,
 * create-run.ts), in one statement for all of them (added to `into` when given, for the caller to
 * write with its own). Nothing else can append to a run before the unit that creates it commits,
 * so each is number 1 without bumping.
 *
 * Nothing is notified to other nodes: a stream can only open on a run once the unit that creates it
 * has committed, and it then reads the run's events from the table, this one included.
 */
export async function appendFirstRunEvents(
  ctx: CoreContext,
  firsts: ReadonlyArray<{ runId: string; event: NewRunEvent; run: RunContextFacts }>,
  into?: PendingInserts,
): Promise<TRunEvent[]> {
  if (!firsts.length) return [];
  return withTransaction(ctx, async (ctx) => {
    const createdAt = ctx.now().toISOString();
    const rows = firsts.map(({ runId, event }) => eventRow(runId, 1, event, createdAt));
    const writes = into ?? [];
    writes.push([insertEvents, rows.map(eventValues)]);
    await recordRunContexts(
      ctx,
      firsts.map((f, i) => ({ runId: f.runId, events: [rows[i]!], createdAt, run: f.run })),
      writes,
    );
    if (!into) await insertTogether(ctx.db, writes);
    const rendered = rows.map(renderEvent);
    const bus = ctx.bus;
    if (bus) afterCommit(ctx, () => rendered.forEach((e) => bus.publish(e)));
    return rendered;
  });
}

/** An event's row as written (its data made storable by eventJson when it is). */
const eventRow = (runId: string, sequenceNumber: number, e: NewRunEvent, createdAt: string) => ({
  id: newTimeOrderedId(),
  runId,
  sequenceNumber,
  eventType: e.eventType,
  data: e.data,
  modelUsed: e.modelUsed ?? null,
  tokensUsed: e.tokensUsed ?? null,
  replayVisible: e.replayVisible ?? !HIDDEN_FROM_REPLAY.has(e.eventType),
  createdAt,
});

/** The row's values in insertEvents' column order, its data made storable first (eventJson). */
const eventValues = (r: ReturnType<typeof eventRow>) => [r.id, r.runId, r.sequenceNumber, r.eventType, eventJson(r), r.modelUsed, r.tokensUsed, r.replayVisible, r.createdAt];

async function writeRunEvents(ctx: CoreContext, runId: string, firstSeq: number, events: NewRunEvent[], run?: RunContextFacts): Promise<TRunEvent[]> {
  let seq = firstSeq - 1;
  const createdAt = ctx.now().toISOString();
  const rows = events.map((e) => eventRow(runId, ++seq, e, createdAt));
  await insertEvents.run(ctx.db, rows.map(eventValues));
  await recordRunContext(ctx, runId, rows, createdAt, run);
  // Other nodes' streams hear of it at the commit (ids only; they read the rows).
  await notify(ctx.db, RUN_EVENTS_CHANNEL, `${runId} ${rows[0]!.sequenceNumber} ${seq}`);
  const rendered = rows.map(renderEvent);
  const bus = ctx.bus;
  if (bus) afterCommit(ctx, () => rendered.forEach((e) => bus.publish(e)));
  return rendered;
}

export const appendRunEvent = async (ctx: CoreContext, runId: string, event: NewRunEvent): Promise<TRunEvent> => (await appendRunEvents(ctx, runId, [event]))[0]!;
