import type { ReactNode } from 'react';
import { usePageTitle } from '../lib/page.ts';

/**
 * Every page's frame: its one h1 (focused after navigation), the document title ("Runs · Baton")
 * and an optional description and actions beside the heading.
 */
export function Page({ title, heading, description, actions, back, children }: { title: string; heading?: ReactNode; description?: ReactNode; actions?: ReactNode; back?: ReactNode; children?: ReactNode }) {
  usePageTitle(title);
  return (
    <>
      {back && <p className="page-back">{back}</p>}
      <header className="page-head">
        <h1 tabIndex={-1}>{heading ?? title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {description && <p className="page-description">{description}</p>}
      {children}
    </>
  );
}
