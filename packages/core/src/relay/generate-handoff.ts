/**
 * The default handoff generator: deterministic and offline. It reads a project's context events
 * and extracts a handoff from them, the way a careful colleague would skim the same feed:
 * - identifiers (tickets like PAY-12, PR numbers, branches) link events across sources into threads;
 * - changes come from events that change something (pushes, merges, closed issues, finished runs);
 * - decisions, open questions and next steps come from the wording of what people wrote;
 * - Baton's own approvals are paired by approval id: only one still undecided is an open question,
 *   and a person's approval or denial is a decision.
 * Same events in, same handoff out.
 */
import { newestFirst } from '../util/time.ts';
import { BATON_SOURCE } from './context-event.types.ts';

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
/** Standards and encodings that look like tickets (UTF-8, SHA-256, ISO-8601, RFC-9562). */
const NOT_A_TICKET = /^(UTF|SHA|ISO|RFC|HTTP|TLS|SSL|MD|AES|RSA|ECMA|IPV|ES|GPT)-/;
// No leading zero (so #000000, a colour, is not a PR), and not an HTML entity (&#39; or &amp;#39;).
const PULL = /(?:\bPR\s*#?|\bpull\/|(?<![\w&;])#)([1-9]\d{0,5})\b/gi;
/** Long-lived branches: work on them is not one thread. */
const TRUNKS = new Set(['main', 'master', 'develop', 'dev', 'trunk', 'staging', 'production']);

/** Words of an event type (push, pull_request_merged, run_completed) that record a change having happened... */
const CHANGE_TYPE_WORDS = new Set(['push', 'merge', 'merged', 'commit', 'commits', 'release', 'released', 'deploy', 'deployed', 'deployment', 'closed', 'done', 'completed', 'resolved', 'shipped']);
/** ...unless another word says it did not, or that it is only talk about one. */
const NOT_A_CHANGE_WORDS = new Set(['failed', 'failure', 'error', 'abandoned', 'reverted', 'cancelled', 'canceled', 'unresolved', 'reopened', 'comment', 'comments', 'review', 'requested']);
const CHANGE_WORDING = /\b(merged|shipped|deployed|released|landed|fixed|closed|completed|migrated|replaced|added|removed)\b/i;
const DECISION = /\b(decided|decision|agreed|we(?:'ll| will) (?:go with|use|keep|ship|drop)|going with|settled on|chose|chosen|approved)\b/i;
const QUESTION_START = /^(open question|question|tbd|unclear|unsure|not sure)\b/i;
const NEXT_STEP = /\b(?:todo|to do|next step|next up|follow[- ]?up|need to|needs to|still have to|remaining|blocked on|pending|should)\b|\bnext:/i;

/** The marker context-events.ts puts in approval lines (approvalIdLine). */
const APPROVAL_ID = /\bApproval id: ([0-9A-Za-z-]+)/g;
/** Lines that settle the approvals they name: decisions, and the end of a run (which expires the rest). */
const SETTLES_APPROVALS = /^(approval_(granted|denied)|run_(completed|failed|cancelled))$/;
const RUN_ENDED = /^run_(completed|failed|cancelled)$/;
/** Approval lines written before they carried an id name their run by its (shortened) request. */
const IN_RUN = /in the run "(.*)"/;

const approvalIds = (e: GeneratorEvent) => (e.source === BATON_SOURCE ? [...e.content.matchAll(APPROVAL_ID)].map((m) => m[1]!) : []);
const isBatonApproval = (e: GeneratorEvent) => e.source === BATON_SOURCE && e.eventType.startsWith('approval_');

/**
 * Which approval requests are still waiting for a person, given everything in the feed: a request
 * is settled by a grant, denial or run end that names its id, or — for a request recorded before
 * lines carried ids — by a later end of its run (a run never ends with an approval left pending).
 */
function pendingApprovals(events: readonly GeneratorEvent[]): (e: GeneratorEvent) => boolean {
  const settled = new Set<string>();
  const runEnds: GeneratorEvent[] = [];
  for (const e of events) {
    if (e.source !== BATON_SOURCE || !SETTLES_APPROVALS.test(e.eventType)) continue;
    for (const id of approvalIds(e)) settled.add(id);
    if (RUN_ENDED.test(e.eventType)) runEnds.push(e);
  }
  return (e) => {
    const [id] = approvalIds(e);
    if (id) return !settled.has(id);
    const run = e.source === BATON_SOURCE ? IN_RUN.exec(e.content)?.[1] : undefined;
    if (run === undefined) return true;
    // "Run completed: <request>", possibly followed by " — <what it achieved>".
    const ends = (end: GeneratorEvent) => {
      const request = end.title.replace(/^Run \w+:\s*/, '');
      return (request === run || request.startsWith(`${run} — `)) && end.createdAt >= e.createdAt;
    };
    return !runEnds.some(ends);
  };
}

function isChangeType(eventType: string): boolean {
  const words = eventType.toLowerCase().split(/[_.\-\s]+/);
  return words.some((w) => CHANGE_TYPE_WORDS.has(w)) && !words.some((w) => NOT_A_CHANGE_WORDS.has(w));
}

function sentences(text: string): string[] {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .split(/\n+|(?<=[.!?])\s+/)
    // A list marker only when a space follows: "2FA", "1.5 seconds" and "--force" keep their first characters.
    .map((s) => s.replace(/^\s*(?:[>*\-•]+|\d+[.)])\s+/, '').trim())
    .filter((s) => s.length >= 8);
}

function identifiers(e: GeneratorEvent): string[] {
  const text = `${e.title}\n${e.content}`;
  const ids = new Set<string>();
  for (const m of text.matchAll(TICKET)) if (!NOT_A_TICKET.test(m[0])) ids.add(m[0]);
  for (const m of text.matchAll(PULL)) ids.add(`#${m[1]}`);
  if (e.branch && !TRUNKS.has(e.branch)) ids.add(e.branch);
  return [...ids];
}

const clip = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 3).trimEnd()}...` : s);

class Picked {
  readonly items: string[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly related: Set<string>) {}
  add(text: string, eventId: string): boolean {
    const key = text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
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
  const events = [...input].sort(newestFirst((e) => e.createdAt));
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
  const sources = [...sourceCounts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([s]) => s);
  // A thread seen in several sources, or often, is what the work was about.
  const topThreads = [...threads.entries()]
    .filter(([, t]) => t.events.length > 1 || t.sources.size > 1)
    // Plain code-unit order for ties, not localeCompare: the same draft on every machine.
    .sort((a, b) => b[1].sources.size - a[1].sources.size || b[1].events.length - a[1].events.length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

  const related = new Set<string>();
  const keyChanges = new Picked(related);
  const decisions = new Picked(related);
  const openQuestions = new Picked(related);
  const nextSteps = new Picked(related);

  const threadOf = (e: GeneratorEvent) => identifiers(e).find((id) => threads.get(id)!.events.length > 1);
  const stillPending = pendingApprovals(events);
  for (const e of events) {
    // An approval is a question or a decision about a change, never the change itself.
    const isChange = !isBatonApproval(e) && (isChangeType(e.eventType) || CHANGE_WORDING.test(e.title));
    if (isChange) {
      const thread = threadOf(e);
      const label = thread && !e.title.includes(thread) ? `${thread}: ${e.title}` : e.title;
      keyChanges.add(clip(`${label} (${e.source})`), e.id);
    }
    if (e.eventType === 'run_failed') nextSteps.add(clip(`Look into the failed run: ${e.title.replace(/^Run failed:\s*/, '')}`), e.id);
    if (e.eventType === 'approval_requested' && stillPending(e)) openQuestions.add(clip(`${e.title} — still waiting for a decision?`), e.id);
    // "Approved: Deploy to staging, by Alice": a person decided.
    if (e.source === BATON_SOURCE && (e.eventType === 'approval_granted' || e.eventType === 'approval_denied')) decisions.add(clip(e.title), e.id);
    // A run's lines repeat its request, which is an instruction, not a conversation to mine.
    if (e.source === BATON_SOURCE) continue;
    for (const s of sentences(`${e.title}\n${e.content}`)) {
      // A question first: "Have we agreed on the refund window?" is still open.
      if (s.endsWith('?') || QUESTION_START.test(s)) openQuestions.add(clip(s), e.id);
      else if (DECISION.test(s)) decisions.add(clip(s), e.id);
      else if (NEXT_STEP.test(s)) nextSteps.add(clip(s), e.id);
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
  const dates = day(oldest) === day(newest) ? day(newest) : `${day(oldest)} to ${day(newest)}`;
  const title = headline.length ? `${projectName} handoff: ${headline.join(', ')}` : `${projectName} handoff, ${dates}`;
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
