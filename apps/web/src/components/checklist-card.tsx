import { useSyncExternalStore, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTRPC, type RouterOutputs } from '../lib/trpc.ts';
import { sourceLabel } from '../lib/handoff-format.ts';
import { Button } from './button.tsx';
import { Card } from './card.tsx';
import './project-styles.css';

type Steps = RouterOutputs['app']['gettingStarted']['steps'];

const DISMISS_KEY = 'baton.checklistDismissed';
const listeners = new Set<() => void>();

/** Orgs whose checklist was hidden in this browser: a choice per org, kept across visits. */
function dismissedOrgs(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(DISMISS_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function dismiss(orgId: string) {
  try {
    localStorage.setItem(DISMISS_KEY, JSON.stringify([...new Set([...dismissedOrgs(), orgId])]));
  } catch {
    // Storage refused: hidden until the next visit only.
    memoryDismissed.add(orgId);
  }
  for (const l of listeners) l();
}
const memoryDismissed = new Set<string>();

function useDismissed(orgId: string): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => memoryDismissed.has(orgId) || dismissedOrgs().includes(orgId),
  );
}

interface Step {
  key: keyof Steps;
  title: string;
  hint: ReactNode;
  link: ReactNode;
}

/**
 * The first things to do in a new org, each ticked from the org's real data (app.gettingStarted),
 * wherever it was done. Gone once all are done, or once hidden (per org, in this browser).
 */
export function ChecklistCard({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const dismissed = useDismissed(orgId);
  // Fresh on every visit: the steps are done on other pages, or by others.
  const query = useQuery(trpc.app.gettingStarted.queryOptions(undefined, { enabled: !dismissed, staleTime: 0 }));
  const data = query.data;
  if (dismissed || !data || data.complete) return null;

  const sources = data.connectedSources.map(sourceLabel).join(', ');
  const steps: Step[] = [
    { key: 'createProject', title: 'Create a project', hint: 'Runs, environments and handoffs each belong to one.', link: <Link to="/projects">Go to projects</Link> },
    { key: 'startRun', title: 'Start a run', hint: 'Ask an agent to do something; you follow every step.', link: <Link to="/runs">Go to runs</Link> },
    {
      key: 'approveAction',
      title: 'Approve an action',
      hint: 'A run asks before it writes or deploys: approve (or deny) from the run’s page.',
      link: <Link to="/runs">Find a run waiting for you</Link>,
    },
    {
      key: 'connectSource',
      title: 'Connect a source',
      hint: data.steps.connectSource
        ? `Connected: ${sources}.`
        : 'Send GitHub, Slack, Linear or Discord activity to a project with a Flow Relay key (POST /relay/api/v1/events); handoffs are built from it.',
      // Served by the server, not the SPA: a full page load.
      link: <a href="/docs">Read the events API</a>,
    },
    { key: 'createApiKey', title: 'Create an API key', hint: 'For scripts, CI and connectors.', link: <Link to="/settings/api-keys">Go to API keys</Link> },
  ];
  const done = steps.filter((s) => data.steps[s.key]).length;

  return (
    <Card
      title="Getting started"
      className="checklist-card"
      testId="checklist"
      actions={
        <Button variant="ghost" onClick={() => dismiss(orgId)}>
          Hide checklist
        </Button>
      }
    >
      <p className="checklist-progress" data-testid="checklist-progress">
        {done} of {steps.length} done
      </p>
      <ol className="checklist">
        {steps.map((s) => {
          const isDone = data.steps[s.key];
          return (
            <li key={s.key} className={isDone ? 'checklist-done' : undefined} data-step={s.key} data-done={isDone}>
              <span className="checklist-mark" aria-hidden="true">
                {isDone ? '✓' : ''}
              </span>
              <span>
                <span className="checklist-title">{s.title}</span>
                <span className="visually-hidden">{isDone ? ' (done)' : ' (to do)'}</span>
                <span className="checklist-hint">
                  {s.hint} {!isDone && s.link}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </Card>
  );
}
