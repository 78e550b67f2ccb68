import { skipToken, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { useActiveOrg } from '../lib/session.ts';
import { Card, Page, QueryState } from '../components/ui.ts';

/** The active org's settings: name, autonomy level, policy. */
export function OrgSettingsPage() {
  const { orgId } = useActiveOrg();
  const trpc = useTRPC();
  const org = useQuery(trpc.mk.orgs.get.queryOptions(orgId ? { id: orgId } : skipToken));
  return (
    <Page title="Organization settings" description="How this organization works with its agents.">
      <Card title="General">
        <QueryState query={org}>
          {({ data }) => (
            <dl className="facts">
              <dt>Name</dt>
              <dd>{data.name}</dd>
              <dt>Slug</dt>
              <dd>{data.slug}</dd>
              <dt>Autonomy level</dt>
              <dd>{data.autonomyLevel}</dd>
            </dl>
          )}
        </QueryState>
      </Card>
    </Page>
  );
}
