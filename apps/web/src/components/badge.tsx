import type { ReactNode } from 'react';

export type Tone = 'active' | 'warn' | 'ok' | 'bad' | 'muted';

export function Badge({ tone = 'muted', children, className, testId }: { tone?: Tone; children: ReactNode; className?: string; testId?: string }) {
  return (
    <span className={`badge badge-${tone}${className ? ` ${className}` : ''}`} data-testid={testId}>
      {children}
    </span>
  );
}

/** A status word with a dot, for states that change (live, deploying, healthy). */
export function StatusPill({ tone, children, testId }: { tone: Tone; children: ReactNode; testId?: string }) {
  return (
    <span className={`status-pill status-${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}
