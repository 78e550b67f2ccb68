import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, errorMessage, type RouterOutputs } from '../lib/trpc.ts';
import { useActiveOrg } from '../lib/session.ts';
import { optimistic } from '../lib/mutations.ts';
import { copyText } from '../lib/key-clipboard.ts';
import { Badge, Button, Card, EmptyState, Field, Form, FormError, Page, QueryState, RelativeTime, SelectField, Table, useToast } from '../components/ui.ts';

type ApiKey = RouterOutputs['mk']['apiKeys']['list']['data']['apiKeys'][number];
type ApiKeyList = RouterOutputs['mk']['apiKeys']['list'];
type CreatedKey = RouterOutputs['mk']['apiKeys']['create']['data'];
type Kind = ApiKey['kind'];

/** Keyed by the server's enum, so a new kind fails the type check here instead of missing from the form. */
const KIND_LABELS: Record<Kind, string> = {
  mk_live: 'mk_live — MightyKey, this organization',
  mk_test: 'mk_test — MightyKey test, this organization',
  fr: 'fr — Flow Relay, all your organizations',
};
const KINDS = Object.keys(KIND_LABELS) as Kind[];

/** The active org's API keys (never their secrets), a form to create one and a revoke button per key. */
export function ApiKeysPage() {
  const { org, isAdmin } = useActiveOrg();
  const trpc = useTRPC();
  const toast = useToast();
  const keys = useQuery(trpc.mk.apiKeys.list.queryOptions({}));
  const [created, setCreated] = useState<(CreatedKey & { orgName: string }) | null>(null);
  // Per key: why revoking it failed. Kept here, as the optimistic removal unmounts the row meanwhile.
  const [revokeErrors, setRevokeErrors] = useState<Record<string, string>>({});
  const orgName = org?.name ?? 'this organization';

  const revoke = useMutation(
    trpc.mk.apiKeys.revoke.mutationOptions(
      optimistic(trpc.mk.apiKeys.list.queryKey(), (old: ApiKeyList, { id }: { id: string }) => ({ ...old, data: { ...old.data, apiKeys: old.data.apiKeys.filter((k) => k.id !== id) } }), {
        onSuccess: () => toast('API key revoked', 'success'),
        onError: (e, { id }) => setRevokeErrors((m) => ({ ...m, [id]: errorMessage(e) })),
        // The row comes back with the reason beside it; a refetch would take it away again if the key is gone.
        refetchAfterError: false,
      }),
    ),
  );

  return (
    <Page title="API keys" description="Keys let scripts and connectors call Baton’s APIs as you.">
      {created && <NewKeyReveal created={created} onDone={() => setCreated(null)} />}
      <CreateKeyForm orgName={orgName} onCreated={(k) => setCreated({ ...k, orgName: org?.name ?? '' })} />
      <Card title="Keys">
        <p className="muted">
          {isAdmin ? `Every MightyKey key of ${orgName}, and your own Flow Relay keys.` : `Your MightyKey keys in ${orgName}, and your own Flow Relay keys.`} Only the
          first characters of a key are kept for display.
        </p>
        <QueryState query={keys}>
          {({ data }) =>
            data.apiKeys.length === 0 ? (
              <EmptyState title="No API keys yet." />
            ) : (
              <Table label="API keys" data-testid="api-keys">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Key</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.apiKeys.map((k) => (
                    <KeyRow
                      key={k.id}
                      apiKey={k}
                      error={revokeErrors[k.id] ?? null}
                      busy={revoke.isPending && revoke.variables.id === k.id}
                      onRevoke={() => {
                        setRevokeErrors(({ [k.id]: _gone, ...rest }) => rest);
                        revoke.mutate({ id: k.id });
                      }}
                    />
                  ))}
                </tbody>
              </Table>
            )
          }
        </QueryState>
      </Card>
    </Page>
  );
}

