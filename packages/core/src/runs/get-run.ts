import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { approvals, preparedQuery, runEvents, runListKey, runListVersion } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { loadRunFor, runOfOrg, runVersion } from './load-run.ts';
import { cachedDetail, cachedRun, confirmedVersion, confirmVersion, rememberDetail, rememberRun, type RunDetailParts } from './finished-run-cache.ts';
import type { TRun } from './run.types.ts';
import { resolveActiveOrg } from '../orgs/access.ts';
import { notFound } from '../errors.ts';
import { renderApproval, renderEvent, renderRun } from './render-run.ts';

/**
 * A finished run's detail, composed once from its cached rendering and parts and kept beside the
 * parts (so exactly as long as they are): repeated reads get the same frozen object, which the API
 * layer seals by identity (util/sealed.ts).
 */
const composedDetails = new WeakMap<object, { run: object; detail: Readonly<TRun & RunDetailParts> }>();

export async function getRunDetail(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string) {
  const access = await resolveActiveOrg(ctx, actor, activeOrgId);
  const orgId = access.org.id;
  // A finished run seen at the org's current list version needs no re-read (finished-run-cache.ts).
  const listVersion = runListVersion(ctx.db, runListKey(orgId, null, null));
  let version = confirmedVersion(ctx.db, runId, orgId, listVersion);
  if (!version) {
    version = await runVersion(ctx, runId, orgId);
    if (!version) throw notFound('Run not found');
    confirmVersion(ctx.db, runId, orgId, listVersion, version);
  }
  // A finished run's rendering is reused while its (status, lastSeq, projectId) are unchanged.
  const run = cachedRun(ctx.db, runId, version);
  const parts = run && cachedDetail(ctx.db, runId, version);
  if (run && parts) {
    const hit = composedDetails.get(parts);
    if (hit && hit.run === run) return hit.detail;
    const detail = Object.freeze({ ...run, events: parts.events, approvals: parts.approvals });
    composedDetails.set(parts, { run, detail });
    return detail;
  }
  // The row, its approvals and its events are three reads, and a unit may commit between them (on
  // Postgres each can run on a different pooled connection). Every change to a run's approvals also
  // appends an event and moves lastSeq in the same unit, so reading the row first and the events
  // last, then checking that the last event is the row's lastSeq, proves the three agree; a detail
  // that straddled a commit is read again (the race is rare: a unit landing within one read).
  let row, events, approvalRows;
  for (let attempt = 0; ; attempt++) {
    row = await runOfOrg(ctx, runId, orgId);
    if (!row) throw notFound('Run not found');
    approvalRows = await preparedQuery(ctx.db, 'runApprovals', (db) =>
      db.select().from(approvals).where(eq(approvals.runId, sql.placeholder('runId'))).orderBy(asc(approvals.createdAt), asc(approvals.id)),
    ).all({ runId });
    events = await preparedQuery(ctx.db, 'runEvents', (db) =>
      db.select().from(runEvents).where(eq(runEvents.runId, sql.placeholder('runId'))).orderBy(asc(runEvents.sequenceNumber)),
    ).all({ runId });
    const lastSeen = events.length ? events[events.length - 1]!.sequenceNumber : 0;
    if (lastSeen === row.lastSeq || attempt >= 4) break;
  }
  const rendered = renderRun(row);
  const detail = { events: events.map(renderEvent), approvals: approvalRows.map(renderApproval) };
  const fresh = { status: row.status, lastSeq: row.lastSeq, projectId: row.projectId };
  rememberRun(ctx.db, fresh, rendered);
  rememberDetail(ctx.db, runId, fresh, detail);
  return { ...rendered, events: detail.events, approvals: detail.approvals };
}

export async function getRunReplay(ctx: CoreContext, actor: Actor, activeOrgId: string | null, runId: string) {
  const { run } = await loadRunFor(ctx, actor, activeOrgId, runId);
  const events = (
    await ctx.db
      .select()
      .from(runEvents)
      .where(and(eq(runEvents.runId, runId), eq(runEvents.replayVisible, true)))
      .orderBy(asc(runEvents.sequenceNumber))
  ).map(renderEvent);
  const r = renderRun(run);
  return {
    run: {
      id: r.id,
      status: r.status,
      requestText: r.requestText,
      totalCreditsUsed: r.totalCreditsUsed,
      totalTokensInput: r.totalTokensInput,
      totalTokensOutput: r.totalTokensOutput,
      createdAt: r.createdAt,
      completedAt: r.completedAt,
      stageHistory: r.stageHistory,
    },
    events,
    eventCount: events.length,
  };
}

/** Events after a sequence number, in order: what an SSE client resuming with Last-Event-ID missed. */
export async function runEventsAfter(ctx: CoreContext, runId: string, afterSeq: number) {
  const rows = await preparedQuery(ctx.db, 'runEventsAfter', (db) =>
    db
      .select()
      .from(runEvents)
      .where(and(eq(runEvents.runId, sql.placeholder('runId')), gt(runEvents.sequenceNumber, sql.placeholder('afterSeq'))))
      .orderBy(asc(runEvents.sequenceNumber)),
  ).all({ runId, afterSeq });
  return rows.map(renderEvent);
}
