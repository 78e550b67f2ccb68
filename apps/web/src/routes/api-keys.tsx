import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { trpc, errorMessage, getActiveOrgId, type Me, type RouterOutputs } from '../lib/trpc.ts';
import { useAction } from '../lib/use-action.ts';
import { formatTime } from '../lib/runs.ts';
import { Card, ErrorText, Field, Form } from '../components/ui.tsx';

type ApiKey = RouterOutputs['mk']['apiKeys']['list']['data']['apiKeys'][number];
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
export function ApiKeysPage({ me, version }: { me: Me; version: number }) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<(CreatedKey & { orgName: string }) | null>(null);

  const orgId = getActiveOrgId() ?? me.organizations[0]?.id;
  const org = me.organizations.find((o) => o.id === orgId);

  const load = useCallback(async () => {
    try {
      const { data } = await trpc.mk.apiKeys.list.query({});
      setKeys(data.apiKeys);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    // Another org was picked: do not show the previous org's keys until the new list arrives.
    setKeys(null);
    void load();
  }, [load, version]);

  const isAdmin = org?.role === 'owner' || org?.role === 'admin';

  return (
    <>
      {created && <NewKeyReveal created={created} onDone={() => setCreated(null)} />}
      <CreateKeyForm
        orgName={org?.name ?? 'this organization'}
        onCreated={async (k) => {
          setCreated({ ...k, orgName: org?.name ?? '' });
          await load();
        }}
      />
      <Card title="API keys">
        <p className="muted">
          {isAdmin
            ? `Every MightyKey key of ${org?.name ?? 'this organization'}, and your own Flow Relay keys.`
            : `Your MightyKey keys in ${org?.name ?? 'this organization'}, and your own Flow Relay keys.`}{' '}
          Only the first characters of a key are kept for display.
        </p>
        <ErrorText error={error} />
        {keys === null ? (
          error ? null : <p>Loading…</p>
        ) : keys.length === 0 ? (
          <p className="muted">No API keys yet.</p>
        ) : (
          <table className="table" data-testid="api-keys">
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
              {keys.map((k) => (
                <KeyRow key={k.id} apiKey={k} onRevoked={load} />
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

function KeyRow({ apiKey: k, onRevoked }: { apiKey: ApiKey; onRevoked: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();

  const revoke = () =>
    run(
      async () => {
        await trpc.mk.apiKeys.revoke.mutate({ id: k.id });
        await onRevoked();
      },
      () => setConfirming(false),
    );

  return (
    <tr data-key-id={k.id}>
      <td className="key-name">{k.name}</td>
      <td>
        <span className={`badge ${k.kind === 'fr' ? 'badge-active' : k.kind === 'mk_live' ? 'badge-ok' : 'badge-muted'}`}>{k.kind}</span>
        <span className="key-scope">{k.kind === 'fr' ? 'all your organizations' : 'this organization'}</span>
      </td>
      <td>
        <code data-testid="key-prefix">{k.prefix}…</code>
      </td>
      <td>
        <time dateTime={k.createdAt}>{formatTime(k.createdAt)}</time>
      </td>
      <td>{k.lastUsedAt ? <time dateTime={k.lastUsedAt}>{formatTime(k.lastUsedAt)}</time> : <span className="muted">never</span>}</td>
      <td className="key-actions">
        {confirming ? (
          // Revoking cannot be undone and breaks whatever uses the key at once: ask once more.
          <span className="confirm" role="group" aria-label={`Confirm revoking ${k.name}`}>
            <span>Revoke for good? Anything using it stops working.</span>
            <button type="button" className="danger" onClick={() => void revoke()} disabled={busy}>
              {busy ? 'Revoking…' : 'Yes, revoke'}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" className="danger" aria-label={`Revoke ${k.name}`} onClick={() => setConfirming(true)}>
            Revoke
          </button>
        )}
        <ErrorText error={error} />
      </td>
    </tr>
  );
}

function CreateKeyForm({ orgName, onCreated }: { orgName: string; onCreated: (k: CreatedKey) => Promise<void> }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('mk_live');
  const { busy, error, run } = useAction();
  const kindId = useId();

  return (
    <Card title="Create an API key">
      <p className="muted">
        MightyKey keys act in {orgName} with your role there. Flow Relay keys act for you in every organization you belong to.
      </p>
      <Form
        busy={busy}
        onSubmit={() =>
          run(async () => {
            const { data } = await trpc.mk.apiKeys.create.mutate({ name, kind });
            setName('');
            await onCreated(data);
          })
        }
      >
        <Field label="Key name" name="keyName" value={name} onChange={setName} required />
        <div className="field">
          <label htmlFor={kindId}>Kind</label>
          <select id={kindId} name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        <ErrorText error={error} />
        <button type="submit" disabled={busy || !name.trim()}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
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
    try {
      await navigator.clipboard.writeText(created.key);
      setCopy('copied');
    } catch {
      // No clipboard access (an insecure origin, or permission refused): select it for Ctrl+C instead.
      selectKey();
      setCopy('failed');
    }
  };

  return (
    <section className="card key-reveal" data-testid="new-key" aria-labelledby="new-key-title" tabIndex={-1}>
      <h2 id="new-key-title">New {created.kind} key “{created.name}”</h2>
      <p className="key-warning">
        <strong>Copy this key now. It will not be shown again.</strong> Baton stores only a hash of it; if you lose it, revoke it and create another.
      </p>
      <div className="key-value">
        <code ref={keyRef} data-testid="new-key-value" onClick={selectKey}>
          {created.key}
        </code>
        <button type="button" onClick={() => void copyKey()}>
          Copy
        </button>
      </div>
      <p role="status" className="muted">
        {copy === 'copied' ? 'Copied to the clipboard.' : copy === 'failed' ? 'Could not reach the clipboard: the key is selected, press Ctrl+C (⌘C) to copy it.' : ''}
      </p>
      <p className="muted">
        {created.kind === 'fr' ? 'Acts for you in every organization you belong to.' : `Acts in ${created.orgName || 'this organization'} with your role there.`} Send it as{' '}
        <code>Authorization: Bearer &lt;key&gt;</code>.
      </p>
      <button type="button" className="secondary" onClick={onDone}>
        I have stored it — hide the key
      </button>
    </section>
  );
}
