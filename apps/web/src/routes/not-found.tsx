import { Link } from '@tanstack/react-router';
import { Page } from '../components/ui.ts';

/** Any address the app does not know. */
export function NotFoundPage() {
  return (
    <Page title="Page not found" description="There is no page at this address. It may have moved, or the link may be mistyped.">
      <p>
        <Link to="/">Go to the overview</Link>
      </p>
    </Page>
  );
}
