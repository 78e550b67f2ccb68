import { and, eq, inArray } from 'drizzle-orm';
import { contextEvents, handoffs } from '@baton/db';
import type { Actor, CoreContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { orgAccessOr404 } from '../relay/relay-access.ts';
import { newestFirst } from '../util/time.ts';
import type { THandoffSources } from './app-views.types.ts';

type SourceEvent = THandoffSources['events'][number];

/** Quotes as the generator reads them, whitespace collapsed: an item's text is then found verbatim. */
const normalize = (s: string) => s.replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, ' ').trim();

/**
 * What an item may have been built from, as the generator (relay/generate-handoff.ts) words items:
 * "<event title> (<source>)" with an optional "<thread>: " in front, "Look into the failed run: …",
 * "<approval title> — still waiting for a decision?", or a sentence of an event's title or content;
 * any of them clipped with "...". Each returns the part to look for in the event's own text.
 */
function needles(item: string): string[] {
  let core = normalize(item);
  if (core.endsWith('...')) core = core.slice(0, -3).trimEnd();
  core = core.replace(/ — still waiting for a decision\?$/, '').replace(/^Look into the failed run: /, '');
  const out = [core];
  const noSource = core.replace(/ \([a-z0-9][a-z0-9_.-]*\)$/, '');
  if (noSource !== core) out.push(noSource);
  // "PAY-12: Push to acme/payments": the thread label is the generator's, not the event's.
  for (const n of [...out]) {
    const m = /^[^\s:]+: (.+)$/.exec(n);
    if (m) out.push(m[1]!);
  }
  return out.filter((n) => n.length >= 4);
}

function itemEvents(item: string, events: readonly SourceEvent[]): string[] {
  const wanted = needles(item);
  return events.filter((e) => {
    const text = normalize(`${e.title}\n${e.content}`);
    // Key changes end in the event's source; the rest are found in its text as they are.
    return wanted.some((n) => text.includes(n) || `${normalize(e.title)} (${e.source})`.startsWith(n));
  }).map((e) => e.id);
}

/**
 * The events a handoff was built from, and which of them each item came from, for the handoff's
 * own page. Handoffs store only the related ids, not the item-to-event pairing; it is recovered by
 * finding each item's words in the related events, which is how the generator made the item. The
 * handoff's org decides access, as for GET /handoffs/{id}: another tenant's handoff is 404.
 */
export async function getHandoffSources(ctx: CoreContext, actor: Actor, handoffId: string): Promise<THandoffSources> {
  const [h] = await ctx.db.select().from(handoffs).where(eq(handoffs.id, handoffId));
  if (!h) throw notFound('Handoff not found');
  await orgAccessOr404(ctx, actor, h.orgId, 'Handoff not found');
  const rows = h.relatedEventIds.length
    ? await ctx.db
        .select()
        .from(contextEvents)
        // By primary key, within the handoff's own project.
        .where(and(inArray(contextEvents.id, h.relatedEventIds), eq(contextEvents.projectId, h.projectId)))
    : [];
  const events: SourceEvent[] = rows
    .map((e) => ({ id: e.id, source: e.source, event_type: e.eventType, title: e.title, content: e.content, url: e.url, author: e.author, run_id: e.runId, created_at: e.createdAt }))
    .sort(newestFirst((e) => e.created_at));
  const per = (items: readonly string[]) => items.map((item) => itemEvents(item, events));
  return {
    events,
    items: { key_changes: per(h.keyChanges), decisions: per(h.decisions), open_questions: per(h.openQuestions), next_steps: per(h.nextSteps) },
  };
}
