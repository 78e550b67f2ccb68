import { useId, type ReactNode } from 'react';

/** A titled section of a page (h2). */
export function Card({ title, children, actions, className, testId }: { title: ReactNode; children: ReactNode; actions?: ReactNode; className?: string; testId?: string }) {
  const id = useId();
  return (
    <section className={`card${className ? ` ${className}` : ''}`} aria-labelledby={id} data-testid={testId}>
      {actions ? (
        <div className="card-head">
          <h2 id={id}>{title}</h2>
          {actions}
        </div>
      ) : (
        <h2 id={id}>{title}</h2>
      )}
      {children}
    </section>
  );
}
