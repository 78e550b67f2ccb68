import type { ReactNode } from 'react';
import { errorMessage } from '../lib/trpc.ts';
import { Button } from './button.tsx';

/** Nothing to show yet, and what to do about it. */
export function EmptyState({ title, children, testId }: { title?: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="empty" data-testid={testId}>
      {title && <p className="empty-title">{title}</p>}
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" aria-busy="true">
      {label}
    </p>
  );
}

/** A failed load, announced, with a retry when the caller has one (a query's refetch). */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className="error-state">
      <p className="error" role="alert">
        {typeof error === 'string' ? error : errorMessage(error)}
      </p>
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

/**
 * The usual three states of a query in one place: loading, failed (with retry), or its data.
 *   <QueryState query={q}>{(data) => <List items={data.data.runs} />}</QueryState>
 */
export function QueryState<T>({ query, children, loading }: { query: { data: T | undefined; error: unknown; refetch: () => unknown }; children: (data: T) => ReactNode; loading?: ReactNode }) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <>{loading ?? <LoadingState />}</>;
}