function KeyRow({ apiKey: k, error, busy, onRevoke }: { apiKey: ApiKey; error: string | null; busy: boolean; onRevoke: () => void }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <tr data-key-id={k.id}>
      <td className="key-name" data-label="Name">
        {k.name}
      </td>
      <td data-label="Kind">
        <Badge tone={k.kind === 'fr' ? 'active' : k.kind === 'mk_live' ? 'ok' : 'muted'}>{k.kind}</Badge>
        <span className="key-scope">{k.kind === 'fr' ? 'all your organizations' : 'this organization'}</span>
      </td>
      <td data-label="Key">
        <code data-testid="key-prefix">{k.prefix}…</code>
      </td>
      <td data-label="Created">
        <RelativeTime iso={k.createdAt} />
      </td>
      <td data-label="Last used">{k.lastUsedAt ? <RelativeTime iso={k.lastUsedAt} /> : <span className="muted">never</span>}</td>
      <td className="key-actions">
        {confirming ? (
          // Revoking cannot be undone and breaks whatever uses the key at once: ask once more.
          <span className="confirm" role="group" aria-label={`Confirm revoking ${k.name}`}>
            <span>Revoke for good? Anything using it stops working.</span>
            <Button variant="danger" onClick={onRevoke} busy={busy}>
              {busy ? 'Revoking…' : 'Yes, revoke'}
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Keep it
            </Button>
          </span>
        ) : (
          <Button variant="danger" aria-label={`Revoke ${k.name}`} onClick={() => setConfirming(true)}>
            Revoke
          </Button>
        )}
        <FormError error={error} />
      </td>
    </tr>
  );
}

function CreateKeyForm({ orgName, onCreated }: { orgName: string; onCreated: (k: CreatedKey) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('mk_live');
  const create = useMutation(
    trpc.mk.apiKeys.create.mutationOptions({
      onSuccess: async ({ data }) => {
        setName('');
        onCreated(data);
        await queryClient.invalidateQueries({ queryKey: trpc.mk.apiKeys.list.queryKey() });
      },
    }),
  );
  return (
    <Card title="Create an API key">
      <p className="muted">MightyKey keys act in {orgName} with your role there. Flow Relay keys act for you in every organization you belong to.</p>
      <Form busy={create.isPending} onSubmit={() => create.mutate({ name, kind })}>
        <Field label="Key name" name="keyName" value={name} onChange={setName} required />
        <SelectField label="Kind" name="kind" value={kind} onChange={(v) => setKind(v as Kind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </SelectField>
        <FormError error={create.error && errorMessage(create.error)} />
        <Button type="submit" busy={create.isPending} disabled={!name.trim()}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </Button>
      </Form>
    </Card>
  );
}

/** The only time the full key is on screen: the server keeps just its hash. */
function NewKeyReveal({ created, onDone }: { created: CreatedKey & { orgName: string }; onDone: () => void }) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const keyRef = useRef<HTMLElement>(null);

  // Keyboard and screen reader users land on the key, not wherever the form left them.
  useEffect(() => {
    setCopy('idle');
    keyRef.current?.closest('section')?.focus();
  }, [created.id]);

  const selectKey = () => {
    const el = keyRef.current;
    const sel = window.getSelection();
    if (!el || !sel) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    sel.removeAllRanges();
    sel.addRange(range);
  };

  const copyKey = async () => {
    if (await copyText(created.key)) setCopy('copied');
    else {
      // No way to the clipboard at all: select the key for Ctrl+C instead.
      selectKey();
      setCopy('failed');
    }
  };

  return (
    <section className="card key-reveal" data-testid="new-key" aria-labelledby="new-key-title" tabIndex={-1}>
      <h2 id="new-key-title">
        New {created.kind} key “{created.name}”
      </h2>
      <p className="key-warning">
        <strong>Copy this key now. It will not be shown again.</strong> Baton stores only a hash of it; if you lose it, revoke it and create another.
      </p>
      <div className="key-value">
        <code ref={keyRef} data-testid="new-key-value" onClick={selectKey}>
          {created.key}
        </code>
        <Button onClick={() => void copyKey()}>Copy</Button>
      </div>
      <p role="status" className="muted">
        {copy === 'copied' ? 'Copied to the clipboard.' : copy === 'failed' ? 'Could not reach the clipboard: the key is selected, press Ctrl+C (⌘C) to copy it.' : ''}
      </p>
      <p className="muted">
        {created.kind === 'fr' ? 'Acts for you in every organization you belong to.' : `Acts in ${created.orgName || 'this organization'} with your role there.`} Send it as{' '}
        <code>Authorization: Bearer &lt;key&gt;</code>.
      </p>
      <Button variant="secondary" onClick={onDone}>
        I have stored it — hide the key
      </Button>
    </section>
  );
}
