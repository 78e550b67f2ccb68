/**
 * The default handoff generator: deterministic and offline. It reads a project's context events
 * and extracts a handoff from them, the way a careful colleague would skim the same feed:
 * - identifiers (tickets like PAY-12, PR numbers, branches) link events across sources into threads;
 * - changes come from events that change something (pushes, merges, closed issues, finished runs);
 * - decisions, open questions and next steps come from the wording of what people wrote.
 * Same events in, same handoff out.
 */

export interface GeneratorEvent {
  id: string;
  source: string;
  eventType: string;
  title: string;
  content: string;
  branch: string | null;
  author: string | null;
  userId: string;
  createdAt: string;
}

export interface HandoffDraft {
  title: string;
  summary: string;
  sources: string[];
  keyChanges: string[];
  decisions: string[];
  openQuestions: string[];
  nextSteps: string[];
  relatedEventIds: string[];
}

const MAX_ITEMS = 10;
const MAX_RELATED = 100;

const TICKET = /\b[A-Z][A-Z0-9]{1,9}-\d{1,6}\b/g;
const PULL = /(?:\bPR\s*#?|\bpull\/|(?<![\w&])#)(\d{1,6})\b/gi;

/** Event types that record a change having happened, per source (matched on the type's words). */
const CHANGE_TYPE = /(push|merge|merged|commit|release|deploy|closed|done|completed|resolved|shipped|run_completed)/i;
const CHANGE_WORDING = /\b(merged|shipped|deployed|released|landed|fixed|closed|completed|migrated|replaced|added|removed)\b/i;
const DECISION = /\b(decided|decision|agreed|we(?:'ll| will) (?:go with|use|keep|ship|drop)|going with|settled on|chose|chosen|approved)\b/i;
const QUESTION_START = /^(open question|question|tbd|unclear|unsure|not sure)\b/i;
const NEXT_STEP = /\b(todo|to do|next step|next up|next:|follow[- ]?up|need to|needs to|still have to|remaining|blocked on|pending|should|will)\b/i;

function sentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+/)
    .map((s) => s.replace(/^[\s>*\-•\d.)]+/, '').trim())
    .filter((s) => s.length >= 8 && s.length <= 400);
}

function identifiers(e: GeneratorEvent): string[] {
  const text = `${e.title}\n${e.content}`;
  const ids = new Set<string>();
  for (const m of text.matchAll(TICKET)) ids.add(m[0]);
  for (const m of text.matchAll(PULL)) ids.add(`#${m[1]}`);
  if (e.branch && e.branch !== 'main' && e.branch !== 'master') ids.add(e.branch);
  return [...ids];
}

