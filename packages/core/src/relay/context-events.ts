import { and, desc, eq, isNull, or, inArray } from 'drizzle-orm';
import { contextEvents, rawInsert, rawStatement, type PendingInserts } from '@baton/db';
import { withTransaction, type Actor, type CoreContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { listActorOrgs } from '../orgs/list-orgs.ts';
import { newPrefixedTimeId } from '../util/ids.ts';
import { BATON_SOURCE, type TContextEvent, type TIngestEventsInput, type TListEventsInput } from './context-event.types.ts';
import { recordFacets } from './context-facets.ts';
import { relayProject } from './relay-access.ts';

export type ContextEventRow = typeof contextEvents.$inferSelect;

const FUTURE_SKEW_MS = 5 * 60_000;


export function renderContextEvent(e: ContextEventRow): TContextEvent {
  return {
    id: e.id,
    user_id: e.userId,
    project_id: e.projectId,
    source: e.source,
    event_type: e.eventType,
    title: e.title,
    content: e.content,
    resource: e.resource,
    branch: e.branch,
    priority: e.priority,
    url: e.url,
    author: e.author,
    run_id: e.runId,
    created_at: e.createdAt,
  };
}

/**
 * Records activity from an outside source into a project's context stream (or, without a
 * project, the key owner's personal stream). Writing to a project needs the member role. The
 * batch is one commit; events whose external_id the project already holds are skipped, so a
 * connector may resend after a timeout without duplicating anything.
 */
export async function ingestContextEvents(ctx: CoreContext, actor: Actor, input: TIngestEventsInput) {
  const target = input.project_id ? (await relayProject(ctx, actor, input.project_id, 'member')).project : null;
  if (input.events.some((e) => e.source === BATON_SOURCE)) throw badRequest(`events.source: "${BATON_SOURCE}" is reserved for Baton's own runs`);
  const now = ctx.now();
  // A little clock skew is fine; an event dated in the future would sit on top of the stream for good.
  const latest = now.getTime() + FUTURE_SKEW_MS;
  if (input.events.some((e) => e.created_at && Date.parse(e.created_at) > latest)) throw badRequest('events.created_at: must not be in the future');
  const ingestedAt = now.toISOString();
  const rows = input.events.map((e) => ({
    id: newPrefixedTimeId('ev'),
    orgId: target?.orgId ?? null,
    projectId: target?.id ?? null,
    userId: actor.userId,
    source: e.source,
    eventType: e.event_type,
    title: e.title,
    content: e.content,
    resource: e.resource ?? null,
    branch: e.branch ?? null,
    priority: e.priority ?? null,
    url: e.url ?? null,
    author: e.author ?? null,
    externalId: e.external_id ?? null,
    runId: null,
    createdAt: e.created_at ? new Date(e.created_at).toISOString() : ingestedAt,
    ingestedAt,
  }));
  const inserted = await withTransaction(ctx, async (ctx) => {
    const fresh: typeof rows = [];
    for (const r of rows) {
      if ((await ctx.db.insert(contextEvents).values(r).onConflictDoNothing().returning({ id: contextEvents.id })).length === 1) fresh.push(r);
    }
    await recordFacets(ctx, target?.id ?? null, fresh, ingestedAt);
    return fresh;
  });
  return { events: inserted.map(renderContextEvent), ingested: inserted.length, duplicates: rows.length - inserted.length };
}

/**
 * Recent context events, newest first. With project_id: the project's stream (any role). Without:
 * the key owner's personal stream — events they recorded, in no project or in a project of an org
 * they still belong to.
 */
export async function listContextEvents(ctx: CoreContext, actor: Actor, input: TListEventsInput) {
  const bySource = input.source ? eq(contextEvents.source, input.source) : undefined;
  const order = [desc(contextEvents.createdAt), desc(contextEvents.id)] as const;
  let rows: ContextEventRow[];
  if (input.project_id) {
    const { project } = await relayProject(ctx, actor, input.project_id);
    rows = await ctx.db
      .select()
      .from(contextEvents)
      .where(and(eq(contextEvents.projectId, project.id), bySource))
      .orderBy(...order)
      .limit(input.limit);
  } else {
    const orgIds = (await listActorOrgs(ctx, actor)).map((o) => o.org.id);
    const reachable = orgIds.length ? or(isNull(contextEvents.orgId), inArray(contextEvents.orgId, orgIds)) : isNull(contextEvents.orgId);
    rows = await ctx.db
      .select()
      .from(contextEvents)
      .where(and(eq(contextEvents.userId, actor.userId), bySource, reachable))
      .orderBy(...order)
      .limit(input.limit);
  }
  return { events: rows.map(renderContextEvent) };
}

/**
 * Approval lines carry this marker, so the handoff generator can pair a request with its decision,
 * or with the end of its run (generate-handoff.ts reads it back). Also useful to a person: it is the
 * id to approve with.
 */
export const approvalIdLine = (approvalId: string) => `Approval id: ${approvalId}`;

interface ContextLine {
  type: string;
  title: string;
  content: string;
}

interface RunLookups {
  /** The approval's action summary, for decision events that do not carry it. */
  actionOf(approvalId: string): Promise<string | null>;
  /** Approvals the run's end leaves undecided: pending now (expired by the end) or just expired. */
  undecided(): Promise<Array<{ id: string; action: string }>>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/**
 * Text from people or models (a request, a reason, an action's arguments), made unable to spell the
 * marker: otherwise a request reading "Approval id: <someone else's>" would settle that approval.
 */
const inert = (s: string) => s.replace(/approval id:/gi, 'approval id -');
const str = (v: unknown) => (typeof v === 'string' && v ? inert(v) : null);

/** Run events worth a line in the project's story; the rest (tool calls, costs) stay in the run. */
async function runContextLines(eventType: string, data: Record<string, unknown>, request: string, lookups: RunLookups): Promise<ContextLine[]> {
  const short = request.length > 80 ? `${request.slice(0, 77)}...` : request;
  const inRun = `in the run "${inert(short)}"`;
  if (eventType === 'stage_transition') {
    if (data.from === null) return [{ type: 'run_created', title: `Run started: ${short}`, content: request }];
    const to = String(data.to);
    if (!TERMINAL.has(to)) return [];
    const reason = str(data.reason) ? `\n${to === 'failed' ? 'Failed' : 'Reason'}: ${str(data.reason)}` : '';
    // What a completed run achieved (runs/stage-results.ts), so "completed" is not read as "changed
    // something": "Run completed: Add /healthz — no code changes; deploy skipped (…)".
    const achieved = to === 'completed' && str(data.outcome) ? str(data.outcome)!.replace(/^Completed(?: — )?/, '') : '';
    // Ending a run closes the approvals nobody decided; say which, or they would read as still open.
    const undecided = to === 'completed' ? [] : (await lookups.undecided()).map((a) => `\nApproval expired undecided: ${inert(a.action)} (${approvalIdLine(a.id)})`);
    return [{ type: `run_${to}`, title: `Run ${to}: ${short}${achieved ? ` — ${achieved}` : ''}`, content: inert(request) + reason + undecided.join('') }];
  }
  const approvalId = str(data.approvalId);
  if (eventType === 'approval_requested') {
    const action = str(data.actionSummary) ?? 'an action';
    const why = str(data.reason) ? ` (${str(data.reason)})` : '';
    return [
      {
        type: 'approval_requested',
        title: `Approval requested: ${action}`,
        content: `Approval requested for ${action}${why} ${inRun}${approvalId ? `\n${approvalIdLine(approvalId)}` : ''}`,
      },
    ];
  }
  // A policy rule's approval is recorded in the run; nobody was asked, so nothing was open.
  if (eventType === 'approval_granted' && data.auto) return [];
  if ((eventType === 'approval_granted' || eventType === 'approval_denied') && approvalId) {
    const looked = await lookups.actionOf(approvalId);
    const action = str(data.actionSummary) ?? (looked ? inert(looked) : null) ?? 'an action';
    const who = str(data.decidedByName) ?? 'a user';
    const granted = eventType === 'approval_granted';
    const why = granted ? null : str(data.reason);
    return [
      {
        type: eventType,
        title: `${granted ? 'Approved' : 'Denied'}: ${action}, by ${who}${why ? ` — ${why}` : ''}`,
        content: `${who} ${granted ? 'approved' : 'denied'} ${action} ${inRun}.${why ? `\nReason: ${why}` : ''}\n${approvalIdLine(approvalId)}`,
      },
    ];
  }
  return [];
}

const RUN_CONTEXT_TYPES = new Set(['stage_transition', 'approval_requested', 'approval_granted', 'approval_denied']);

/**
 * Copies a run's milestones (started, finished, approvals asked for and decided) into its project's
 * context stream, in the caller's transaction, so handoffs see what agents did — and what people
 * decided, so an approval that was granted is not handed off as still open. Runs without a project
 * go to their creator's personal stream.
 */
export async function recordRunContext(
  ctx: CoreContext,
  runId: string,
  events: ReadonlyArray<{ eventType: string; data: Record<string, unknown> }>,
  createdAt: string,
  known?: RunContextFacts,
): Promise<void> {
  if (!events.some((e) => RUN_CONTEXT_TYPES.has(e.eventType))) return;
  const run = known ?? (await stmt.run.get(ctx.db, runId));
  if (run) await recordRunContexts(ctx, [{ runId, events, createdAt, run }]);
}

/**
 * recordRunContext for many runs whose rows the caller has just written or read (a batch of new runs,
 * create-run.ts): their lines in one statement (added to `into` when given, for the caller to
 * write with its own), and each project's facets once.
 */
export async function recordRunContexts(
  ctx: CoreContext,
  items: ReadonlyArray<{ runId: string; events: ReadonlyArray<{ eventType: string; data: Record<string, unknown> }>; createdAt: string; run: RunContextFacts }>,
  into?: PendingInserts,
): Promise<void> {
  const rows: unknown[][] = [];
  const facets = new Map<string | null, { at: string; types: Set<string> }>();
  for (const { runId, events, createdAt, run } of items) {
    for (const line of await contextLinesOf(ctx, runId, events, run)) {
      rows.push([newPrefixedTimeId('ev'), run.org_id, run.project_id, run.user_id, BATON_SOURCE, line.type, line.title, line.content, runId, createdAt, createdAt]);
      const f = facets.get(run.project_id) ?? { at: createdAt, types: new Set<string>() };
      f.types.add(line.type);
      facets.set(run.project_id, f);
    }
  }
  if (!rows.length) return;
  if (into) into.push([stmt.insertMany, rows]);
  else await stmt.insertMany.run(ctx.db, rows);
  for (const [projectId, f] of facets) {
    await recordFacets(ctx, projectId, [...f.types].map((eventType) => ({ source: BATON_SOURCE, eventType })), f.at);
  }
}

/** The context lines a run's events make, in order. */
async function contextLinesOf(
  ctx: CoreContext,
  runId: string,
  events: ReadonlyArray<{ eventType: string; data: Record<string, unknown> }>,
  run: RunContextFacts,
): Promise<ContextLine[]> {
  const db = ctx.db;
  const lookups: RunLookups = {
    actionOf: async (id) => (await stmt.approvalAction.get(db, id, runId))?.action_summary ?? null,
    undecided: async () => (await stmt.undecidedApprovals.all(db, runId)).map((a) => ({ id: a.id, action: a.action_summary })),
  };
  const lines: ContextLine[] = [];
  for (const e of events) {
    if (RUN_CONTEXT_TYPES.has(e.eventType)) lines.push(...(await runContextLines(e.eventType, e.data, run.request_text, lookups)));
  }
  return lines;
}

/** What a run's context lines are written from (the run's row, as stmt.run reads it). */
export interface RunContextFacts {
  org_id: string;
  project_id: string | null;
  user_id: string;
  request_text: string;
}

// Plain statements: this runs inside the event append, Baton's hottest write.
const stmt = {
  run: rawStatement<RunContextFacts>(
    'SELECT org_id, project_id, user_id, request_text FROM runs WHERE id = ?',
  ),
  insertMany: rawInsert('context_events', ['id', 'org_id', 'project_id', 'user_id', 'source', 'event_type', 'title', 'content', 'run_id', 'created_at', 'ingested_at']),
  approvalAction: rawStatement<{ action_summary: string }>('SELECT action_summary FROM approvals WHERE id = ? AND run_id = ?'),
  // Only read when a run ends. Ending a run expires its pending approvals after this event is
  // written; an approval that expired on its own has just been marked so and is ending the run.
  undecidedApprovals: rawStatement<{ id: string; action_summary: string }>(
    "SELECT id, action_summary FROM approvals WHERE run_id = ? AND status IN ('pending', 'expired') ORDER BY created_at, id",
  ),
};
