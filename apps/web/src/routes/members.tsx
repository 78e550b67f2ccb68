import { skipToken, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.ts';
import { useActiveOrg } from '../lib/session.ts';
import { Badge, Card, Page, QueryState, RelativeTime, Table } from '../components/ui.ts';

/** Who belongs to the active org, with which role; invitations. */
export function MembersPage() {
  const { orgId, org } = useActiveOrg();
  const trpc = useTRPC();
  const members = useQuery(trpc.mk.members.list.queryOptions(orgId ? { id: orgId } : skipToken));
  return (
    <Page title="Members" description={`The people in ${org?.name ?? 'this organization'} and their roles.`}>
      <Card title="People">
        <QueryState query={members}>
          {({ data }) => (
            <Table label="Members">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {data.members.map((m) => (
                  <tr key={m.userId}>
                    <td data-label="Name">{m.name}</td>
                    <td data-label="Email">{m.email}</td>
                    <td data-label="Role">
                      <Badge>{m.role}</Badge>
                    </td>
                    <td data-label="Joined">
                      <RelativeTime iso={m.joinedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </QueryState>
      </Card>
    </Page>
  );
}