const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 3).trimEnd()}...` : s);

class Picked {
  readonly items: string[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly related: Set<string>) {}
  add(text: string, eventId: string): boolean {
    const key = text.toLowerCase().replace(/\W+/g, ' ').trim();
    if (this.items.length >= MAX_ITEMS || !key || this.seen.has(key)) return false;
    this.seen.add(key);
    this.items.push(text);
    this.related.add(eventId);
    return true;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const day = (iso: string) => iso.slice(0, 10);

/** Drafts a handoff for `projectName` from its events (any order). */
export function draftHandoff(projectName: string, input: readonly GeneratorEvent[]): HandoffDraft {
  // Newest first: recent work is what the next person needs first.
  const events = [...input].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  if (!events.length) {
    return {
      title: `${projectName} handoff: no recorded activity`,
      summary: `No context events matched this handoff's sources and filters for ${projectName}, so there is nothing to hand off yet.`,
      sources: [],
      keyChanges: [],
      decisions: [],
      openQuestions: [],
      nextSteps: [],
      relatedEventIds: [],
    };
  }

  const sourceCounts = new Map<string, number>();
  const people = new Set<string>();
  const threads = new Map<string, { events: GeneratorEvent[]; sources: Set<string> }>();
  for (const e of events) {
    sourceCounts.set(e.source, (sourceCounts.get(e.source) ?? 0) + 1);
    people.add(e.author ?? e.userId);
    for (const id of identifiers(e)) {
      let t = threads.get(id);
      if (!t) threads.set(id, (t = { events: [], sources: new Set() }));
      t.events.push(e);
      t.sources.add(e.source);
    }
  }
  const sources = [...sourceCounts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s]) => s);
  // A thread seen in several sources, or often, is what the work was about.
  const topThreads = [...threads.entries()]
    .filter(([, t]) => t.events.length > 1 || t.sources.size > 1)
    .sort((a, b) => b[1].sources.size - a[1].sources.size || b[1].events.length - a[1].events.length || a[0].localeCompare(b[0]));

  const related = new Set<string>();
  const keyChanges = new Picked(related);
  const decisions = new Picked(related);
  const openQuestions = new Picked(related);
  const nextSteps = new Picked(related);

  const threadOf = (e: GeneratorEvent) => identifiers(e).find((id) => threads.get(id)!.events.length > 1);
  for (const e of events) {
    const isChange = CHANGE_TYPE.test(e.eventType) || CHANGE_WORDING.test(e.title);
    if (isChange) {
      const thread = threadOf(e);
      const label = thread && !e.title.includes(thread) ? `${thread}: ${e.title}` : e.title;
      keyChanges.add(clip(`${label} (${e.source})`), e.id);
    }
    if (e.eventType === 'run_failed') nextSteps.add(clip(`Look into the failed run: ${e.title.replace(/^Run failed:\s*/, '')}`), e.id);
    if (e.eventType === 'approval_requested') openQuestions.add(clip(`${e.title} — still waiting for a decision?`), e.id);
    for (const s of sentences(`${e.title}\n${e.content}`)) {
      if (DECISION.test(s)) decisions.add(clip(s), e.id);
      else if (s.endsWith('?') || QUESTION_START.test(s)) openQuestions.add(clip(s), e.id);
      else if (NEXT_STEP.test(s) && !CHANGE_WORDING.test(s)) nextSteps.add(clip(s), e.id);
    }
  }
  // Cross-source threads are the correlations a reader will want to open.
  for (const [, t] of topThreads.slice(0, 5)) if (t.sources.size > 1) for (const e of t.events.slice(0, 3)) related.add(e.id);

  const oldest = events[events.length - 1]!.createdAt;
  const newest = events[0]!.createdAt;
  const span = day(oldest) === day(newest) ? `on ${day(newest)}` : `between ${day(oldest)} and ${day(newest)}`;
  const bySource = sources.map((s) => `${s} (${sourceCounts.get(s)})`).join(', ');
  const focus = topThreads.slice(0, 3).map(([id, t]) => `${id} (${plural(t.events.length, 'event')} across ${[...t.sources].join(', ')})`);
  const summary = [
    `${plural(events.length, 'event')} from ${bySource} ${span}, by ${plural(people.size, 'person').replace('persons', 'people')}.`,
    focus.length ? `Most active: ${focus.join('; ')}.` : '',
    `${plural(keyChanges.items.length, 'key change')}, ${plural(decisions.items.length, 'decision')}, ${plural(openQuestions.items.length, 'open question')} and ${plural(nextSteps.items.length, 'next step')} found.`,
  ]
    .filter(Boolean)
    .join(' ');
  const headline = topThreads.slice(0, 2).map(([id]) => id);
  const title = headline.length ? `${projectName} handoff: ${headline.join(', ')}` : `${projectName} handoff, ${span.replace(/^(on|between) /, '')}`;
  for (const e of events) {
    if (related.size >= MAX_RELATED) break;
    if (threadOf(e)) related.add(e.id);
  }
  return {
    title: clip(title, 200),
    summary,
    sources,
    keyChanges: keyChanges.items,
    decisions: decisions.items,
    openQuestions: openQuestions.items,
    nextSteps: nextSteps.items,
    relatedEventIds: [...related].slice(0, MAX_RELATED),
  };
}
