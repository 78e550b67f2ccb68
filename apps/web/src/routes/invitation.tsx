import { getRouteApi, Link } from '@tanstack/react-router';
import { Page } from '../components/ui.ts';

const route = getRouteApi('/_public/invitations/$token');

/** An invitation link from a mail: reachable signed out, since the invitee may have no account yet. */
export function InvitationPage() {
  // The token accepts the invitation; it is never shown.
  route.useParams();
  return (
    <Page title="Invitation" heading="You are invited to Baton" description="Someone invited you to join their organization on Baton.">
      <section className="card" aria-label="Next step">
        <p>
          <Link to="/login">Sign in</Link> or <Link to="/register">create an account</Link> to accept it.
        </p>
      </section>
    </Page>
  );
}
